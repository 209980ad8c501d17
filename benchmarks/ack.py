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
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from app.core.clock import Clock
from app.core.settings import Settings
from app.platform.db import Database
from benchmarks.data import TEAM, ensure_big_database
from tests.slack_driver import SIGNING_SECRET, sign
from tests.test_serve_process import free_port

TOKEN = "xoxb-bench"
_names = itertools.count()


def memory_kib(pid: int, field: str) -> int:
    """A /proc smaps_rollup field (Rss, Pss) summed over a process and its children (gunicorn: master + worker).

    Pss splits pages the forked worker shares with the master between them, so the sum is what the
    serve process really costs; summed Rss counts shared pages twice.
    """
    total = 0
    for process in [pid, *_children(pid)]:
        for line in Path(f"/proc/{process}/smaps_rollup").read_text().splitlines():
            if line.startswith(f"{field}:"):
                total += int(line.split()[1])
    return total


def resident_mib(pid: int) -> float:
    """One process's own resident memory (pages it shares with its parent count in both)."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (gunicorn: master + worker)."""
    total = 0
    for process in [pid, *_children(pid)]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


@contextmanager
def server(module_args: list[str], database_url: str, standin: RemoteStandIn, port: int):
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": standin.api_url, "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-m", *module_args, "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


class RemoteStandIn:
    """The Slack stand-in in its own process, so that its work (parsing, checking 30 kB maps) and the
    load generator's threads do not share one interpreter lock and slow each other down."""

    def __init__(self, team: str):
        # Block Kit is checked by the test suite; here it would only burn the CPU the servers run on.
        self.process = subprocess.Popen([sys.executable, "-m", "tests.slack_standin", "--token", TOKEN, "--team", team,
                                         "--no-checks"],
                                        stdout=subprocess.PIPE, text=True)
        self.api_url = self.process.stdout.readline().split()[1]
        self.base = self.api_url.removesuffix("api/")

    def response_url(self, name: str) -> str:
        return f"{self.base}response/{name}"

    def arrival(self, name: str) -> float:
        """When (time.time() on this machine) the message posted to that response_url arrived."""
        with urllib.request.urlopen(f"{self.base}_arrival/{name}?timeout=60", timeout=70) as response:
            return json.loads(response.read())["at"]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


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


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


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
        rows["rss"] = [resident_mib(pid) for pid in (process.pid, *_children(process.pid))]
    print(f"  measured {name}")
    return rows


def wait_healthy_or_bolt(base: str, process) -> None:
    """The bare app has no /healthz: wait until it answers anything."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # answered (404 from the bare app)
        except OSError:
            if process.poll() is not None:
                raise SystemExit(process.stderr.read().decode(errors="replace")) from None
            time.sleep(0.2)
    raise SystemExit("server did not start")


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
