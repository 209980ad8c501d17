"""Data for the Slack-surface tests and the benchmarks, entered through the product's own services."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from app.core.domain import ContactStatus, Level, Relationship, Sentiment, StakeholderType, TouchKind
from app.core.models import Account, AccountCreate, ContactCreate, TouchCreate
from app.services.accounts import create_account, find_account
from app.services.channel_links import link_channel
from app.services.contacts import add_contact
from app.services.demo import load_demo
from app.services.touches import log_touch

FIRST = ["Ana", "Ben", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Mo", "Nia",
         "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Vic", "Wes", "Xia", "Yusuf", "Zoe"]
LAST = ["Alvarez", "Brown", "Costa", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Khan",
        "Lopez", "Meyer", "Novak", "Okafor", "Park", "Quist", "Rossi", "Singh", "Tanaka"]
TITLES = ["CFO", "CTO", "VP Engineering", "VP Sales", "Director of Operations", "Eng Manager", "Data Analyst",
          "Procurement Lead", "Head of Support", "Platform Lead"]
DEPARTMENTS = ["Engineering", "Finance", "Operations", "Sales", "Support", "Data"]


def seed_demo(runtime, team_id: str, owner: str | None = "U0CSM", channel: str | None = None) -> None:
    """The demo's Acme, Globex and Initech, owned by `owner`; Acme linked to `channel`."""
    with runtime.db.session() as session:
        load_demo(session, team_id, runtime.now())
        for name in ("Acme", "Globex", "Initech"):
            find_account(session, team_id, name).owner_user_id = owner
        if channel:
            link_channel(session, find_account(session, team_id, "Acme"), channel, runtime.now())


def account_id(runtime, team_id: str, name: str) -> int:
    with runtime.db.session() as session:
        return find_account(session, team_id, name).id


def person(n: int) -> str:
    return f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]} {n // (len(FIRST) * len(LAST)) or ''}".strip()


def add_people(session, account: Account, count: int, now, rng: random.Random, touches: int = 1) -> None:
    """`count` varied contacts (types, levels, departments), each touched `touches` times in the last months."""
    kinds = list(StakeholderType)
    for n in range(count):
        data = ContactCreate(
            name=person(n), title=rng.choice(TITLES), type=kinds[n % len(kinds)], department=rng.choice(DEPARTMENTS),
            level=rng.choice(list(Level)), relationship=rng.choice(list(Relationship)),
            sentiment=rng.choice(list(Sentiment)),
            status=ContactStatus.ACTIVE if n % 7 else ContactStatus.NOT_ENGAGED,
        )
        contact = add_contact(session, account, data, None, now - timedelta(days=300))
        for _ in range(touches):
            day = now.date() - timedelta(days=rng.randint(0, 150))
            log_touch(session, account, TouchCreate(contact_id=contact.id, occurred_on=day, kind=TouchKind.CALL),
                      None, now)


def big_account(runtime, team_id: str, contacts: int, name: str = "Megacorp", seed: int = 1) -> int:
    """One account with `contacts` contacts; returns its id."""
    rng = random.Random(seed)
    with runtime.db.session() as session:
        data = AccountCreate(name=name, arr_amount=Decimal("900000"), renewal_date=runtime.today() + timedelta(days=60))
        account = create_account(session, team_id, data, "U0CSM", runtime.now())
        add_people(session, account, contacts, runtime.now(), rng)
        return account.id


def many_accounts(runtime, team_id: str, owner: str, count: int, contacts_each: int = 8, seed: int = 2) -> None:
    """`count` accounts owned by `owner`, with varied renewals, ARR and people."""
    rng = random.Random(seed)
    today: date = runtime.today()
    with runtime.db.session() as session:
        for n in range(count):
            data = AccountCreate(name=f"Account {n:04d}", arr_amount=Decimal(rng.randint(10, 900) * 1000),
                                 renewal_date=today + timedelta(days=rng.randint(5, 400)), owner_user_id=owner)
            account = create_account(session, team_id, data, owner, runtime.now())
            add_people(session, account, contacts_each, runtime.now(), rng)
