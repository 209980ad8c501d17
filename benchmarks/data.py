"""Benchmark databases, filled through the product's own services (same validation, same writes)."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, make_url, select, text

from app.core.domain import Level, Relationship, StakeholderType
from app.core.models import Account, AccountCreate, ContactCreate, TouchCreate
from app.core.settings import Settings
from app.platform.db import Database
from app.services.accounts import create_account, find_account
from app.services.contacts import add_contact
from app.services.touches import log_touch

TYPES = list(StakeholderType)
TEAM = "T0001"


def add_account(session, name: str, contacts: int, touches_each: int, now: datetime, owner: str = "U0CSM",
                team: str = TEAM) -> None:
    account = create_account(session, team, AccountCreate(name=name, arr_amount=10_000 + len(name) * 1000,
                                                          renewal_date=now.date() + timedelta(days=30 + len(name) % 300)),
                             owner, now)
    for n in range(contacts):
        contact = add_contact(session, account, ContactCreate(
            name=f"Person {n}", title=f"Title {n}", type=TYPES[n % len(TYPES)], department=f"Dept {n % 9}",
            level=list(Level)[n % 5], relationship=list(Relationship)[n % 4], notes="Some notes " * 5), owner,
            now - timedelta(days=400))
        for k in range(touches_each):
            day = now.date() - timedelta(days=(n + 7 * k) % 120)
            log_touch(session, account, TouchCreate(contact_id=contact.id, occurred_on=day, kind="call"), owner, now)


def ensure_big_database(db: Database, now: datetime, accounts: int, big_contacts: int, team: str = TEAM,
                        log=print) -> None:
    """At least `accounts` accounts in `team` (small ones added: 3 contacts, 1 touch each) plus 'Bigco'
    with `big_contacts` contacts; what an earlier run (or benchmarks/sweep.py) built is kept."""
    with db.session() as session:
        existing = session.scalar(select(func.count()).select_from(Account).where(Account.team_id == team))
        has_bigco = find_account(session, team, "Bigco") is not None
    for start in range(existing - has_bigco, accounts, 250):
        with db.session() as session:
            for n in range(start, min(start + 250, accounts)):
                add_account(session, f"Account {n:05}", 3, 1, now, team=team)
        log(f"  built {min(start + 250, accounts)} of {accounts} accounts")
    if not has_bigco:
        with db.session() as session:
            add_account(session, "Bigco", big_contacts, 4, now, team=team)


@contextmanager
def scratch_database(postgres: str | None) -> Iterator[str]:
    """A database of its own for one benchmark run: a SQLite file in a temporary folder, or a new database on the
    PostgreSQL server `postgres` names (dropped afterwards)."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    admin_url = Settings(_env_file=None, database_url=postgres).sqlalchemy_url
    name = f"stakemap_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
