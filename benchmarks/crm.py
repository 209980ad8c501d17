"""How long the HubSpot pull takes: a first sync of 10,000 companies and 100,000 contacts (each with one
or two association labels, nine in ten naming their manager in HUBSPOT_REPORTS_TO_FIELD) from the HubSpot
stand-in, then an incremental sync after 100 changes in HubSpot, half of them to contacts a CSM edited in
stakemap just before (conflicts: those records' property history is read, and the CSM's titles stay).

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
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.crm import SyncReport  # noqa: E402
from app.core.models import Account, Contact, CrmLink  # noqa: E402
from app.core.settings import Settings  # noqa: E402
from app.jobs.crm_sync import sync_session  # noqa: E402
from app.platform.db import Database  # noqa: E402
from app.platform.hubspot import HubSpotClient  # noqa: E402
from app.services.contacts import update_contact  # noqa: E402
from app.services.crm.hubspot import HubSpotFields, sync_hubspot  # noqa: E402
from benchmarks.crm_timing import print_totals, timed  # noqa: E402
from benchmarks.data import scratch_database  # noqa: E402
from tests.hubspot_standin import TOKEN, HubSpotStandIn  # noqa: E402

TEAM = "TBENCH"
LABELS = ["Champion", "Economic buyer", "Decision maker", "Executive sponsor", "Technical lead", "End user",
          "Influencer", "Gatekeeper", "Blocker"]


def fill(hubspot: HubSpotStandIn, companies: int, contacts: int, rng: random.Random) -> list[str]:
    hubspot.record_requests = False
    company_ids = [hubspot.add_company(f"Company {n:05d}", arr="120000", currency="EUR",
                                       renewal="2026-09-30") for n in range(companies)]
    contact_ids: list[str] = []
    for n in range(contacts):
        labels = tuple(rng.sample(LABELS, rng.choice((1, 1, 2))))
        manager = {"manager": contact_ids[n - companies]} if n >= companies else {}  # the company's previous person
        contact_ids.append(hubspot.add_contact(f"Person{n:06d}", "Doe", company=company_ids[n % companies],
                                               labels=labels, jobtitle=rng.choice(["CFO", "VP Eng", "Analyst"]),
                                               email=f"p{n}@example.com", **manager))
    return contact_ids


class Clock:
    """The wall clock, moved ahead to follow the stand-in's (1 ms a change: 110,000 changes run ahead of the wall
    clock), so that stakemap's edits and HubSpot's changes after them are in the order they are made."""

    def __init__(self) -> None:
        self.ahead = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead

    def catch_up(self, moment: datetime) -> None:
        self.ahead = max(self.ahead, moment - datetime.now(UTC) + timedelta(seconds=1))


def edit_in_stakemap(db: Database, contact_ids: list[str], now: datetime) -> None:
    """A CSM changes these contacts' titles in stakemap (through the service the contact modal uses)."""
    with db.session() as session:
        linked = session.scalars(select(CrmLink.contact_id).where(
            CrmLink.team_id == TEAM, CrmLink.object == "contact", CrmLink.external_id.in_(contact_ids))).all()
        for contact in session.scalars(select(Contact).where(Contact.id.in_(linked))):
            update_contact(session, session.get(Account, contact.account_id), contact, {"title": "Edited in Slack"},
                           "UBENCH", now)


def sync(db: Database, hubspot: HubSpotStandIn, clock: Clock) -> tuple[SyncReport, int]:
    client = HubSpotClient(hubspot.url, TOKEN)
    fields = HubSpotFields(arr="arr", currency="currency", renewal="renewal", reports_to="manager")
    try:
        return sync_hubspot(lambda: sync_session(db), client, TEAM, fields, clock.now), client.requests
    finally:
        client.close()


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
        clock = Clock()
        hubspot.follow(clock.now)
        timed("first sync:", lambda: sync(db, hubspot, clock))
        changed = rng.sample(contact_ids, args.changes)
        clock.catch_up(hubspot.clock)
        edit_in_stakemap(db, changed[: args.changes // 2], clock.now())  # a CSM, then HubSpot: newer one wins
        for contact_id in changed:  # a title edited, or a label changed
            if rng.random() < 0.5:
                hubspot.touch("contacts", contact_id, jobtitle=f"Director {rng.randrange(1000)}")
            else:
                company = next(iter(hubspot.associations[contact_id]))
                hubspot.label(contact_id, company, rng.choice(LABELS))
        timed("incremental sync:", lambda: sync(db, hubspot, clock))
        with db.reading() as session:
            kept = session.scalar(select(func.count()).select_from(Contact).where(Contact.title == "Edited in Slack"))
        print_totals(db, f"{kept} titles kept from stakemap")

if __name__ == "__main__":
    main()
