"""Benchmark the weekly nudge sweep: 10,000 accounts, 100,000 contacts, 1,000,000 touches.

    .venv/bin/python -m benchmarks.sweep                                   # SQLite file in the temp dir
    .venv/bin/python -m benchmarks.sweep --database-url postgresql://postgres@127.0.0.1:5432/stakemap_bench

The data is entered through the product's own services (create_account, add_contact, log_touch), in
parallel worker processes, one transaction per account; it is kept and reused by later runs (building
it takes tens of minutes: log_touch is a full unit of work per touch). Then it prints, with the number
of SQL statements each issued:

0. the floor: a hand-written single query that finds every CSM's stale contacts with one window for
   every type and keeps each CSM's 20 longest silent (ROW_NUMBER over their last touch) with a count;
1. the pass that finds and ranks every CSM's stale relationships (app.services.nudges.stale_by_owner): the
   assessment's rules and the digest's ranking in the database, the first 20 of each CSM loaded, with counts;
2. a whole `stakemap nudges --now` pass: every CSM's digest rendered and sent to a local Slack stand-in,
   each claimed and recorded in the ledger;
3. the same pass once time zones and DM channels are cached (every week after the first);
4. a scheduler tick when nobody is due (what `serve` runs every few minutes).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, delete, func, make_url, select, text
from sqlalchemy.exc import OperationalError

from app.core.clock import Clock
from app.core.domain import ContactStatus, Level, Relationship, StakeholderType, TouchKind
from app.core.models import (
    Account,
    AccountCreate,
    Contact,
    ContactCreate,
    NudgeDelivery,
    SlackUser,
    Touch,
    TouchCreate,
)
from app.core.settings import Settings
from app.jobs.sweep import run_sweep
from app.platform.db import Database
from app.platform.runtime import Runtime
from app.platform.slack_client import web_client
from app.services.accounts import create_account, find_account
from app.services.contacts import add_contact
from app.services.nudges import day_of, stale_by_owner
from app.services.touches import log_touch
from app.services.workspaces import ensure_workspace
from blocks.digest import MAX_ITEMS
from tests.slack_standin import SlackStandIn
from tests.sql_counter import count_statements

TEAM = "TBENCH"
TODAY = date(2026, 3, 9)  # a Monday; the data is dated relative to it, so results never drift
BUILT_AT = datetime(2026, 3, 9, 6, tzinfo=UTC)
TYPES = list(StakeholderType)
KINDS = list(TouchKind)

_database: Database | None = None


def settings(url: str, api_url: str = "https://slack.com/api/") -> Settings:
    return Settings(_env_file=None, database_url=url, slack_bot_token="xoxb-bench", slack_api_url=api_url)


# --- building the data through the services ---------------------------------------------------------


def _init_worker(url: str) -> None:
    global _database
    _database = Database(settings(url))


def _spread(n: int, modulo: int) -> int:
    """A deterministic, well-mixed number in [0, modulo) for item n."""
    return (n * 2654435761) % 4294967296 % modulo


def build_account(index: int, contacts: int, touches: int, csms: int) -> int:
    """Account `index` with its contacts and their touches, in one transaction; 0 when it was there."""
    name = f"Account {index:05d}"
    with _database.session() as session:
        if find_account(session, TEAM, name) is not None:
            return 0
        data = AccountCreate(name=name, owner_user_id=f"UCSM{index % csms:04d}", currency="EUR",
                             arr_amount=Decimal(10_000 + _spread(index, 490) * 1_000),
                             renewal_date=TODAY + timedelta(days=1 + _spread(index, 365)))
        account = create_account(session, TEAM, data, None, BUILT_AT - timedelta(days=800))
        for c in range(contacts):
            n = index * contacts + c
            status = ContactStatus.NOT_ENGAGED if _spread(n, 10) == 0 else ContactStatus.ACTIVE
            person = ContactCreate(name=f"Person {n}", title=f"Title {c}", type=TYPES[_spread(n, len(TYPES))],
                                   department=f"Dept {_spread(n, 6)}", level=list(Level)[_spread(n, 5)],
                                   relationship=list(Relationship)[_spread(n, 4)])
            contact = add_contact(session, account, person, None, BUILT_AT - timedelta(days=600 - _spread(n, 400)))
            latest = _spread(n, 160)  # days since the last touch: a good share goes stale
            for t in range(touches):
                touch = TouchCreate(contact_id=contact.id, occurred_on=TODAY - timedelta(days=latest + 35 * t),
                                    kind=KINDS[_spread(n + t, len(KINDS))])
                log_touch(session, account, touch, None, BUILT_AT)
            contact.status = status  # a touch makes a contact Active: set its status last
    return 1


def _build_chunk(args: tuple[list[int], int, int, int]) -> int:
    indices, contacts, touches, csms = args
    built = 0
    for index in indices:
        for attempt in range(5):
            try:
                built += build_account(index, contacts, touches, csms)
                break
            except OperationalError:  # SQLite: the other worker held the write lock too long; the account rolled back
                if attempt == 4:
                    raise
    return built


def build(url: str, accounts: int, contacts: int, touches: int, csms: int, workers: int) -> None:
    database = Database(settings(url))
    database.upgrade()
    with database.session() as session:
        ensure_workspace(session, TEAM, BUILT_AT)
        existing = session.scalar(select(func.count()).select_from(Account).where(Account.team_id == TEAM))
    database.dispose()
    if existing >= accounts:
        return
    print(f"building {accounts - existing} accounts through the services with {workers} worker(s)…", flush=True)
    started = time.perf_counter()
    chunks = [(list(range(start, min(start + 50, accounts))), contacts, touches, csms)
              for start in range(0, accounts, 50)]
    done = 0
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(url,)) as pool:
        for made in pool.map(_build_chunk, chunks):
            if made and (done + made) // 500 > done // 500:
                rate = (done + made) / (time.perf_counter() - started)
                print(f"  {done + made} accounts built, {rate:.1f}/s", flush=True)
            done += made
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


def ensure_postgres_database(url: str) -> None:
    parsed = make_url(settings(url).sqlalchemy_url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
        if exists.scalar() is None:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


# --- measuring ------------------------------------------------------------------------------------------


def sizes(runtime: Runtime) -> str:
    with runtime.db.session() as session:
        counts = [session.scalar(select(func.count()).select_from(model).where(model.team_id == TEAM))
                  for model in (Account, Contact, Touch)]
    return f"{counts[0]:,} accounts, {counts[1]:,} contacts, {counts[2]:,} touches"


def measure(label: str, runtime: Runtime, action):
    with count_statements(runtime.db.engine) as statements:
        started = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s, {len(statements)} SQL statements", flush=True)
    return result, len(statements)


def forget_deliveries(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        session.execute(delete(NudgeDelivery).where(NudgeDelivery.team_id == TEAM))
        session.execute(delete(SlackUser).where(SlackUser.team_id == TEAM))


def floor_query(today: date, shown: int):
    """The least a ranked weekly pass must do: every contact's latest touch, one cut-off, one order."""
    last_on = (select(func.max(Touch.occurred_on)).where(Touch.contact_id == Contact.id)
               .correlate(Contact).scalar_subquery())
    watched = (select(Contact.id, Account.owner_user_id, func.coalesce(last_on, day_of(Contact.created_at)).label("seen"))
               .join(Account, Account.id == Contact.account_id)
               .where(Account.team_id == TEAM, Contact.team_id == TEAM, Contact.status == ContactStatus.ACTIVE)
               .subquery())
    ranked = select(
        watched.c.id, watched.c.owner_user_id,
        func.row_number().over(partition_by=watched.c.owner_user_id, order_by=watched.c.seen).label("place"),
        func.count().over(partition_by=watched.c.owner_user_id).label("total"),
    ).where(watched.c.seen < today - timedelta(days=30)).subquery()
    return select(ranked).where(ranked.c.place <= shown)


