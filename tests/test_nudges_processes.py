"""The weekly nudges as real processes: `stakemap nudges --now` twice at once, killed and rerun, and the
scheduler inside `stakemap serve`. They run on the wall clock, so the data is made relative to it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from app.core.models import Workspace
from app.edge.cli import cli
from app.jobs.ledger import CLAIM_LEASE
from app.jobs.sweep import DIGEST_EVENT, run_sweep
from app.platform.slack_client import web_client
from tests.conftest import BOT_TOKEN, TEST_DATABASE_URL
from tests.nudge_world import Person, seed_account
from tests.slack_driver import SIGNING_SECRET
from tests.test_serve_process import free_port, stakemap_serve, wait_healthy

CSMS = ["U0A", "U0B", "U0C", "U0D", "U0E"]


def environment(db_url: str, standin) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "STAKEMAP_"))}
    return keep | {"DATABASE_URL": db_url, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": standin.api_url,
                   "SLACK_SIGNING_SECRET": SIGNING_SECRET, "LOG_LEVEL": "WARNING"}


def stakemap(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stale_for(runtime, standin, users) -> None:
    today = datetime.now(UTC).date()
    for user in users:
        standin.add_user(user, tz="UTC")
        seed_account(runtime, f"Account {user}", user, [Person("Tom Chen", touched=60)], today=today)


def delivered(standin) -> dict[str, int]:
    """How many digests each CSM received."""
    counts: dict[str, int] = {}
    for call in standin.calls_to("chat.postMessage", ok=True):
        metadata = call.body.get("metadata") or {}
        if metadata.get("event_type") == DIGEST_EVENT:
            user = metadata["event_payload"]["user"]
            counts[user] = counts.get(user, 0) + 1
    return counts


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="runs on PostgreSQL (set STAKEMAP_TEST_DATABASE_URL); CI does")
def test_two_concurrent_processes_send_one_digest_per_csm(runtime, standin, db_url):
    stale_for(runtime, standin, CSMS)
    env = environment(db_url, standin)
    first, second = stakemap("nudges", "--now", env=env), stakemap("nudges", "--now", env=env)
    outputs = [process.communicate(timeout=60) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert delivered(standin) == dict.fromkeys(CSMS, 1)
    sent = sum(int(out.split("sent ")[1].split()[0]) for out, _ in outputs)
    assert sent == len(CSMS), outputs


def test_a_sweep_killed_midway_and_rerun_sends_the_rest_once(runtime, standin, db_url):
    stale_for(runtime, standin, CSMS[:3])
    env = environment(db_url, standin)
    standin.fail("chat.postMessage", status=429, retry_after=60, after=1)  # the second digest hangs
    process = stakemap("nudges", "--now", env=env)
    standin.wait_for("chat.postMessage", count=2, timeout=30)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert delivered(standin) == {"U0A": 1}
    rerun = subprocess.run([sys.executable, "-m", "app", "nudges", "--now"], env=env, capture_output=True, text=True,
                           timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert delivered(standin) == {"U0A": 1, "U0C": 1}  # U0B's claim may still be sending: left alone
    runtime.clock.set(datetime.now(UTC) + CLAIM_LEASE + timedelta(minutes=1))  # the dead claim's lease is over
    assert run_sweep(runtime, web_client(runtime.settings), "T0001", send_now=True).sent == ["U0B"]
    assert delivered(standin) == {"U0A": 1, "U0B": 1, "U0C": 1}


@pytest.fixture
def cli_env(db_url, standin, monkeypatch):
    for name, value in environment(db_url, standin).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)


def nudges_cli(*args: str) -> tuple[int, str]:
    """Exit code and the last line printed (log lines come before it)."""
    result = CliRunner().invoke(cli, ["nudges", *args], catch_exceptions=False)
    return result.exit_code, result.output.strip().splitlines()[-1]


def test_nudges_command_reports_and_fails_when_a_digest_failed(runtime, standin, cli_env):
    stale_for(runtime, standin, ["U0A", "U0B"])
    standin.fail("chat.postMessage", error="fatal_error", after=1)
    code, out = nudges_cli("--now")
    assert (code, out) == (1, "Workspace T0001: sent 1 weekly digest; 1 failed and will be retried on the "
                                      "next run (U0B: fatal_error).")
    assert nudges_cli("--now") == (0, "Workspace T0001: sent 1 weekly digest.")
    assert delivered(standin) == {"U0A": 1, "U0B": 1}


@pytest.mark.parametrize("lost", [dict(drop=True), dict(status=500)], ids=["dropped", "500"])
def test_nudges_command_exits_1_when_answers_were_lost_and_the_rerun_settles_them(runtime, standin, cli_env, lost):
    stale_for(runtime, standin, CSMS)
    standin.fail("chat.postMessage", performed=True, times=len(CSMS), **lost)  # posted, answer lost
    code, out = nudges_cli("--now")
    assert delivered(standin) == dict.fromkeys(CSMS, 1)
    assert code == 1
    assert out.startswith("Workspace T0001: sent 0 weekly digests; 5 may have been delivered (Slack's answer was "
                          "lost): the next run checks their DM and sends only if it is not there (U0A: ")
    assert nudges_cli("--now") == (0, "Workspace T0001: sent 5 weekly digests.")  # found in the DMs
    assert delivered(standin) == dict.fromkeys(CSMS, 1)
    assert nudges_cli("--now") == (0, "Workspace T0001: sent 0 weekly digests.")


@pytest.mark.parametrize(
    ("args", "token", "message"),
    [
        (["--team", "T0OTHER"], BOT_TOKEN, "Error: SLACK_BOT_TOKEN belongs to workspace T0001, not T0OTHER."),
        ([], "xoxb-wrong", "Error: Slack did not accept SLACK_BOT_TOKEN (invalid_auth): check it and SLACK_API_URL."),
        ([], "", "Error: Set SLACK_BOT_TOKEN (see README: 'Create the Slack app')."),
    ],
)
def test_nudges_command_failures_are_one_sentence(cli_env, monkeypatch, args, token, message):
    monkeypatch.setenv("SLACK_BOT_TOKEN", token)
    code, out = nudges_cli("--now", *args)
    assert (code, out) == (1, message)


@pytest.mark.parametrize("scheduler", [True, False])
def test_serve_runs_the_nudge_scheduler_unless_told_not_to(runtime, standin, db_url, scheduler):
    stale_for(runtime, standin, ["U0A"])
    now = datetime.now(UTC)
    with runtime.db.session() as session:  # the digest is due today from 00:00 UTC
        session.get(Workspace, "T0001").config = {"nudge": {"weekday": now.weekday(), "at": "00:00:00"}}
    port = free_port()
    args = ["--mode", "http", "--port", str(port), *([] if scheduler else ["--no-scheduler"])]
    with stakemap_serve(db_url, standin, *args, LOG_LEVEL="WARNING") as process:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        if scheduler:
            standin.wait_for("chat.postMessage", count=1, timeout=20)
            assert delivered(standin) == {"U0A": 1}
        else:
            time.sleep(1.0)
            assert standin.calls_to("chat.postMessage") == []
