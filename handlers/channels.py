"""Slack Connect: asking Slack whether a channel is shared with another organisation (conversations.info),
and the channel_shared / channel_unshared events that change the answer. The decision and its cache are
in app/services/channels.py."""

from __future__ import annotations

import logging

from slack_bolt import App

from app.platform.runtime import Runtime
from app.services.channels import became_shared, became_unshared
from handlers.common.errors import guarded

log = logging.getLogger(__name__)


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