def run(url: str, csms: int, ranking_only: bool = False, repeat: int = 1) -> None:
    with SlackStandIn(bot_token="xoxb-bench", team_id=TEAM) as standin:
        for n in range(csms):
            standin.add_user(f"UCSM{n:04d}", tz=("America/New_York", "Europe/Berlin", "Asia/Tokyo")[n % 3])
        runtime = Runtime(settings(url, standin.api_url), Database(settings(url, standin.api_url)),
                          Clock.fixed(datetime(2026, 3, 9, 12, tzinfo=UTC)))
        print(f"database: {runtime.db.engine.dialect.name}; {sizes(runtime)}; {csms} CSMs", flush=True)
        owners = {f"UCSM{n:04d}": TODAY for n in range(csms)}

        def floor():
            with runtime.db.session() as session:
                return session.execute(floor_query(TODAY, MAX_ITEMS)).all()

        def find_stale():
            with runtime.db.session() as session:
                return stale_by_owner(session, TEAM, owners, MAX_ITEMS)

        for _ in range(repeat):  # alternately, so that a busy machine weighs on both alike
            rows, _ = measure("0. floor: one hand-written query, one cut-off, top 20 per CSM", runtime, floor)
            found, _ = measure("1. stale relationships of every CSM, ranked (stale_by_owner), top 20 each", runtime,
                               find_stale)
        print(f"   floor: {len(rows):,} rows", flush=True)
        print(f"   {sum(f.total for f in found.values()):,} stale relationships for {len(found)} CSMs, "
              f"{sum(len(f.items) for f in found.values()):,} loaded", flush=True)
        if ranking_only:
            runtime.db.dispose()
            return
        forget_deliveries(runtime)
        client = web_client(runtime.settings)
        report, count = measure("2. full pass `nudges --now` (render, claim, send, record)", runtime,
                                lambda: run_sweep(runtime, client, TEAM, send_now=True))
        print(f"   {report.summary()} ({count / max(len(report.sent), 1):.1f} statements per digest incl. the "
              f"first-time users.info/DM caching)", flush=True)
        with runtime.db.session() as session:  # next week's pass: time zones and DM channels are cached
            session.execute(delete(NudgeDelivery).where(NudgeDelivery.team_id == TEAM))
        report, count = measure("3. the same pass with time zones and DM channels cached (every later week)",
                                runtime, lambda: run_sweep(runtime, client, TEAM, send_now=True))
        print(f"   {report.summary()} ({count / max(len(report.sent), 1):.1f} statements per digest)", flush=True)
        runtime.clock.set(datetime(2026, 3, 12, 12, tzinfo=UTC))
        measure("4. a scheduler tick with nobody due", runtime, lambda: run_sweep(runtime, client, TEAM))
        runtime.db.dispose()


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark database and its size (shared by benchmarks/report.py, which measures the same data)."""
    default = f"sqlite:///{Path(tempfile.gettempdir()) / 'stakemap-bench-sweep.db'}"
    parser.add_argument("--database-url", default=default)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=10, help="contacts per account")
    parser.add_argument("--touches", type=int, default=10, help="touches per contact")
    parser.add_argument("--csms", type=int, default=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_arguments(parser)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--ranking-only", action="store_true", help="measure the floor and the ranking (0, 1) only")
    parser.add_argument("--repeat", type=int, default=1, help="measure 0 and 1 this many times, alternately")
    args = parser.parse_args()
    if args.database_url.startswith("postgres"):
        ensure_postgres_database(args.database_url)
    build(args.database_url, args.accounts, args.contacts, args.touches, args.csms, args.workers)
    run(args.database_url, args.csms, args.ranking_only, args.repeat)


if __name__ == "__main__":
    main()
