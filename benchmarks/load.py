"""Overload: 32 clients mixing maps, lists, log-touch submissions and App Home opens against the real
`stakemap serve` (gunicorn, WEB_CONCURRENCY workers) on PostgreSQL, in rounds; or a long soak.

    .venv/bin/python -m benchmarks.load [--clients 32] [--seconds 60] [--rounds 5] [--workers N]
                                        [--soak 600] [--database-url URL]

Per round it prints the requests sent, how many were not answered 200, ack p50/p99, time-to-map p50/p99
(from sending `/stakemap <account>` until the stand-in received the map on its response_url), the touch
submissions answered "not saved, try again", and each gunicorn worker's RSS; after the table, each kind of
request's ack p50/p99 per round, and the CPU time the server (per request), the stand-in and this load
generator used in each round (they share the cores). `--soak S` runs the same mix for S seconds and prints
each worker's RSS every minute.

The database (default: stakemap_bench_load on the local PostgreSQL, created when missing) is filled once
through the product's services: 8 CSMs with 40 accounts each (5 with 20 contacts, 35 with 4). The Slack
stand-in runs in a process of its own (`python -m tests.slack_standin --no-checks`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import func, make_url, select
from sqlmodel import col

from app.core.clock import Clock
from app.core.models import Account, Contact
from app.core.settings import Settings
from app.platform.db import Database
from app.services.contacts import picker_contacts
from benchmarks.data import add_account
from benchmarks.serving import (
    RemoteStandIn,
    children,
    cpu_seconds,
    pct,
    resident_mib,
    server,
    wait_healthy_or_bolt,
)
from blocks.modals import pickable, touch_modal
from handlers.common.openers import SHOWN
from handlers.common.payloads import ModalContext
from tests.slack_driver import sign, view_state
from tests.test_serve_process import free_port

TEAM = "T0001"
CSMS = [f"U0CSM{n}" for n in range(1, 9)]
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/stakemap_bench_load"
MIX = (("map", 40), ("list", 15), ("touch", 30), ("home", 15))
_names = itertools.count()


# --- the database ---------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """CREATE DATABASE for a PostgreSQL URL when it does not exist yet."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgres"):
        return
    import psycopg

    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def analyze(db: Database) -> None:
    """Refresh the planner's statistics, as autovacuum does in production (it is off on some machines,
    this one's included: without statistics PostgreSQL plans the 1,920-contact Home query as nested loops
    and takes 113 ms instead of 2)."""
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def populate(db: Database) -> None:
    now = Clock().now()
    with db.session() as session:
        if session.scalar(select(func.count()).select_from(Account).where(Account.team_id == TEAM)):
            return
    print("filling the database (8 CSMs x 40 accounts)…", flush=True)
    for csm in CSMS:
        with db.session() as session:
            for n in range(40):
                big = n < 5
                add_account(session, f"{csm[-1]}-{'Big' if big else 'Small'} {n:02}", 20 if big else 4, 2, now,
                            owner=csm, team=TEAM)


@dataclass(frozen=True)
class Target:
    """An account to map and to log touches at, with the touch modal as its owner would have it open."""
    name: str
    owner: str
    contact_ids: tuple[int, ...]
    view: dict


def targets(db: Database) -> list[Target]:
    today = Clock().today()
    found = []
    with db.reading() as session:
        accounts = session.scalars(select(Account).where(Account.team_id == TEAM)
                                .order_by(col(Account.name)).limit(400)).all()
        for account in accounts:
            contacts = session.scalars(select(Contact.id).where(Contact.account_id == account.id)).all()
            choices = [pickable(contact) for contact in picker_contacts(session, TEAM, account.id, limit=SHOWN)]
            metadata = ModalContext(team_id=TEAM, account_id=account.id, channel_id="C1").dump()
            found.append(Target(account.name, account.owner_user_id, tuple(contacts),
                                touch_modal(account.name, choices, metadata, today)))
    return [t for t in found if "Big" in t.name] + [t for t in found if "Small" in t.name][:20]


# --- the requests ---------------------------------------------------------------------------------


