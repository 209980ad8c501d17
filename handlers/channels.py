"""Slack Connect: asking Slack whether a channel is shared with another organisation (conversations.info),
and the channel_shared / channel_unshared events that change the answer. The decision and its cache are
in app/services/channels.py."""

from __future__ import annotations

import logging
import re

from slack_bolt import App

from app.platform.runtime import Runtime
from app.services.channels import sharing_changed
from handlers.common.errors import guarded

log = logging.getLogger(__name__)


def _event_channel(event: dict) -> str | None:
    channel = event.get("channel")
    return channel if isinstance(channel, str) and channel else None


def register(app: App, runtime: Runtime) -> None:
    @app.event(re.compile(r"^channel_(un)?shared$"))
    @guarded
    def audience_changed(ack, body, respond, event, context):
        ack()
        channel = _event_channel(event)
        if channel and context.team_id:
            sharing_changed(runtime.db, context.team_id, channel, event.get("type") == "channel_shared", runtime.now())
