"""Slack Connect capture under load: 5,000 signed `message` events from 200 customer people in 20 linked
channels, posted by 16 concurrent clients to one real `stakemap serve` (HTTP), then counted.

    .venv/bin/python -m benchmarks.capture [--events 5000] [--people 200] [--channels 20] [--clients 16]
                                           [--database-url URL]

Prints events per second (acknowledged, and counted end to end), ack p50/p99, the captured touches
against the expected one per person per day, and the SQL statements a message event costs once its
channel and author are cached, in a burst and alone (measured in this process through the same Bolt app,
the event receipt included). The people are on their accounts' maps already matched to their Slack user ids, as after the
first message of each; the database is built fresh on every run (SQLite: /tmp/stakemap-bench/capture.db).
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from app.core.clock import Clock
from app.core.domain import StakeholderType
from app.core.models import AccountCreate, ContactCreate, Touch
from app.core.settings import Settings
from app.platform.db import Database
from app.services.accounts import create_account
from app.services.channel_links import link_channel
from app.services.contacts import add_contact
from app.services.slack_users import remember_user
from benchmarks.serving import RemoteStandIn, pct, server, wait_healthy_or_bolt
from tests.capture_world import envelope, message_event, ts_of
from tests.slack_driver import sign
from tests.test_serve_process import free_port

TEAM = "T0001"
CUSTOMER = "T0CUSTOMER"
DAYS = 5  # the events are spread over the last five days


def person_id(n: int) -> str:
    return f"U0P{n:05d}"


def channel_id(n: int) -> str:
    return f"C0EXT{n:04d}"


def build(database: Database, people: int, channels: int, now: datetime) -> None:
    """`channels` accounts, each linked to its shared channel, each with people / channels contacts whose
    Slack user ids are known; the owner's time zone is cached (UTC)."""
    per_account = people // channels
    for a in range(channels):
        with database.session() as session:
            account = create_account(session, TEAM, AccountCreate(name=f"Customer {a:03d}"), "U0CSM", now)
            link_channel(session, account, channel_id(a), now, name=f"ext-customer-{a:03d}")
            for p in range(per_account):
                n = a * per_account + p
                contact = add_contact(session, account, ContactCreate(name=f"Person {n}", type=list(StakeholderType)[n % 6]),
                                      "U0CSM", now - timedelta(days=200))
                contact.slack_user_id = person_id(n)
    with database.session() as session:
        remember_user(session, TEAM, "U0CSM", tz="UTC", tz_checked_at=now)


def events(count: int, people: int, channels: int, now: datetime) -> tuple[list[bytes], set[tuple[int, str]]]:
    """The signed bodies to post, and the (person, day) pairs they must make into captured touches."""
    per_account = people // channels
    bodies, expected = [], set()
    for i in range(count):
        person = (i * 7919) % people  # every person, in a scattered order
        at = now - timedelta(days=i % DAYS, minutes=i % 600)
        event = message_event(person_id(person), ts_of(at, i % 1000), channel=channel_id(person // per_account))
        bodies.append(json.dumps(envelope(event, team=TEAM)).encode())
        expected.add((person, at.date().isoformat()))
    return bodies, expected


def post(base: str, body: bytes) -> float:
    request = urllib.request.Request(base + "/slack/events", data=body, headers={
        "Content-Type": "application/json", **sign(body.decode())})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        assert response.status == 200
    return time.perf_counter() - started


def counted(database: Database) -> tuple[int, int]:
    """(captured touches, messages they count)."""
    with database.session() as session:
        row = session.execute(select(func.count(), func.coalesce(func.sum(Touch.capture_messages), 0))
                              .where(Touch.capture_day.is_not(None))).one()
    return int(row[0]), int(row[1])


def statements_per_event(url: str, standin: RemoteStandIn, people: int, channels: int, now: datetime,
                         sample: int = 200, lone: int = 20) -> tuple[float, float]:
    """SQL statements per message event with channel and author cached, through the Bolt app in this process:
    (in a burst of `sample` events sent one after the other, each alone: sent, then counted, then the next)."""
    from app.edge.slack_app import build_app
    from app.platform.runtime import Runtime
    from tests.slack_driver import SlackDriver
    from tests.sql_counter import count_statements

    settings = Settings(_env_file=None, database_url=url, slack_bot_token="xoxb-bench",
                        slack_signing_secret="test-signing-secret", slack_api_url=standin.api_url)
    runtime = Runtime(settings=settings, db=Database(settings), clock=Clock())
    app = build_app(runtime, verify_token=False)
    driver = SlackDriver(app, None, team_id=TEAM, pools=(runtime.after_ack,))
    bodies, _ = events(sample * 2 + lone, people, channels, now)
    for body in bodies[:sample]:  # warm: every channel and person cached
        driver.send(body.decode(), "application/json")
    driver.drain()
    with count_statements(runtime.db.engine) as burst:
        for body in bodies[sample:sample * 2]:
            driver.send(body.decode(), "application/json")
        driver.drain()
    with count_statements(runtime.db.engine) as alone:
        for body in bodies[sample * 2:]:
            driver.send(body.decode(), "application/json")
            driver.drain()
    runtime.close()
    return len(burst) / sample, len(alone) / lone


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path("/tmp/stakemap-bench")
    folder.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{folder}/capture.db"
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    database = Database(Settings(_env_file=None, database_url=url))
    database.upgrade()
    if not url.startswith("sqlite"):
        with database.engine.begin() as connection:  # a fresh run on PostgreSQL too
            connection.execute(text("TRUNCATE workspace, account, event_receipt CASCADE"))
    now = Clock().now()
    build(database, args.people, args.channels, now)
    bodies, expected = events(args.events, args.people, args.channels, now)
    standin = RemoteStandIn(TEAM)
    port = free_port()
    try:
        with server(["app", "serve", "--mode", "http", "--no-scheduler"], url, standin, port) as process:
            base = f"http://127.0.0.1:{port}"
            wait_healthy_or_bolt(base, process)
            started = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                acks = list(pool.map(lambda body: post(base, body), bodies))
            acked = time.perf_counter() - started
            while counted(database)[1] < args.events and time.perf_counter() - started < 300:
                time.sleep(0.05)
            done = time.perf_counter() - started
        touches, messages = counted(database)
        in_a_burst, alone = statements_per_event(url, standin, args.people, args.channels, now)
    finally:
        standin.close()
        database.dispose()
    print(f"{args.events} message events, {args.people} people, {args.channels} channels, {args.clients} clients, "
          f"database {url.split('@')[-1]}")
    print(f"acknowledged: {args.events / acked:.0f} events/s; ack p50 {pct(acks, 50):.1f} ms, p99 {pct(acks, 99):.1f} ms")
    print(f"counted end to end: {args.events / done:.0f} events/s ({messages} of {args.events} messages in {done:.1f} s)")
    print(f"captured touches: {touches} (expected one per person per day: {len(expected)})")
    print(f"SQL statements per message event, channel and author cached (the event receipt included): "
          f"{in_a_burst:.2f} in a burst, {alone:.2f} alone")


if __name__ == "__main__":
    main()
