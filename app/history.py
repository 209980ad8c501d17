"""Contact history: every change to relationship, sentiment, type or status, with who and when."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlmodel import Session

from app.models import TRACKED_FIELDS, Contact, ContactChange


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
