"""In-memory table objects for the pure assessment tests (no database involved)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from app.core.domain import ContactStatus, Relationship, Sentiment, StakeholderType, TouchKind
from app.core.models import Account, Contact, PlanStep, Touch
from app.services.demo import DemoAccount

_ids = count(1)


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC)


def account(name="Acme", renewal_date=None, **fields) -> Account:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Account(id=next(_ids), team_id="T1", name=name, name_key=name.casefold(), renewal_date=renewal_date,
                   created_at=now, updated_at=now, **fields)


def contact(name="Pat Doe", type=StakeholderType.CHAMPION, added=date(2025, 1, 1), **fields) -> Contact:
    fields.setdefault("relationship", Relationship.STRONG)
    fields.setdefault("status", ContactStatus.ACTIVE)
    fields.setdefault("sentiment", Sentiment.SUPPORTIVE)
    title = fields.get("title")
    return Contact(id=next(_ids), team_id="T1", account_id=0, name=name, type=type,
                   name_key=Contact.key_for(name, title), created_at=at(added), updated_at=at(added), **fields)


def touch(person: Contact, on: date, kind=TouchKind.CALL) -> Touch:
    return Touch(id=next(_ids), team_id="T1", account_id=0, contact_id=person.id, occurred_on=on, kind=kind,
                 created_at=at(on))


def step(person: Contact | None = None, role: str | None = None) -> PlanStep:
    return PlanStep(id=next(_ids), team_id="T1", account_id=0, contact_id=person.id if person else None,
                    target_role=role, path="Direct", first_action="Call", created_at=at(date(2026, 1, 1)))


def from_demo(demo: DemoAccount, today: date) -> tuple[Account, list[Contact], list[Touch]]:
    acct = account(demo.account.name, demo.account.renewal_date, arr_amount=demo.account.arr_amount,
                   currency=demo.account.currency)
    contacts, touches = [], []
    for spec in demo.contacts:
        person = contact(added=today - timedelta(days=spec.added_days_ago), **spec.contact.model_dump())
        contacts.append(person)
        touches += [touch(person, today - timedelta(days=t.days_ago), t.kind) for t in spec.touches]
    return acct, contacts, touches
