"""LatestOnly: per key one run at a time, the latest waiting request always runs, the ones between are skipped."""

from __future__ import annotations

import threading

import pytest

from app.platform.coalesce import LatestOnly


def _busy(homes: LatestOnly, ran: list[str]) -> tuple[threading.Event, threading.Thread]:
    """A thread running "first" for U1 until the returned event is set."""
    started, release = threading.Event(), threading.Event()

    def first() -> None:
        ran.append("first")
        started.set()
        release.wait(5)

    runner = threading.Thread(target=homes.run, args=("U1", first))
    runner.start()
    assert started.wait(5)
    return release, runner


def test_a_request_during_a_run_waits_and_only_the_latest_runs():
    homes, ran = LatestOnly(), []
    release, runner = _busy(homes, ran)
    for name in ("second", "third", "fourth"):  # arrive while "first" runs: they return at once
        homes.run("U1", lambda name=name: ran.append(name))
    homes.run("U2", lambda: ran.append("other user"))  # another key is not held up
    assert ran == ["first", "other user"]
    release.set()
    runner.join(5)
    assert ran == ["first", "other user", "fourth"]
    assert homes.skipped == 2
    homes.run("U1", lambda: ran.append("later"))  # nothing runs for U1 now: runs at once
    assert ran[-1] == "later"


def test_an_error_does_not_lose_the_waiting_request_and_is_raised_after_it():
    homes = LatestOnly()
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []
    errors: list[Exception] = []

    def failing() -> None:
        started.set()
        release.wait(5)
        raise RuntimeError("views.publish failed")

    def run_first() -> None:
        try:
            homes.run("U1", failing)
        except RuntimeError as error:
            errors.append(error)

    runner = threading.Thread(target=run_first)
    runner.start()
    assert started.wait(5)
    homes.run("U1", lambda: ran.append("waiting"))
    release.set()
    runner.join(5)
    assert ran == ["waiting"] and [str(error) for error in errors] == ["views.publish failed"]
    homes.run("U1", lambda: ran.append("again"))  # the key was released
    assert ran == ["waiting", "again"]


def test_an_error_alone_is_raised_and_releases_the_key():
    homes = LatestOnly()
    with pytest.raises(ValueError):
        homes.run("U1", lambda: (_ for _ in ()).throw(ValueError("bad")))
    homes.run("U1", lambda: None)


def test_a_busy_key_keeps_only_the_waiting_part_and_tells_the_caller_to_do_the_rest():
    homes, ran = LatestOnly(), []
    release, runner = _busy(homes, ran)
    assert homes.run("U1", lambda: ran.append("everything"), waiting=lambda: ran.append("the home")) is False
    assert ran == ["first"]
    release.set()
    runner.join(5)
    assert ran == ["first", "the home"]
    assert homes.run("U1", lambda: ran.append("everything"), waiting=lambda: ran.append("the home")) is True
    assert ran == ["first", "the home", "everything"]