@dataclass
class Round:
    acks: list[float] = field(default_factory=list)
    acks_by_kind: dict[str, list[float]] = field(default_factory=dict)
    failed: int = 0
    not_saved: int = 0
    sent_maps: list[tuple[str, float]] = field(default_factory=list)  # (response_url name, sent at wall time)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int, body: bytes) -> None:
        with self.lock:
            self.acks.append(seconds)
            self.acks_by_kind.setdefault(kind, []).append(seconds)
            self.failed += status != 200
            self.not_saved += b'"errors"' in body


def post(base: str, body: str, content_type: str) -> tuple[int, bytes, float]:
    request = urllib.request.Request(base + "/slack/events", data=body.encode(), headers={
        "Content-Type": content_type, **sign(body)})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - started
    except OSError:
        return 0, b"", time.perf_counter() - started


def command(base: str, standin: RemoteStandIn, text: str, user: str, name: str) -> tuple[int, bytes, float]:
    return post(base, urlencode({"team_id": TEAM, "channel_id": "C1", "user_id": user, "command": "/stakemap",
                                 "text": text, "response_url": standin.response_url(name), "trigger_id": "1.2.3"}),
                "application/x-www-form-urlencoded")


def touch_submission(target: Target, rng: random.Random) -> str:
    n = next(_names)
    view = target.view
    payload = {
        "type": "view_submission", "token": "verification-token", "api_app_id": "A0STAKEMAP",
        "team": {"id": TEAM, "domain": "bench"}, "user": {"id": target.owner, "username": "csm", "team_id": TEAM},
        "trigger_id": f"{n}.1.bench", "response_urls": [], "is_enterprise_install": False,
        "view": {"id": f"VLOAD{n:08d}", "team_id": TEAM, "type": "modal", "callback_id": view["callback_id"],
                 "blocks": view["blocks"], "hash": f"{n}.load", "private_metadata": view["private_metadata"],
                 "title": view["title"],
                 "state": {"values": view_state(view, {"Who": str(rng.choice(target.contact_ids))})}},
    }
    return urlencode({"payload": json.dumps(payload)})


def home_open(user: str) -> str:
    n = next(_names)
    return json.dumps({"token": "verification-token", "team_id": TEAM, "api_app_id": "A0STAKEMAP",
                       "type": "event_callback", "event_id": f"EvLOAD{n:010d}", "event_time": int(time.time()),
                       "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                                 "event_ts": f"{time.time():.6f}"},
                       "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True,
                                           "is_enterprise_install": False}]})


def client(base: str, standin: RemoteStandIn, aims: list[Target], until: float, seed: int, results: Round) -> None:
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    while time.perf_counter() < until:
        target = rng.choice(aims)
        kind = rng.choices(kinds, weights)[0]
        if kind == "map":
            name = f"load-{next(_names)}"
            sent = time.time()
            status, body, seconds = command(base, standin, target.name, target.owner, name)
            if status == 200:
                with results.lock:
                    results.sent_maps.append((name, sent))
        elif kind == "list":
            status, body, seconds = command(base, standin, "list", target.owner, f"list-{next(_names)}")
        elif kind == "touch":
            status, body, seconds = post(base, touch_submission(target, rng), "application/x-www-form-urlencoded")
        else:
            status, body, seconds = post(base, home_open(target.owner), "application/json")
        results.record(kind, seconds, status, body)


def run_round(base: str, standin: RemoteStandIn, aims: list[Target], clients: int, seconds: float,
              seed: int) -> Round:
    results = Round()
    until = time.perf_counter() + seconds
    with ThreadPoolExecutor(clients) as pool:
        for n in range(clients):
            pool.submit(client, base, standin, aims, until, seed * 1000 + n, results)
    return results


def map_times(standin: RemoteStandIn, sent: list[tuple[str, float]]) -> list[float]:
    def one(item: tuple[str, float]) -> float:
        name, at = item
        try:
            return standin.arrival(name) - at
        except OSError:
            return float("inf")  # never arrived within the stand-in's wait

    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(one, sent))


