"""`stakemap serve` over HTTP on every core: WEB_CONCURRENCY workers (default: the usable cores), one
nudge scheduler among them (another worker takes over when its worker dies), metrics summed over workers."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.slack_driver import sign
from tests.test_serve_process import command_body, demo_db, free_port, http, stakemap_serve, wait_healthy

__all__ = ["demo_db"]  # the fixture, used by name
SCHEDULER_LINE = re.compile(r"this worker \(pid (\d+)\) runs the nudge scheduler")


class Output:
    """Every line the serve process writes, collected as it comes."""

    def __init__(self, process):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process) -> None:
        for line in process.stdout:
            self.lines.append(line.decode(errors="replace"))

    def schedulers(self) -> list[int]:
        return [int(found.group(1)) for line in list(self.lines) if (found := SCHEDULER_LINE.search(line))]

    def wait_for_schedulers(self, count: int, timeout: float = 30) -> list[int]:
        deadline = time.monotonic() + timeout
        while len(self.schedulers()) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.schedulers()


def workers_of(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def test_serves_on_every_core_with_one_scheduler_and_metrics_of_all_workers(demo_db, standin, monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    cores = len(os.sched_getaffinity(0))
    port = free_port()
    with stakemap_serve(demo_db, standin, "--mode", "http", "--port", str(port), LOG_LEVEL="INFO") as process:
        output = Output(process)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, process)
        deadline = time.monotonic() + 20
        while len(workers_of(process.pid)) < cores and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers_of(process.pid)) == cores

        def command(_) -> int:
            body = command_body(standin, "help")
            return http(base + "/slack/events", body.encode(),
                        {"Content-Type": "application/x-www-form-urlencoded", **sign(body)})[0]

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(command, range(24))) == {200}
        counted = re.compile(rb'stakemap_slack_requests_total\{listener="command:/stakemap",outcome="ok"\} (\S+)')
        for _ in range(6):  # whichever worker answers, it reports every worker's requests
            assert float(counted.search(http(base + "/metrics")[1]).group(1)) == 24
        time.sleep(1)
        assert len(output.wait_for_schedulers(1)) == 1


def test_another_worker_runs_the_scheduler_when_its_worker_dies(demo_db, standin):
    port = free_port()
    with stakemap_serve(demo_db, standin, "--mode", "http", "--port", str(port), LOG_LEVEL="INFO",
                        WEB_CONCURRENCY="2") as process:
        output = Output(process)
        wait_healthy(f"http://127.0.0.1:{port}", process)
        first = output.wait_for_schedulers(1)
        assert len(first) == 1 and first[0] in workers_of(process.pid)
        time.sleep(1)
        assert len(output.schedulers()) == 1  # the other worker waits
        os.kill(first[0], signal.SIGKILL)
        taken_over = output.wait_for_schedulers(2)
        assert len(taken_over) == 2 and taken_over[1] != first[0] and taken_over[1] in workers_of(process.pid)
