"""How long the HubSpot pull takes: a first sync of 10,000 companies and 100,000 contacts (each with one
or two association labels) from the HubSpot stand-in, then an incremental sync after 100 changes.

    .venv/bin/python benchmarks/crm.py                      # SQLite (a temporary file)
    .venv/bin/python benchmarks/crm.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/crm.py --companies 1000 --contacts 10000   # a quicker look

Prints wall-clock and CPU time and the HTTP requests each sync made. The stand-in runs in this process
(a thread on 127.0.0.1), so its own work is in the figures too; it is a measurement, not a test. The
PostgreSQL run creates and drops its own database.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.models import Contact, ContactRole  # noqa: E402
from app.core.settings import Settings  # noqa: E402
from app.jobs.crm_sync import sync_session  # noqa: E402
from app.platform.db import Database  # noqa: E402
from app.platform.hubspot import HubSpotClient  # noqa: E402
from app.services.crm.hubspot import HubSpotFields, sync_hubspot  # noqa: E402
from benchmarks.data import scratch_database  # noqa: E402
from tests.hubspot_standin import TOKEN, HubSpotStandIn  # noqa: E402

TEAM = "TBENCH"
LABELS = ["Champion", "Economic buyer", "Decision maker", "Executive sponsor", "Technical lead", "End user",
          "Influencer", "Gatekeeper", "Blocker"]


def fill(hubspot: HubSpotStandIn, companies: int, contacts: int, rng: random.Random) -> list[str]:
    hubspot.record_requests = False
    company_ids = [hubspot.add_company(f"Company {n:05d}", arr="120000", currency="EUR",
                                       renewal="2026-09-30") for n in range(companies)]
    contact_ids = []
    for n in range(contacts):
        labels = tuple(rng.sample(LABELS, rng.choice((1, 1, 2))))
        contact_ids.append(hubspot.add_contact(f"Person{n:06d}", "Doe", company=company_ids[n % companies],
                                               labels=labels, jobtitle=rng.choice(["CFO", "VP Eng", "Analyst"]),
                                               email=f"p{n}@example.com"))
    return contact_ids


def timed_sync(db: Database, hubspot: HubSpotStandIn) -> tuple[float, float, int, str]:
    client = HubSpotClient(hubspot.url, TOKEN)
    wall, cpu = time.perf_counter(), time.process_time()
    report = sync_hubspot(lambda: sync_session(db), client, TEAM, HubSpotFields(arr="arr", currency="currency", renewal="renewal"),
                          lambda: datetime.now(UTC))
    client.close()
    return time.perf_counter() - wall, time.process_time() - cpu, client.requests, "; ".join(report.lines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    rng = random.Random(1)
    with HubSpotStandIn() as hubspot, scratch_database(args.postgres) as url:
        started = time.perf_counter()
        contact_ids = fill(hubspot, args.companies, args.contacts, rng)
        print(f"stand-in filled: {args.companies} companies, {args.contacts} contacts "
              f"({time.perf_counter() - started:.1f} s)")
        db = Database(Settings(_env_file=None, database_url=url))
        db.upgrade()
        wall, cpu, requests, lines = timed_sync(db, hubspot)
        print(f"first sync:       {wall:7.1f} s wall, {cpu:7.1f} s CPU, {requests} HTTP requests — {lines}")
        for contact_id in rng.sample(contact_ids, args.changes):  # a title edited, or a label changed
            if rng.random() < 0.5:
                hubspot.touch("contacts", contact_id, jobtitle=f"Director {rng.randrange(1000)}")
            else:
                company = next(iter(hubspot.associations[contact_id]))
                hubspot.label(contact_id, company, rng.choice(LABELS))
        wall, cpu, requests, lines = timed_sync(db, hubspot)
        print(f"incremental sync: {wall:7.1f} s wall, {cpu:7.1f} s CPU, {requests} HTTP requests — {lines}")
        with db.reading() as session:
            print(f"database: {session.scalar(select(func.count()).select_from(Contact))} contacts, "
                  f"{session.scalar(select(func.count()).select_from(ContactRole))} extra roles")
        db.dispose()


if __name__ == "__main__":
    main()