def worker_rss(master: int) -> str:
    return ", ".join(f"{resident_mib(pid):.0f}" for pid in children(master))


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds used so far by the serve process (master and workers), the stand-in and this load generator
    (the three share the machine's cores)."""
    server: float
    standin: float
    generator: float

    @classmethod
    def now(cls, master: int, standin: RemoteStandIn) -> CpuUse:
        mine = os.times()
        return cls(cpu_seconds(master), cpu_seconds(standin.process.pid), mine.user + mine.system)

    def since(self, before: CpuUse, requests: int) -> str:
        server = self.server - before.server
        return (f"server {server:.1f} s ({server / max(requests, 1) * 1000:.1f} ms per request), "
                f"stand-in {self.standin - before.standin:.1f} s, load generator {self.generator - before.generator:.1f} s")


def by_kind(results: Round) -> str:
    """Ack p50 / p99 of each kind of request: which of them make the tail."""
    return "; ".join(f"{kind} {percentiles(results.acks_by_kind.get(kind, [])).replace(' ', '')}" for kind, _ in MIX)


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "  n/a  /  n/a "
    return f"{pct(values, 50):6.0f} / {pct(values, 99):6.0f}"


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None, help="WEB_CONCURRENCY of the server (default: its own)")
    parser.add_argument("--soak", type=float, default=0, help="instead of rounds: run this many seconds, RSS each minute")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    ensure_database(args.database_url)
    database = Database(Settings(_env_file=None, database_url=args.database_url))
    database.upgrade()
    populate(database)
    analyze(database)
    aims = targets(database)
    env = {"WEB_CONCURRENCY": str(args.workers)} if args.workers else {}
    standin = RemoteStandIn(TEAM)
    port = free_port()
    try:
        with server(["app", "serve", "--mode", "http", "--no-scheduler"], args.database_url, standin, port,
                    **env) as process:
            base = f"http://127.0.0.1:{port}"
            wait_healthy_or_bolt(base, process)
            run_round(base, standin, aims, 4, 3, seed=0)  # warm up
            print(f"workers (pid): {', '.join(str(pid) for pid in children(process.pid))}; "
                  f"{args.clients} clients; mix {dict(MIX)}; {len(aims)} accounts", flush=True)
            if args.soak:
                soak(base, standin, aims, args, process.pid, database)
            else:
                rounds(base, standin, aims, args, process.pid, database)
    finally:
        standin.close()
        database.dispose()


def rounds(base: str, standin: RemoteStandIn, aims: list[Target], args, master: int, database: Database) -> None:
    print("| round | requests | non-200 | not saved (told) | ack p50 / p99 ms | map p50 / p99 ms | worker RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    acks_by_kind, cpu = [], []
    for number in range(1, args.rounds + 1):
        analyze(database)  # the touches of the rounds before, counted as autovacuum would count them
        before = CpuUse.now(master, standin)
        results = run_round(base, standin, aims, args.clients, args.seconds, seed=number)
        maps = map_times(standin, results.sent_maps)
        cpu.append(f"round {number} CPU: {CpuUse.now(master, standin).since(before, len(results.acks))}")
        print(f"| {number} | {len(results.acks)} | {results.failed} | {results.not_saved} | {percentiles(results.acks)} "
              f"| {percentiles(maps)} | {worker_rss(master)} |", flush=True)
        acks_by_kind.append(f"round {number} ack p50/p99 ms by kind: {by_kind(results)}")
    print("\n".join(acks_by_kind + cpu))


def soak(base: str, standin: RemoteStandIn, aims: list[Target], args, master: int, database: Database) -> None:
    print("| minute | requests | non-200 | ack p99 ms | worker RSS MiB |")
    print("|---|---|---|---|---|")
    minutes = max(1, round(args.soak / 60))
    for minute in range(1, minutes + 1):
        analyze(database)
        results = run_round(base, standin, aims, args.clients, min(60, args.soak), seed=100 + minute)
        map_times(standin, results.sent_maps)  # let the maps of this minute land before measuring
        print(f"| {minute} | {len(results.acks)} | {results.failed} | {pct(results.acks, 99):.0f} "
              f"| {worker_rss(master)} |", flush=True)


if __name__ == "__main__":
    main()
