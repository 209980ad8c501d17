"""How long `stakemap import` takes: 100,000 contact rows (and their accounts and touches), a
re-import of the same file (nothing changes), and a 10,000-row file with 3 bad rows (rejected).

    .venv/bin/python benchmarks/import.py                      # SQLite (a temporary file)
    .venv/bin/python benchmarks/import.py --postgres postgresql://postgres@127.0.0.1:5432/test

Prints the times (wall clock, and this process's CPU time: the machine may be busy with other
work; the database server's own CPU is not in it); it is a measurement, not a test. The PostgreSQL run creates and drops its own database.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app.core.models import Contact, Touch
from app.core.settings import Settings
from app.platform.db import Database
from app.services.transfer.importer import ImportRejected, import_table
from app.services.transfer.reading import read_table
from benchmarks.data import scratch_database

TEAM = "TBENCH"
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
TYPES = ["Champion", "Economic Buyer", "Decision Maker", "Executive Sponsor", "Technical Lead", "End User Champion",
         "Influencer", "Gatekeeper", "Detractor"]
LEVELS = ["C-level", "VP", "Director", "Manager", "Individual contributor"]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def files(contacts: int, per_account: int = 10, seed: int = 1) -> tuple[bytes, bytes, bytes]:
    rng = random.Random(seed)
    accounts = contacts // per_account
    account_rows = [[f"Account {a:05d}", str(rng.randrange(10_000, 2_000_000)), "EUR",
                     (date(2026, 4, 1) + timedelta(days=rng.randrange(365))).isoformat(), f"U{a % 40:04d}"]
                    for a in range(accounts)]
    contact_rows, touch_rows = [], []
    for index in range(contacts):
        account = f"Account {index // per_account:05d}"
        boss = f"Person {index - index % per_account:06d}" if index % per_account else ""
        contact_rows.append([account, f"Person {index:06d}", rng.choice(["CFO", "VP Eng", "Analyst"]), rng.choice(TYPES),
                             rng.choice(["Finance", "Engineering", "Ops"]), rng.choice(LEVELS),
                             rng.choice(["High", "Medium", "Low"]), rng.choice(["High", "Medium", "Low"]),
                             rng.choice(["Strong", "Adequate", "Weak", "None"]), "Neutral", "Active", boss,
                             f"person{index}@example.com", "", "imported"])
        touch_rows.append([account, f"Person {index:06d}", (date(2026, 1, 1) + timedelta(days=rng.randrange(60))).isoformat(),
                           rng.choice(["call", "email", "QBR"]), "", ""])
    return (csv_bytes(["Account Name", "ARR", "Currency", "Renewal Date", "Owner"], account_rows),
            csv_bytes(["account", "name", "title", "type", "department", "level", "influence", "interest",
                       "relationship", "sentiment", "status", "reports_to", "email", "objectives", "notes"], contact_rows),
            csv_bytes(["account", "contact", "date", "kind", "sentiment_after", "notes"], touch_rows))


def bad_file(rows: int = 10_000) -> bytes:
    data = files(rows, seed=2)[1].decode().splitlines()
    for line in (101, 5_002, 9_999):  # 1-based file lines: a bad type, a bad e-mail, an unknown level
        cells = next(csv.reader([data[line - 1]]))
        if line == 101:
            cells[3] = "Chief Vibes Officer"
        elif line == 5_002:
            cells[12] = "not-an-email"
        else:
            cells[5] = "Galactic"
        data[line - 1] = ",".join(cells)
    return "\n".join(data).encode()


def timed(db: Database, label: str, data: bytes) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    try:
        with db.session() as session:
            result = import_table(session, TEAM, read_table(data), NOW)
        outcome = result.summary()
    except ImportRejected as error:
        outcome = f"{error} Lines named: {sorted({p.line for p in error.problems})}"
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label:<40} {wall:6.2f} s wall {used:6.2f} s CPU  {outcome}")


def run(label: str, postgres: str | None, contacts: int) -> None:
    accounts_csv, contacts_csv, touches_csv = files(contacts)
    with scratch_database(postgres) as url:
        db = Database(Settings(_env_file=None, database_url=url))
        db.upgrade()
        print(f"{label}: {len(contacts_csv) / 1e6:.1f} MB contacts file")
        timed(db, f"{contacts // 10:,} accounts", accounts_csv)
        timed(db, f"{contacts:,} contacts (new)", contacts_csv)
        timed(db, f"{contacts:,} contacts again (unchanged)", contacts_csv)
        timed(db, f"{contacts:,} touches (new)", touches_csv)
        timed(db, "10,000 contacts with 3 bad rows", bad_file())
        with db.session() as session:
            counts = (session.scalar(select(func.count()).select_from(Contact)),
                      session.scalar(select(func.count()).select_from(Touch)))
        print(f"  stored: {counts[0]:,} contacts, {counts[1]:,} touches")
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL (also runs SQLite first)")
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    run("SQLite", None, args.contacts)
    if args.postgres:
        run("PostgreSQL", args.postgres, args.contacts)


if __name__ == "__main__":
    main()
