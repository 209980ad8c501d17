"""Touches: one interaction with a contact. A contact's last touch is derived from these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from app.core.domain import ContactStatus, TouchKind
from app.core.errors import InvalidInput, NotFound
from app.core.models import Account, Contact, Touch, TouchCreate
from app.services.accounts import get_account, touch_account
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


@dataclass(frozen=True)
class LoggedTouch:
    """What the touch modal confirms."""

    account_id: int
    account_name: str
    contact_name: str
    kind: TouchKind
    occurred_on: date


def record_touch(session: Session, team_id: str, account_id: int, data: TouchCreate, by: str | None,
                 now: datetime) -> LoggedTouch:
    """The touch modal's save: log the touch with a contact of the account. NotFound when the account is
    gone (or another workspace's); InvalidInput {"contact_id"} when the contact is not on it or has left."""
    account = get_account(session, team_id, account_id)
    try:
        touch = log_touch(session, account, data, by, now)
    except NotFound as error:  # the contact: the field that names it
        raise InvalidInput({"contact_id": str(error)}) from None
    contact = session.get(Contact, touch.contact_id)
    return LoggedTouch(account.id, account.name, contact.display_name, touch.kind, touch.occurred_on)
