"""How fast the App Home and the contact picker answer, measured through the real Bolt app.

    .venv/bin/python -m benchmarks.home                      # SQLite in a temporary directory
    .venv/bin/python -m benchmarks.home --database-url postgresql://postgres@127.0.0.1:5432/test

Builds, through the product's own services, one account with 1,000 contacts (each touched) and one
CSM owning 300 accounts (10 contacts each, each touched), then prints:
- the contact picker's options response time (signed block_suggestion in, options out) at 1,000 contacts;
- the App Home publish time at 300 accounts (app_home_opened in, until the stand-in for Slack has received
  views.publish), and the SQL statements one publish issues.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import make_url

from app.core.clock import Clock
from app.edge.slack_app import build_app
from app.platform.db import Database
from app.platform.runtime import Runtime
from app.services.demo import SEED_TODAY
from benchmarks.data import add_account
from tests.conftest import BOT_TOKEN, TEAM, _postgres_database, make_settings
from tests.seeding import big_account
from tests.slack_driver import SlackDriver
from tests.slack_standin import SlackStandIn
from tests.sql_counter import count_statements

QUERIES = ["", "a", "an", "ana", "cfo", "economic", "vp eng", "zoe t", "lead", "okafor", "xyz"]


@contextmanager
def fresh_database(server_url: str | None) -> Iterator[str]:
    """A new database of its own: a temporary SQLite file, or one created (and dropped) on that server."""
    if server_url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    yield from _postgres_database(server_url, upgrade=False)


def summary(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms ({len(ms)} requests)"


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench_options(slack: SlackDriver, rounds: int) -> list[float]:
    slack.command("log Megacorp")
    view = slack.wait_for_views(1)
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            times.append(timed(lambda q=query: slack.options(view, "contact_id", "contact_picker", q)))
    return times


def bench_home(slack: SlackDriver, standin: SlackStandIn, rounds: int) -> list[float]:
    """Open the Home `rounds` times; each time, until the stand-in for Slack holds the published view."""
    times = []
    for _ in range(rounds):
        published = len(standin.calls_to("views.publish", ok=True))
        start = time.perf_counter()
        slack.open_home()
        standin.wait_for("views.publish", count=published + 1, ok=True, timeout=60)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with fresh_database(args.database_url) as url, SlackStandIn(bot_token=BOT_TOKEN, team_id=TEAM) as standin:
        settings = make_settings(url, standin.api_url)
        runtime = Runtime(settings=settings, db=Database(settings), clock=Clock.fixed(SEED_TODAY))
        runtime.db.upgrade()
        print(f"database: {make_url(url).get_backend_name()}")
        start = time.perf_counter()
        big_account(runtime, TEAM, args.contacts)  # varied names, titles and types, for the search
        with runtime.db.session() as session:
            for n in range(args.accounts):
                add_account(session, f"Account {n:04}", 10, 1, runtime.now(), owner="U0CSM")
        print(f"built 1 account with {args.contacts} contacts and {args.accounts} accounts x 10 contacts "
              f"in {time.perf_counter() - start:.1f} s")
        app = build_app(runtime)
        slack = SlackDriver(app, standin, team_id=TEAM)
        print(f"options at {args.contacts} contacts: {summary(bench_options(slack, args.rounds))}")
        print(f"Home publish at {args.accounts} accounts: {summary(bench_home(slack, standin, args.rounds))}")
        with count_statements(runtime.db.engine) as statements:
            bench_home(slack, standin, 1)
        print(f"SQL statements per Home publish: {len(statements)}")
        app.listener_runner.listener_executor.shutdown(wait=True)
        runtime.close()


if __name__ == "__main__":
    main()
