"""Benchmark the leader's view on the benchmark database (benchmarks/sweep.py builds it: 10,000 accounts,
100,000 contacts, 1,000,000 touches) with 12 weekly snapshots.

    .venv/bin/python -m benchmarks.report                       # SQLite file in the temp dir (shared with sweep)
    .venv/bin/python -m benchmarks.report --database-url sqlite:////tmp/small.db --accounts 500
    .venv/bin/python -m benchmarks.report --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        --clone-from 500 --repeat 3                             # 500 built, copied up to 10,000 in SQL

Prints, with the SQL statements each issued and the elapsed and CPU time (on a shared machine the CPU
time of this process is the steadier figure): the snapshot pass of a new week (assess every account in
bulk, store their figures of the day, one INSERT), the same pass once the week is taken (the hourly tick:
nothing changed, nothing assessed), `stakemap report` (build + text rendering, `--repeat` times) from the
stored figures, then with 100 accounts changed since the pass, then with no figure of the day stored (the
worst case: every account assessed live), plus the trend PNG's drawing time and size.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta

from sqlalchemy import delete, func, select, text, update

from app.core.models import Account, AccountFigures, Contact, CoverageSnapshot, Touch
from app.platform.db import Database
from app.render.report import to_text
from app.render.report_chart import draw_trend
from app.services.report import build_report
from app.services.snapshots import take_snapshots
from benchmarks.sweep import (
    TEAM,
    TODAY,
    add_database_arguments,
    build,
    ensure_postgres_database,
    settings,
    sizes,
)
from tests.sql_counter import count_statements

CHANGED = 100  # accounts whose map changes between the hourly pass and a report (3b)


def measure(label: str, database: Database, action):
    with count_statements(database.engine) as statements:
        started, cpu = time.perf_counter(), time.process_time()
        result = action()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    # the CPU time of this process too: on a machine shared with other work the elapsed time says little
    print(f"{label}: {elapsed:.2f} s ({cpu:.2f} s CPU here), {len(statements)} SQL statements", flush=True)
    return result


def clone_to(url: str, accounts: int) -> None:
    """Fill the benchmark workspace up to `accounts` by copying the accounts already built, with their contacts
    and touches, in SQL (ids shifted, names suffixed): the same shapes in minutes instead of hours, for
    machines where building through the services is too slow. On PostgreSQL the id sequences are moved past
    the copies afterwards."""
    database = Database(settings(url))
    with database.session() as session:
        built = session.scalar(select(func.count()).select_from(Account).where(Account.team_id == TEAM))
        tops = {model: session.scalar(select(func.max(model.id))) or 0 for model in (Account, Contact, Touch)}
    copies = -(-accounts // built) - 1
    print(f"cloning {built} built accounts {copies} time(s) in SQL…", flush=True)
    for k in range(1, copies + 1):
        shift = {model: top * k for model, top in tops.items()}
        with database.session() as session:
            session.execute(text(_copy_sql(Account.__table__, {
                "id": f"id + {shift[Account]}", "name": f"name || ' c{k}'", "name_key": f"name_key || ' c{k}'"},
                f"team_id = '{TEAM}' AND id <= {tops[Account]}")))
            session.execute(text(_copy_sql(Contact.__table__, {
                "id": f"id + {shift[Contact]}", "account_id": f"account_id + {shift[Account]}", "reports_to_id": "NULL"},
                f"team_id = '{TEAM}' AND id <= {tops[Contact]}")))
            session.execute(text(_copy_sql(Touch.__table__, {
                "id": f"id + {shift[Touch]}", "account_id": f"account_id + {shift[Account]}",
                "contact_id": f"contact_id + {shift[Contact]}"}, f"team_id = '{TEAM}' AND id <= {tops[Touch]}")))
        print(f"  copy {k} of {copies} done", flush=True)
    with database.session() as session:  # keep exactly `accounts`
        extra = select(Account.id).where(Account.team_id == TEAM).order_by(Account.id.desc()).limit(
            max(0, built * (copies + 1) - accounts))
        session.execute(delete(Account).where(Account.id.in_(extra)))
        if database.engine.dialect.name == "postgresql":
            for model in (Account, Contact, Touch):
                name = model.__table__.name
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                     f"(SELECT max(id) FROM {name}))"))
    if database.engine.dialect.name == "postgresql":  # what autovacuum does to a live database: statistics
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    database.dispose()


def _copy_sql(table, changed: dict[str, str], where: str) -> str:
    columns = [column.name for column in table.columns]
    values = [changed.get(name, name) for name in columns]
    return f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table.name} WHERE {where}"


def run(url: str, weeks: int, repeat: int = 1) -> None:
    database = Database(settings(url))
    database.upgrade()

    class _Sizes:  # benchmarks.sweep.sizes reads runtime.db
        db = database

    print(f"database: {database.engine.dialect.name}; {sizes(_Sizes)}", flush=True)
    with database.session() as session:
        session.execute(delete(CoverageSnapshot).where(CoverageSnapshot.team_id == TEAM))
    for back in range(weeks - 1, 0, -1):  # the 11 earlier weeks
        with database.session() as session:
            take_snapshots(session, TEAM, TODAY - timedelta(weeks=back))

    def snapshot():
        with database.session() as session:
            return take_snapshots(session, TEAM, TODAY)

    taken = measure("1. snapshot pass, new week (assess all + one INSERT)", database, snapshot)
    print(f"   {taken.summary()}", flush=True)
    measure("2. snapshot pass, week already taken (scheduler tick)", database, snapshot)

    def report():
        with database.reading() as session:
            found = build_report(session, TEAM, TODAY)
        return found, to_text(found)

    for _ in range(repeat):  # the machine may be busy: the least of several says most
        found, text = measure("3. `stakemap report` (build + render text)", database, report)
    print(f"   {found.accounts:,} accounts; {text.splitlines()[5]}", flush=True)
    with database.session() as session:  # CSMs at work since the hourly pass: 1% of the maps changed
        changed = select(Account.id).where(Account.team_id == TEAM).order_by(Account.id).limit(CHANGED)
        session.execute(update(Account).where(Account.id.in_(changed)).values(version=Account.version + 1))
    for _ in range(repeat):
        measure(f"3b. the report with {CHANGED} accounts changed since the hourly pass (assessed live)", database,
                report)
    with database.session() as session:  # a new day, before its first hourly pass
        session.execute(delete(AccountFigures).where(AccountFigures.team_id == TEAM))
    for _ in range(repeat):
        found_cold, text_cold = measure("3c. the report with no stored figures of the day (every account assessed)",
                                        database, report)
    print(f"   same text as from the stored figures: {text_cold == text}", flush=True)
    started = time.perf_counter()
    picture = draw_trend(found)
    print(f"4. trend PNG: {time.perf_counter() - started:.2f} s, {len(picture.png):,} bytes", flush=True)
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_arguments(parser)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=1, help="measure the report this many times")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--clone-from", type=int, default=None, metavar="N",
                        help="build only N accounts through the services, then copy them in SQL up to --accounts")
    args = parser.parse_args()
    if args.database_url.startswith("postgres"):
        ensure_postgres_database(args.database_url)
    build(args.database_url, args.clone_from or args.accounts, args.contacts, args.touches, args.csms, args.workers)
    if args.clone_from:
        clone_to(args.database_url, args.accounts)
    run(args.database_url, args.weeks, args.repeat)


if __name__ == "__main__":
    main()
