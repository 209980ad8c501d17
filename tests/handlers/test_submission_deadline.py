"""A submission that cannot be saved before Slack stops waiting for its ack is not saved, and says so.

Bolt answers Slack 404 when a listener has not acked within 3 s and lets the listener go on: before
the deadline, a touch saved behind a lock that let go after 3 s was saved behind Slack's error, and
the user's retry saved it twice. Here another connection holds the write lock, as a busy database would.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from sqlalchemy import func, select

from app.core.models import Touch
from app.services.demo import load_demo
from blocks.notices import not_saved_in_time
from tests.slack_driver import modal_errors


@contextmanager
def database_busy(runtime):
    """Another connection holds the lock a touch needs until the block ends."""
    raw = runtime.db.engine.raw_connection()
    cursor = raw.cursor()
    sqlite = runtime.db.engine.dialect.name == "sqlite"
    try:
        cursor.execute("BEGIN IMMEDIATE" if sqlite else "LOCK TABLE touch IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        cursor.execute("ROLLBACK") if sqlite else raw.rollback()
        raw.close()


def touches(runtime) -> int:
    with runtime.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Touch))


def test_a_touch_that_cannot_be_saved_in_time_is_not_saved_and_the_user_is_told(slack, runtime):
    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
    view = slack.modal("log Acme")
    before = touches(runtime)
    with database_busy(runtime):
        started = time.monotonic()
        response = slack.submit(view, {"Who": "Tom Chen — VP Engineering · Champion"})
        answered = time.monotonic() - started
        assert response.status == 200 and answered < 2.9
        assert modal_errors(response) == {"contact_id": not_saved_in_time()}
        time.sleep(1)  # had the listener gone on saving behind the lock, it would still be waiting now
    slack.drain()
    assert touches(runtime) == before

    response = slack.submit(view, {"Who": "Tom Chen — VP Engineering · Champion"})  # the database answers again
    assert response.status == 200 and modal_errors(response) == {}
    assert touches(runtime) == before + 1


def test_a_commit_past_the_budget_is_rolled_back(slack, runtime, monkeypatch):
    """However it got late (a slow Slack call, a starved thread), nothing is committed after the budget."""
    import app.platform.deadline

    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
    view = slack.modal("log Acme")
    before = touches(runtime)
    monkeypatch.setattr(app.platform.deadline, "SUBMISSION_BUDGET", -0.001)  # already late on arrival
    response = slack.submit(view, {"Who": "Tom Chen — VP Engineering · Champion"})
    assert response.status == 200 and modal_errors(response) == {"contact_id": not_saved_in_time()}
    monkeypatch.undo()
    assert touches(runtime) == before
