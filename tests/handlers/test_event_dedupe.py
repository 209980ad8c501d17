"""An Events API delivery is handled once, however often Slack retries it and whichever replica gets it."""

import json
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app.core.models import EventReceipt
from app.platform.db import Database
from app.platform.deliveries import first_delivery
from tests.conftest import make_settings


def event(event_id: str) -> str:
    return json.dumps({"type": "event_callback", "team_id": "T0001", "api_app_id": "A0STAKEMAP",
                       "event_id": event_id, "event_time": 1, "event": {"type": "reaction_added"}})


def test_a_retried_event_is_acked_and_dropped(slack, runtime):
    first = slack.send(event("Ev001"), "application/json")
    retry = slack.send(event("Ev001"), "application/json", {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"})
    assert first.status == 404  # reached Bolt's routing (no listener for this event type)
    assert (retry.status, retry.body) == (200, "")  # stopped before any listener
    assert slack.send(event("Ev002"), "application/json").status == 404
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(EventReceipt)) == 2


def test_unsigned_events_are_not_recorded(slack, runtime):
    assert slack.send(event("Ev003"), "application/json", {"x-slack-signature": "v0=forged"}).status == 401
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(EventReceipt)) == 0


def test_exactly_one_of_many_concurrent_claims_wins(db_url, runtime):
    databases = [Database(make_settings(db_url)) for _ in range(4)]  # as four replicas would connect

    def claim(n: int) -> bool:
        with databases[n % 4].session() as session:
            return first_delivery(session, "EvRace", "T0001", runtime.now())

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(claim, range(32)))
    assert results.count(True) == 1
    for database in databases:
        database.dispose()
