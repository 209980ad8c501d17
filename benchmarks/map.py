"""Time `/stakemap <account>` on a 500-contact account: ack latency and time until the map is posted.

Drives the real Bolt app with signed requests; Slack's Web API and response_url are the local stand-in.
    .venv/bin/python -m benchmarks.map [--contacts 500] [--runs 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta

from app.core.clock import Clock
from app.core.domain import Level, Relationship, StakeholderType
from app.core.models import AccountCreate, ContactCreate, TouchCreate
from app.core.settings import Settings
from app.edge.slack_app import build_app
from app.platform.db import Database
from app.platform.runtime import Runtime
from app.services.accounts import create_account, find_account
from app.services.contacts import add_contact
from app.services.touches import log_touch
from tests.slack_driver import SIGNING_SECRET, SlackDriver
from tests.slack_standin import SlackStandIn

TYPES = list(StakeholderType)


def build_account(runtime: Runtime, contacts: int, touches_each: int) -> None:
    now = runtime.now()
    with runtime.db.session() as session:
        if find_account(session, "T0001", "Bigco") is not None:
            return  # built by an earlier run on this database
        account = create_account(session, "T0001", AccountCreate(name="Bigco", renewal_date=now.date() + timedelta(days=60)),
                                 "U0CSM", now)
        for n in range(contacts):
            contact = add_contact(session, account, ContactCreate(
                name=f"Person {n}", title=f"Title {n}", type=TYPES[n % len(TYPES)], department=f"Dept {n % 9}",
                level=list(Level)[n % 5], relationship=list(Relationship)[n % 4], notes="Some notes " * 5), "U0CSM",
                now - timedelta(days=400))
            for k in range(touches_each):
                log_touch(session, account, TouchCreate(contact_id=contact.id, occurred_on=now.date() - timedelta(days=(n + 7 * k) % 120),
                                                        kind="call"), "U0CSM", now)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--touches-each", type=int, default=4)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    with SlackStandIn(tokens={"xoxb-bench": {"team_id": "T0001", "user_id": "UBOT", "bot_id": "BBOT"}}) as standin:
        settings = Settings(_env_file=None, database_url=url, slack_bot_token="xoxb-bench",
                            slack_signing_secret=SIGNING_SECRET, slack_api_url=standin.api_url)
        runtime = Runtime(settings, Database(settings), Clock())
        runtime.db.upgrade()
        build_account(runtime, args.contacts, args.touches_each)
        slack = SlackDriver(build_app(runtime), standin)
        acks, posted = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = slack.command("Bigco")
            acks.append(time.perf_counter() - started)
            assert response.status == 200
            slack.reply()
            posted.append(time.perf_counter() - started)
        print(f"/stakemap Bigco: {args.contacts} contacts x {args.touches_each} touches, {args.runs} runs, "
              f"{url.split(':')[0]}")
        print(f"  ack            p50 {percentile(acks, 50) * 1000:7.1f} ms   p99 {percentile(acks, 99) * 1000:7.1f} ms")
        print(f"  map posted     p50 {percentile(posted, 50) * 1000:7.1f} ms   p99 {percentile(posted, 99) * 1000:7.1f} ms")
        print(f"  blocks in the message: {len(slack.replies(1)[0]['blocks'])}")


if __name__ == "__main__":
    main()
