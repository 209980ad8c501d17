"""A linked Slack Connect channel and Slack's message events in it, for the capture tests and benchmark.

Event bodies are shaped as Slack sends them for a channel shared with another organisation
(`message.channels`): the event's user_team / source_team, the envelope's is_ext_shared_channel,
authorizations and event_context; a retry is the same body with X-Slack-Retry-Num.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.core.models import CaptureSuggestion, ChannelActivity, Touch
from app.services.capture_cache import CAPTURE_CACHE
from tests.slack_standin import CUSTOMER_TEAM

EXT = "C0EXTACME"  # #ext-acme, shared with the customer
_event_ids = itertools.count(1)


def reset_capture_cache() -> None:
    """Each test has its own database: what the process remembers of another test's must go."""
    CAPTURE_CACHE.clear()


def ts_of(at: datetime, n: int = 0) -> str:
    return f"{at.timestamp() + n / 1000:.6f}"


def message_event(user: str, ts: str, *, channel: str = EXT, user_team: str = CUSTOMER_TEAM,
                  team: str = "T0001", **fields: Any) -> dict:
    """A `message` event in a shared channel, as Slack delivers it (text included; capture never keeps it)."""
    return {"client_msg_id": f"c{next(_event_ids):08d}", "type": "message", "text": "Any update on the renewal?",
            "user": user, "ts": ts, "blocks": [], "team": user_team, "user_team": user_team,
            "source_team": user_team, "channel": channel, "event_ts": ts, "channel_type": "channel",
            **fields}


def envelope(event: dict, *, team: str = "T0001", event_id: str | None = None,
             enterprise_id: str | None = None) -> dict:
    """The Events API envelope of a shared channel's event."""
    return {"token": "verification-token", "team_id": team, "enterprise_id": enterprise_id,
            "context_team_id": team, "context_enterprise_id": enterprise_id, "api_app_id": "A0STAKEMAP",
            "event": event, "type": "event_callback", "event_id": event_id or f"Ev{next(_event_ids):010d}",
            "event_time": int(float(event.get("event_ts") or 0)), "is_ext_shared_channel": True,
            "event_context": f"4-{event.get('channel', '')}-{next(_event_ids)}",
            "authorizations": [{"enterprise_id": enterprise_id, "team_id": team, "user_id": "UBOT", "is_bot": True,
                                "is_enterprise_install": False}]}


def deliver(slack, event: dict, *, retry: int | None = None, event_id: str | None = None, **kwargs):
    """Send the event as Slack does (signed); retry=n adds X-Slack-Retry-Num, as Slack's redelivery."""
    body = envelope(event, team=slack.team_id, event_id=event_id, **kwargs)
    headers = {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"} if retry else None
    return slack.send(json.dumps(body), "application/json", headers), body["event_id"]


def captured_touches(runtime) -> list[Touch]:
    with runtime.db.session() as session:
        rows = session.scalars(select(Touch).where(Touch.capture_day.is_not(None))
                               .order_by(Touch.contact_id, Touch.capture_day)).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def suggestions(runtime) -> dict[str, tuple[int, bool]]:
    """slack user → (messages, ignored)."""
    with runtime.db.session() as session:
        return {s.slack_user_id: (s.messages, s.ignored_at is not None)
                for s in session.scalars(select(CaptureSuggestion))}


def activity(runtime) -> dict:
    with runtime.db.session() as session:
        return {(a.channel_id, a.day): a.messages for a in session.scalars(select(ChannelActivity))}
