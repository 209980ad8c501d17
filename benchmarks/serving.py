"""What the benchmarks that drive a real `stakemap serve` share: the serve process, the Slack stand-in in a
process of its own, memory and CPU readings from /proc, percentiles."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.slack_driver import SIGNING_SECRET

TOKEN = "xoxb-bench"


def memory_kib(pid: int, field: str) -> int:
    """A /proc smaps_rollup field (Rss, Pss) summed over a process and its children (gunicorn: master + worker).

    Pss splits pages the forked worker shares with the master between them, so the sum is what the
    serve process really costs; summed Rss counts shared pages twice.
    """
    total = 0
    for process in [pid, *children(pid)]:
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
    for process in [pid, *children(pid)]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


@contextmanager
def server(module_args: list[str], database_url: str, standin: RemoteStandIn, port: int, **env: str):
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": standin.api_url, "LOG_LEVEL": "WARNING", **env}
    # The server's log goes to a file, never to a pipe nobody reads while it runs: a full pipe blocks the
    # logging call that writes to it, and with it every thread that logs (the whole server).
    with tempfile.TemporaryFile() as log_file:
        process = subprocess.Popen([sys.executable, "-m", *module_args, "--port", str(port)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=log_file)
        process.log_file = log_file
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
        # Whatever it prints later is read away, so that it never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def response_url(self, name: str) -> str:
        return f"{self.base}response/{name}"

    def arrival(self, name: str) -> float:
        """When (time.time() on this machine) the message posted to that response_url arrived."""
        with urllib.request.urlopen(f"{self.base}_arrival/{name}?timeout=60", timeout=70) as response:
            return json.loads(response.read())["at"]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


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
                process.log_file.seek(0)
                raise SystemExit(process.log_file.read().decode(errors="replace")) from None
            time.sleep(0.2)
    raise SystemExit("server did not start")
