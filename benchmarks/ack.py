"""Ack latency and time-to-message of `/stakemap Bigco` (a 300-contact account in a database of 10,000
accounts) at 1, 8 and 32 concurrent clients, side by side with a bare Bolt app served the same way,
plus the serve process's memory.

    .venv/bin/python -m benchmarks.ack [--accounts 10000] [--contacts 300] [--requests 200]
                                       [--database-url URL]

Both servers are real processes (gunicorn, one worker, HTTP_THREADS threads); requests are signed like
Slack's; the messages they post arrive at the local Slack stand-in, which runs in a process of its own
and notes when each one arrived (time-to-message = arrival − send, on one machine's clock). The database is built once through
the product's services and reused by later runs (default: /tmp/stakemap-bench/ack-<accounts>.db).
"""

from __future__ import annotations

import argparse
import itertools
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from app.core.clock import Clock
from app.core.settings import Settings
from app.platform.db import Database
from benchmarks.data import TEAM, ensure_big_database
from benchmarks.serving import (
    RemoteStandIn,
    children,
    cpu_seconds,
    memory_kib,
    pct,
    resident_mib,
    server,
    wait_healthy_or_bolt,
)
from tests.slack_driver import sign
from tests.test_serve_process import free_port

_names = itertools.count()


def one_request(base: str, standin: RemoteStandIn, text: str, team: str) -> tuple[float, float]:
    """One `/stakemap <text>`: (ack latency, time until its message reached Slack) in seconds."""
    name = f"bench-{next(_names)}"
    body = urlencode({"team_id": team, "channel_id": "C1", "user_id": "U0CSM", "command": "/stakemap",
                      "text": text, "response_url": standin.response_url(name), "trigger_id": "1.2.3"}).encode()
    request = urllib.request.Request(base + "/slack/events", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", **sign(body.decode())})
    started_wall, started = time.time(), time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        assert response.status == 200
    acked = time.perf_counter() - started
    return acked, standin.arrival(name) - started_wall


def load(base: str, standin: RemoteStandIn, clients: int, requests: int, team: str) -> tuple[list[float], list[float]]:
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: one_request(base, standin, "Bigco", team), range(requests)))
    return [r[0] for r in results], [r[1] for r in results]


def measure(name: str, module_args: list[str], url: str, standin: RemoteStandIn, args) -> dict:
    port = free_port()
    rows = {}
    with server(module_args, url, standin, port) as process:
        base = f"http://127.0.0.1:{port}"
        wait_healthy_or_bolt(base, process)
        load(base, standin, 4, 20, args.team)  # warm up
        cpu, served = cpu_seconds(process.pid), 0
        for clients in (1, 8, 32):
            requests = max(args.requests, clients * 4)
            acks, messages = load(base, standin, clients, requests, args.team)
            rows[clients] = (pct(acks, 50), pct(acks, 99), pct(messages, 50), pct(messages, 99))
            served += requests
        rows["cpu_ms"] = (cpu_seconds(process.pid) - cpu) / served * 1000
        rows["pss"] = memory_kib(process.pid, "Pss") / 1024
        rows["rss"] = [resident_mib(pid) for pid in (process.pid, *children(process.pid))]
    print(f"  measured {name}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200, help="requests per concurrency level (at least 4 per client)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--team", default=TEAM, help="workspace of the accounts (benchmarks/sweep.py builds TBENCH)")
    args = parser.parse_args()
    folder = Path("/tmp/stakemap-bench")
    folder.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{folder}/ack-{args.accounts}.db"
    settings = Settings(_env_file=None, database_url=url)
    database = Database(settings)
    database.upgrade()
    print(f"database {url.split('@')[-1]}: ensuring {args.accounts} accounts + Bigco ({args.contacts} contacts)")
    ensure_big_database(database, Clock().now(), args.accounts, args.contacts, args.team)
    database.dispose()
    standin = RemoteStandIn(args.team)
    try:
        stakemap = measure("stakemap serve", ["app", "serve", "--mode", "http", "--no-scheduler"], url, standin, args)
        bare = measure("bare Bolt app", ["benchmarks.bare_app"], url, standin, args)
    finally:
        standin.close()
    print()
    print("| clients | stakemap ack p50 | stakemap ack p99 | bare ack p50 | bare ack p99 | ack p99 ratio "
          "| stakemap msg p50 | stakemap msg p99 | bare msg p50 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for clients in (1, 8, 32):
        s, b = stakemap[clients], bare[clients]
        print(f"| {clients} | {s[0]:.1f} ms | {s[1]:.1f} ms | {b[0]:.1f} ms | {b[1]:.1f} ms | {s[1] / b[1]:.2f}x "
              f"| {s[2]:.1f} ms | {s[3]:.1f} ms | {b[2]:.1f} ms |")
    for name, rows in (("stakemap serve", stakemap), ("bare Bolt app", bare)):
        master, *workers = rows["rss"]
        print(f"{name}: CPU {rows['cpu_ms']:.1f} ms per request; memory after the run: RSS master {master:.0f} MiB, "
              f"worker {', '.join(f'{w:.0f}' for w in workers)} MiB; both together (PSS, shared pages once) "
              f"{rows['pss']:.0f} MiB")


if __name__ == "__main__":
    main()
