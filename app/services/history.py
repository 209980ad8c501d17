"""Contact history: every change to relationship, sentiment, type or status, with who and when.

`apply_changes` is the one way a contact's fields change, so the history is complete; app.core.trends
reads it back as the short "Neutral → Skeptical since Mar 3" the map shows next to a contact.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import Enum

from sqlalchemy import select
from sqlmodel import Session

from app.core.models import TRACKED_FIELDS, Contact, ContactChange


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
