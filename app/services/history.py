"""Contact history: every change to relationship, sentiment, type or status, with who and when.

`apply_changes` is the one way a contact's fields change, so the history is complete; `trends` reads
it back as the short "Neutral → Skeptical since Mar 3" the map shows next to a contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum

from sqlalchemy import select
from sqlmodel import Session

from app.core.domain import ContactStatus, Relationship, Sentiment, StakeholderType
from app.core.models import TRACKED_FIELDS, Contact, ContactChange

TREND_DAYS = 90  # a change older than this is no longer a trend
TREND_FIELDS = ("sentiment", "relationship")  # what the map shows next to a contact
_VOCABULARY: dict[str, type[Enum]] = {
    "relationship": Relationship, "sentiment": Sentiment, "type": StakeholderType, "status": ContactStatus,
}


def _value(value) -> str | None:
    return value.value if isinstance(value, Enum) else (None if value is None else str(value))


def apply_changes(session: Session, contact: Contact, changes: dict, by: str | None, now: datetime) -> list[str]:
    """Set the changed fields on the contact, record tracked ones in history; returns what changed."""
    changed = []
    for field, new in changes.items():
        old = getattr(contact, field)
        if _value(old) == _value(new):
            continue
        setattr(contact, field, new)
        changed.append(field)
        if field in TRACKED_FIELDS:
            session.add(
                ContactChange(
                    team_id=contact.team_id, account_id=contact.account_id, contact_id=contact.id, field=field,
                    old_value=_value(old), new_value=_value(new), changed_by=by, changed_at=now,
                )
            )
    if changed:
        contact.updated_at = now
    return changed


def account_history(session: Session, team_id: str, account_id: int, since: date | None = None) -> list[ContactChange]:
    """Every recorded change to the account's contacts (since a day, when given), oldest first."""
    query = select(ContactChange).where(ContactChange.team_id == team_id, ContactChange.account_id == account_id)
    if since is not None:
        query = query.where(ContactChange.changed_at >= datetime.combine(since, time(), tzinfo=UTC))
    return list(session.scalars(query.order_by(ContactChange.changed_at, ContactChange.id)))


def label_of(field: str, value: str | None) -> str:
    """The display label of a stored history value ("skeptical" → "Skeptical")."""
    if value is None:
        return "none"
    try:
        return _VOCABULARY[field](value).label
    except (KeyError, ValueError):
        return value


@dataclass(frozen=True)
class Trend:
    contact_id: int
    field: str
    old: str  # labels
    new: str
    since: date


def trends(history: Iterable[ContactChange], today: date, days: int = TREND_DAYS) -> dict[int, list[Trend]]:
    """Per contact, the latest sentiment and relationship change of the last `days` days (sentiment first)."""
    start = today - timedelta(days=days)
    latest: dict[tuple[int, str], ContactChange] = {}
    for change in history:
        if change.field in TREND_FIELDS and change.changed_at.date() >= start:
            latest[(change.contact_id, change.field)] = change  # history is oldest first: the last one wins
    found: dict[int, list[Trend]] = {}
    for (contact_id, field), change in sorted(latest.items(), key=lambda item: TREND_FIELDS.index(item[0][1])):
        trend = Trend(contact_id, field, label_of(field, change.old_value), label_of(field, change.new_value),
                      change.changed_at.date())
        found.setdefault(contact_id, []).append(trend)
    return found
