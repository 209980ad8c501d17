"""Touches: one interaction with a contact. A contact's last touch is derived from these."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.core.domain import ContactStatus
from app.core.errors import InvalidInput
from app.core.models import Account, Touch, TouchCreate
from app.services.accounts import touch_account
from app.services.contacts import get_contact
from app.services.history import apply_changes


def log_touch(session: Session, account: Account, data: TouchCreate, by: str | None, now: datetime) -> Touch:
    """Record a touch; the sentiment after it becomes the contact's, a placeholder becomes Active."""
    contact = get_contact(session, account.team_id, data.contact_id, account.id)
    if contact.status == ContactStatus.LEFT:
        raise InvalidInput({"contact_id": f"{contact.display_name} has left the company."})
    touch = Touch(**data.model_dump(), team_id=account.team_id, account_id=account.id, logged_by=by, created_at=now)
    session.add(touch)
    changes = {"status": ContactStatus.ACTIVE}
    if data.sentiment_after is not None:
        changes["sentiment"] = data.sentiment_after
    apply_changes(session, contact, changes, by, now)
    touch_account(account, now)
    session.flush()
    return touch
