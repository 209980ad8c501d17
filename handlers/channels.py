"""Slack Connect: asking Slack whether a channel is shared with another organisation (conversations.info),
and the channel_shared / channel_unshared events that change the answer. The decision and its cache are
in app/services/channels.py."""

from __future__ import annotations

import logging

from slack_bolt import App

from app.platform.runtime import Runtime
from app.platform.slack_client import channel_asker
from app.services.channels import became_shared, became_unshared, is_shared
from handlers.errors import guarded

log = logging.getLogger(__name__)


def channel_is_shared(runtime: Runtime, client, team_id: str, channel_id: str | None) -> bool:
    """Whether posting in the channel could reach another organisation (True when Slack does not say)."""
    return is_shared(runtime.db, team_id, channel_id, channel_asker(client), runtime.now())


def _event_channel(event: dict) -> str | None:
    channel = event.get("channel")
    return channel if isinstance(channel, str) and channel else None


def register(app: App, runtime: Runtime) -> None:
    @app.event("channel_shared")
    @guarded
    def shared(ack, body, respond, event, context):
        ack()
        channel = _event_channel(event)
        if channel and context.team_id:
            became_shared(runtime.db, context.team_id, channel, runtime.now())

    @app.event("channel_unshared")
    @guarded
    def unshared(ack, body, respond, event, context):
        ack()
        channel = _event_channel(event)
        if channel and context.team_id:
            became_unshared(runtime.db, context.team_id, channel)
