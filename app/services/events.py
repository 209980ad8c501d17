"""Events API deliveries are processed once, whichever replica receives them and however often Slack
retries (X-Slack-Retry-Num): the first replica to record the event_id in the database handles it."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from app.core.models import EventReceipt
from app.platform.db import insert_if_absent

KEEP_RECEIPTS = timedelta(days=2)  # Slack retries for minutes; two days is plenty to recognise a retry
PRUNE_EVERY = 500  # receipts recorded between two prunings, per process
_recorded = itertools.count(1)


def first_delivery(session: Session, event_id: str, team_id: str | None, now: datetime) -> bool:
    """Record the event; True only for the first delivery of that event_id anywhere."""
    fresh = insert_if_absent(session, EventReceipt, {"event_id": event_id[:64], "team_id": team_id,
                                                     "received_at": now})
    if next(_recorded) % PRUNE_EVERY == 0:
        session.execute(delete(EventReceipt).where(EventReceipt.received_at < now - KEEP_RECEIPTS))
    return fresh
