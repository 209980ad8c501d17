"""Each delivery from Slack is handled once, whichever replica receives it.

Events API deliveries are recognised by their event_id however often Slack retries them
(X-Slack-Retry-Num: a retry is a new, newly signed request). Any other request Slack signed is recognised
by its signature (a replay within the signature's 5-minute window is the same bytes, the same signature);
a view submission by the view's id and hash, which stay the same for as long as the modal does not
change. The first replica to record the receipt in the database handles the request; a submission that
was answered with errors is forgotten again, so the user can correct it and submit the same view.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session

from app.core.models import EventReceipt, RequestReceipt
from app.platform.db import insert_for, insert_if_absent

KEEP_RECEIPTS = timedelta(days=2)  # Slack retries for minutes; two days is plenty to recognise a retry
# A signature is accepted up to 5 minutes either side of its timestamp: a replay can come 10 minutes after
# the request it copies was first received.
KEEP_REQUESTS = timedelta(minutes=10)
PRUNE_EVERY = 500  # receipts recorded between two prunings, per process
_recorded = 0  # event receipts recorded by this process
_recorded_lock = threading.Lock()
_requests = itertools.count(1)
UNKEYED = {"event_callback", "url_verification", "block_suggestion"}  # events have their id; the rest only read


def first_delivery(session: Session, event_id: str, team_id: str | None, now: datetime) -> bool:
    """Record the event; True only for the first delivery of that event_id anywhere."""
    return event_id[:64] in first_deliveries(session, [(event_id, team_id)], now)


def first_deliveries(session: Session, events: Iterable[tuple[str, str | None]], now: datetime) -> set[str]:
    """Record (event_id, team_id) deliveries in one statement; the event ids (cut to 64 characters) seen here
    for the first time anywhere. An id given twice is recorded, and returned, once."""
    rows = {event_id[:64]: {"event_id": event_id[:64], "team_id": team_id, "received_at": now}
            for event_id, team_id in events}
    if not rows:
        return set()
    table = EventReceipt.__table__
    statement = insert_for(session, table).on_conflict_do_nothing().returning(table.c.event_id)
    fresh = set(session.scalars(statement, [rows[key] for key in sorted(rows)]))  # (rowcount is not reliable on psycopg)
    if _pruning_due(len(rows)):
        session.execute(delete(EventReceipt).where(EventReceipt.received_at < now - KEEP_RECEIPTS))
    return fresh


def _pruning_due(recorded: int) -> bool:
    """True once every PRUNE_EVERY receipts recorded by this process."""
    global _recorded
    with _recorded_lock:
        before, _recorded = _recorded, _recorded + recorded
        return before // PRUNE_EVERY != _recorded // PRUNE_EVERY


def request_key(body: Any, headers: Mapping[str, Sequence[str]], mode: str) -> str | None:
    """What identifies this request among replays of it (a digest), or None when it needs no receipt:
    events (their event_id does), options lists (they change nothing), Socket Mode requests (unsigned)."""
    body = body if isinstance(body, dict) else {}
    kind = body.get("type")
    if kind in UNKEYED:
        return None
    view = body.get("view")
    if kind == "view_submission" and isinstance(view, dict):
        view_id, view_hash = view.get("id"), view.get("hash")
        if isinstance(view_id, str) and isinstance(view_hash, str) and view_id and view_hash:
            return _digest(f"view\n{view_id}\n{view_hash}")
    signature = (headers.get("x-slack-signature") or [None])[0]
    if mode == "socket_mode" or not signature:
        return None
    return _digest(f"signature\n{signature}")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def first_request(session: Session, key: str, team_id: str | None, now: datetime) -> bool:
    """Record the request; True only the first time that key is seen anywhere (within KEEP_REQUESTS)."""
    fresh = insert_if_absent(session, RequestReceipt, {"key": key, "team_id": (team_id or None) and team_id[:32],
                                                       "received_at": now})
    if next(_requests) % PRUNE_EVERY == 0:
        session.execute(delete(RequestReceipt).where(RequestReceipt.received_at < now - KEEP_REQUESTS))
    return fresh


def forget_request(session: Session, key: str) -> None:
    """Let the same request (a corrected view submission) be handled again."""
    session.execute(delete(RequestReceipt).where(RequestReceipt.key == key))
