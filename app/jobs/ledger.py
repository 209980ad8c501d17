"""The weekly-digest ledger: what makes a digest go out exactly once.

A digest is claimed before it is sent: a row keyed (workspace, CSM, ISO week) is inserted with
INSERT … ON CONFLICT DO NOTHING, and only the process whose insert went in sends. A failed send, an
uncertain one (Slack's answer was lost: it may have been posted), or a claim whose process died
mid-send (older than CLAIM_LEASE), is taken over with a compare-and-set UPDATE, so again exactly one
process retries it — after looking for the digest in the DM (app/jobs/sweep.py). Each of these is its own
short transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from app.core.domain import DeliveryStatus
from app.core.models import NudgeDelivery
from app.platform.claims import CLAIM_LEASE, ERROR_MAX, claimer_id, retryable
from app.platform.db import insert_for

__all__ = ["CLAIM_LEASE", "claim", "claimer_id", "ledger_rows", "reclaim", "record", "retryable"]


# --- the ledger ----------------------------------------------------------------------------------------


def ledger_rows(session: Session, team_id: str, weeks: dict[str, str]) -> dict[str, NudgeDelivery]:
    """This week's row of each user in `weeks` ({user: week}), when there is one (one statement)."""
    query = select(NudgeDelivery).where(
        NudgeDelivery.team_id == team_id, NudgeDelivery.week.in_(set(weeks.values()))
    )
    return {row.user_id: row for row in session.scalars(query) if weeks.get(row.user_id) == row.week}


def claim(session: Session, team_id: str, user_id: str, week: str, status: DeliveryStatus, by: str,
          now: datetime, items: int) -> int | None:
    """Insert this week's row for the user; its id when this call inserted it, None when it existed."""
    values = dict(team_id=team_id, user_id=user_id, week=week, status=status, claimed_by=by, claimed_at=now,
                  items=items, attempts=1 if status == DeliveryStatus.SENDING else 0)
    statement = (
        insert_for(session, NudgeDelivery).values(**values)
        .on_conflict_do_nothing(index_elements=["team_id", "user_id", "week"])
        .returning(NudgeDelivery.id)
    )
    return session.scalar(statement)


def reclaim(session: Session, row: NudgeDelivery, by: str, now: datetime, items: int) -> bool:
    """Take over a retryable row; True for exactly one of several processes trying at once."""
    statement = (
        update(NudgeDelivery)
        .where(NudgeDelivery.id == row.id, NudgeDelivery.status == row.status,
               NudgeDelivery.attempts == row.attempts)
        .values(status=DeliveryStatus.SENDING, claimed_by=by, claimed_at=now, attempts=row.attempts + 1,
                items=items)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def record(session: Session, row_id: int, status: DeliveryStatus, *, now: datetime | None = None,
           channel_id: str | None = None, ts: str | None = None, error: str | None = None) -> None:
    """What became of a claimed digest: sent (with its channel and ts), empty, failed, uncertain or
    undeliverable."""
    values = dict(status=status, channel_id=channel_id, ts=ts, error=error[:ERROR_MAX] if error else None)
    if status == DeliveryStatus.SENT:
        values["sent_at"] = now
    session.execute(
        update(NudgeDelivery).where(NudgeDelivery.id == row_id).values(**values)
        .execution_options(synchronize_session=False)
    )
