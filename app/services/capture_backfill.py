"""Backfill: linking a channel reads its last 90 days (conversations.history, and conversations.replies for
each thread, paged) so the map is right from day one. Counting is app/services/capture.py's
record_history, which raises counts to what the history shows: a backfill run twice, or alongside live
capture, counts each message once.

Slack is the caller's business: `read(method, params)` returns a page (Slack's JSON) or None when Slack
refused; it paces its calls and waits out Retry-After (app/platform/slack_client.history_reader).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.capture import BACKFILL_DAYS, counts_as_message, message_time
from app.platform.db import Database
from app.services.capture import AskProfile, CustomerMessage, channel_target, record_history

log = logging.getLogger(__name__)
ReadPage = Callable[[str, dict], dict | None]
PAGE_SIZE = 200  # Slack's recommended page size for conversations.history / replies


@dataclass(frozen=True)
class Backfill:
    messages: int  # customer messages counted
    complete: bool  # every page was read (else the next backfill reads again)


def backfill_channel(db: Database, team_id: str, channel_id: str, read: ReadPage, profile: AskProfile,
                     now: datetime, days: int = BACKFILL_DAYS) -> Backfill:
    """Read the channel's last `days` days and count its customer messages (nothing is read when the
    channel is not linked or capture is off for its account)."""
    target = channel_target(db, team_id, channel_id, profile, now)
    if target is None or not target.enabled:
        return Backfill(0, False)
    oldest = f"{(now - timedelta(days=days)).timestamp():.6f}"
    reading = HistoryReading(read, team_id, channel_id, oldest)
    messages = list(reading.messages())
    counted = record_history(db, team_id, channel_id, messages, profile, now, complete=reading.complete)
    log.info("backfilled %s: %d messages read, %d customer messages", channel_id, len(messages), counted)
    return Backfill(counted, reading.complete)


class HistoryReading:
    """The messages people wrote in a channel since `oldest`: top level and in threads, each once."""

    def __init__(self, read: ReadPage, team_id: str, channel_id: str, oldest: str):
        self.read, self.team_id, self.channel_id, self.oldest = read, team_id, channel_id, oldest
        self.complete = True
        self._seen: set[str] = set()

    def messages(self) -> Iterator[CustomerMessage]:
        for message in self._pages("conversations.history", {}):
            yield from self._written(message)
            thread = message.get("thread_ts")
            if message.get("reply_count") and isinstance(thread, str):
                for reply in self._pages("conversations.replies", {"ts": thread}):
                    yield from self._written(reply)

    def _pages(self, method: str, params: dict) -> Iterator[dict]:
        cursor = None
        while True:
            page = self.read(method, {"channel": self.channel_id, "oldest": self.oldest, "limit": PAGE_SIZE,
                                      **params, **({"cursor": cursor} if cursor else {})})
            if page is None or not page.get("ok", True):
                self.complete = False
                return
            yield from (m for m in page.get("messages") or [] if isinstance(m, dict))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    def _written(self, message: dict) -> Iterator[CustomerMessage]:
        ts = message.get("ts")
        at = message_time(ts)
        if at is None or ts in self._seen or not counts_as_message(message):
            return
        self._seen.add(ts)
        team = message.get("user_team") or message.get("source_team") or message.get("team")
        yield CustomerMessage(team_id=self.team_id, channel_id=self.channel_id, user_id=message["user"][:32], at=at,
                              user_team=team if isinstance(team, str) else None)
