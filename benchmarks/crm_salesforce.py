"""How long the Salesforce pull takes: a first sync of 10,000 Accounts and 100,000 Contacts (each with one or
two roles on its AccountContactRelation, and two opportunity contact roles per Account) from the Salesforce
stand-in, then an incremental sync after 100 changes (half a Contact's Title, half a relation's Roles).

    .venv/bin/python benchmarks/crm_salesforce.py                      # SQLite (a temporary file)
    .venv/bin/python benchmarks/crm_salesforce.py --postgres postgresql://postgres@127.0.0.1:5432/mydb
    .venv/bin/python benchmarks/crm_salesforce.py --accounts 1000 --contacts 10000   # a quicker look

Prints wall-clock and CPU time and the HTTP requests each sync made. The stand-in runs in this process (a
thread on 127.0.0.1, its SOQL evaluated in Python), so its own work is in the figures too; it is a measurement,
not a test. The PostgreSQL run creates and drops its own database.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.crm import SyncReport  # noqa: E402
from app.core.settings import Settings  # noqa: E402
from app.jobs.crm_sync import sync_session  # noqa: E402
from app.platform.db import Database  # noqa: E402
from app.platform.salesforce import SalesforceClient  # noqa: E402
from app.services.crm.salesforce import SalesforceFields, sync_salesforce  # noqa: E402
from benchmarks.crm_timing import print_totals, timed  # noqa: E402
from benchmarks.data import scratch_database  # noqa: E402
from tests.salesforce_standin import ACCESS_TOKEN, ROLES, SalesforceStandIn  # noqa: E402

TEAM = "TBENCH"


def fill(salesforce: SalesforceStandIn, accounts: int, contacts: int, rng: random.Random) -> list[tuple[str, str]]:
    """The org's records; returns (contact, account) pairs."""
    salesforce.record_requests = False
    account_ids = [salesforce.add_account(f"Account {n:05d}", ARR__c=120000.0, CurrencyIsoCode="EUR",
                                          Renewal_Date__c="2026-09-30") for n in range(accounts)]
    pairs = []
    for n in range(contacts):
        account = account_ids[n % accounts]
        contact = salesforce.add_contact(f"Person{n:06d}", "Doe", account=account,
                                         roles=tuple(rng.sample(ROLES, rng.choice((1, 1, 2)))),
                                         Title=rng.choice(["CFO", "VP Eng", "Analyst"]), Email=f"p{n}@example.com")
        pairs.append((contact, account))
    for index, account in enumerate(account_ids):  # its first two contacts on its renewal opportunity
        opportunity = salesforce.add_opportunity(account)
        for contact, _ in pairs[index:index + 2 * accounts:accounts]:
            salesforce.add_opportunity_role(opportunity, contact, rng.choice(ROLES))
    return pairs


def sync(db: Database, salesforce: SalesforceStandIn) -> tuple[SyncReport, int]:
    client = SalesforceClient(salesforce.url, ACCESS_TOKEN)
    fields = SalesforceFields(arr="ARR__c", currency="CurrencyIsoCode", renewal="Renewal_Date__c")
    try:
        return sync_salesforce(lambda: sync_session(db), client, TEAM, fields, lambda: datetime.now(UTC)), \
            client.requests
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    rng = random.Random(1)
    with SalesforceStandIn() as salesforce, scratch_database(args.postgres) as url:
        started = time.perf_counter()
        pairs = fill(salesforce, args.accounts, args.contacts, rng)
        print(f"stand-in filled: {args.accounts} Accounts, {args.contacts} Contacts "
              f"({time.perf_counter() - started:.1f} s)")
        db = Database(Settings(_env_file=None, database_url=url))
        db.upgrade()
        timed("first sync:", lambda: sync(db, salesforce))
        for contact, account in rng.sample(pairs, args.changes):  # a title edited, or a relation's roles changed
            if rng.random() < 0.5:
                salesforce.touch("Contact", contact, Title=f"Director {rng.randrange(1000)}")
            else:
                salesforce.set_roles(contact, account, rng.choice(ROLES))
        timed("incremental sync:", lambda: sync(db, salesforce))
        print_totals(db)
        db.dispose()


if __name__ == "__main__":
    main()
