"""Touches: one interaction with a contact. A contact's last touch is derived from these."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlmodel import Session

from app.core.domain import TouchKind
from app.core.errors import InvalidInput, NotFound
from app.core.models import Account, Touch, TouchCreate
from app.core.outbox import PushKind
from app.core.touches import new_touch
from app.platform.runtime import Runtime
from app.services.accounts import changing_account, touch_account
from app.services.contacts import get_contact
from app.services.crm.outbox import queue_push
from app.services.history import apply_changes


def log_touch(session: Session, account: Account, data: TouchCreate, by: str | None, now: datetime) -> Touch:
    """Record a touch with a contact of the account (app.core.touches says what it changes)."""
    contact = get_contact(session, account.team_id, data.contact_id, account.id)
    touch, changes = new_touch(account, contact, data, by, now)
    session.add(touch)
    apply_changes(session, contact, changes, by, now)
    touch_account(account, now)
    session.flush()
    return touch


class LoggedTouch(NamedTuple):
    """What the touch modal confirms."""

    account_id: int
    account_name: str
    contact_name: str
    kind: TouchKind
    occurred_on: date


def record_touch(runtime: Runtime, team_id: str, account_id: int, data: TouchCreate, by: str | None) -> LoggedTouch:
    """The touch modal's save, in one unit of work: log the touch with a contact of the account, as log_touch
    does. NotFound when the account is gone (or another workspace's); InvalidInput {"contact_id"} when the
    contact is not on it or has left."""
    now = runtime.now()
    with runtime.db.session() as session:
        account = changing_account(session, team_id, account_id, now)
        try:
            contact = get_contact(session, team_id, data.contact_id, account.id)
        except NotFound as error:  # the contact: the field that names it
            raise InvalidInput({"contact_id": str(error)}) from None
        touch, changes = new_touch(account, contact, data, by, now)
        session.add(touch)
        apply_changes(session, contact, changes, by, now)
        queue_push(session, PushKind.TOUCH, contact, now, touch)
        session.flush()
        return LoggedTouch(account.id, account.name, contact.display_name, touch.kind, touch.occurred_on)
