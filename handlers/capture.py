"""Slack Connect capture: `message` events (channels and private channels) and `member_joined_channel` in
linked channels, acknowledged at once and counted after the ack (app/services/capture.py). Nothing is ever
posted in reply: capture is silent, and the channels it reads are shared with the customer.

Retries (X-Slack-Retry-Num) never count twice: a message's event receipt is written in the same transaction
as its counts, after the ack, with those of the other messages counted in the same batch
(app/edge/slack_app.RECEIPT_AFTER_THE_ACK); member_joined_channel's by the receipt middleware before the ack.
"""

from __future__ import annotations

import logging

from slack_bolt import App

from app.core.capture import counts_as_message, message_time
from app.platform.runtime import Runtime
from app.platform.slack_client import user_asker
from app.services.capture import CustomerMessage, capture_message, member_joined
from handlers.common.after_ack import after_ack
from handlers.common.errors import guarded

log = logging.getLogger(__name__)


def parse_message(body: dict, event: dict, team_id: str | None, enterprise_id: str | None) -> CustomerMessage | None:
    """The message as capture reads it (no text), or None when it is not someone writing in a channel."""
    channel, user = event.get("channel"), event.get("user")
    at = message_time(event.get("ts") or event.get("event_ts"))
    if not (team_id and isinstance(channel, str) and channel[:1] in ("C", "G") and isinstance(user, str) and user
            and at is not None):
        return None
    teams = [event.get(key) for key in ("user_team", "source_team")]
    user_team = next((team for team in teams if isinstance(team, str) and team), None)
    event_id = body.get("event_id")
    return CustomerMessage(team_id=team_id, channel_id=channel, user_id=user[:32], at=at,
                           user_team=user_team, our_enterprise=enterprise_id or _enterprise(body),
                           event_id=event_id[:64] if isinstance(event_id, str) and event_id else None)


def _enterprise(body: dict) -> str | None:
    authorizations = body.get("authorizations")
    first = authorizations[0] if isinstance(authorizations, list) and authorizations else {}
    found = (first.get("enterprise_id") if isinstance(first, dict) else None) or body.get("enterprise_id")
    return found if isinstance(found, str) and found else None


def register(app: App, runtime: Runtime) -> None:
    @app.event("message")
    @guarded
    def message(ack, body, respond, event, context, client):
        ack()
        if not counts_as_message(event):
            return
        parsed = parse_message(body, event, context.team_id, context.enterprise_id)
        if parsed is not None:
            after_ack(runtime, capture_message, runtime.db, parsed, user_asker(client), runtime.now(),
                      body=body, respond=None)

    @app.event("member_joined_channel")
    @guarded
    def joined(ack, body, respond, event, context, client):
        ack()
        parsed = parse_message(body, {**event, "ts": body.get("event_time"), "user_team": event.get("team")},
                               context.team_id, context.enterprise_id)
        if parsed is not None:
            after_ack(runtime, member_joined, runtime.db, parsed, user_asker(client), runtime.now(),
                      body=body, respond=None)
