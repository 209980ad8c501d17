"""What the CRM benchmarks print (benchmarks/crm.py, benchmarks/crm_salesforce.py): one line per timed sync,
and what the database holds after."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select

from app.core.crm import SyncReport
from app.core.models import Contact, ContactRole
from app.platform.db import Database


def timed(label: str, sync: Callable[[], tuple[SyncReport, int]]) -> None:
    """Run one sync (its report and HTTP requests) and print its wall-clock and CPU time (the stand-in's thread
    included: it runs in this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    report, requests = sync()
    print(f"{label:<17} {time.perf_counter() - wall:7.1f} s wall, {time.process_time() - cpu:7.1f} s CPU, "
          f"{requests} HTTP requests — {'; '.join(report.lines())}")


def print_totals(db: Database, *also: str) -> None:
    """The contacts, their extra roles and how many have a manager; then `also` (a benchmark's own counts)."""
    managed = select(func.count()).select_from(Contact).where(Contact.reports_to_id.is_not(None))
    with db.reading() as session:
        print(f"database: {session.scalar(select(func.count()).select_from(Contact))} contacts, "
              f"{session.scalar(select(func.count()).select_from(ContactRole))} extra roles, "
              f"{session.scalar(managed)} with a manager" + "".join(f", {count}" for count in also))
