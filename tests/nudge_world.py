"""Accounts, contacts and touches for the nudge tests, entered through the product's services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from app.core.domain import ContactStatus, Relationship, StakeholderType, TouchKind
from app.core.models import AccountCreate, ContactCreate, TouchCreate
from app.services.accounts import create_account
from app.services.contacts import add_contact
from app.services.touches import log_touch

# A Monday: ISO week 2026-W11. Digests are due on Mondays at 09:00 local time by default.
MONDAY = date(2026, 3, 9)


def at(day: date, hour: int = 9, minute: int = 0, tz=UTC) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


@dataclass(frozen=True)
class Person:
    name: str
    type: StakeholderType = StakeholderType.CHAMPION
    touched: int | None = None  # days before `today` of the last touch; None: never touched
    added: int = 400  # days before `today` the contact was added
    status: ContactStatus = ContactStatus.ACTIVE
    title: str | None = None


def seed_account(runtime, name: str, owner: str | None, people=(), *, today: date = MONDAY, team: str = "T0001",
                 renewal_in: int | None = None, arr: int | None = None, channel: str | None = None) -> dict[str, int]:
    """Create the account and its people as of `today`; returns {person name: contact id}."""
    now = at(today, 8)
    renewal = today + timedelta(days=renewal_in) if renewal_in is not None else None
    ids = {}
    with runtime.db.session() as session:
        account = create_account(
            session, team,
            AccountCreate(name=name, owner_user_id=owner, renewal_date=renewal, channel_id=channel,
                          arr_amount=Decimal(arr) if arr is not None else None),
            owner, now - timedelta(days=500),
        )
        for person in people:
            data = ContactCreate(name=person.name, title=person.title, type=person.type,
                                 relationship=Relationship.STRONG)
            contact = add_contact(session, account, data, owner, now - timedelta(days=person.added))
            if person.touched is not None:
                touch = TouchCreate(contact_id=contact.id, occurred_on=today - timedelta(days=person.touched),
                                    kind=TouchKind.CALL)
                log_touch(session, account, touch, owner, now)
            contact.status = person.status  # after the touch: touching makes a contact Active
            ids[person.name] = contact.id
    return ids
