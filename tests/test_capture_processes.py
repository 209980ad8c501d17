"""Capture in real `stakemap serve` processes on one database: every message is counted once although
Slack's retry of it reaches the other replica at the same moment, and a replica stopped right after its
acks has counted all it acknowledged (its last batch is written on the way out)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import timedelta

from sqlalchemy import func, select

from app.core.domain import StakeholderType
from app.core.models import AccountCreate, ChannelActivity, ContactCreate, Touch
from app.services.accounts import create_account
from app.services.channel_links import link_channel
from app.services.contacts import add_contact
from app.services.slack_users import remember_user
from tests.capture_world import EXT, envelope, message_event, ts_of
from tests.conftest import TEAM
from tests.test_replicas import HttpSlack
from tests.test_serve_process import free_port, stakemap_serve, wait_healthy

PEOPLE = ("U0P001", "U0P002", "U0P003")


def acme_with_three_people(runtime) -> None:
    now = runtime.now()
    with runtime.db.session() as session:
        account = create_account(session, TEAM, AccountCreate(name="Acme"), "U0CSM", now)
        link_channel(session, account, EXT, now, name="ext-acme")
        for n, user_id in enumerate(PEOPLE):
            contact = add_contact(session, account, ContactCreate(name=f"Person {n}", type=StakeholderType.CHAMPION),
                                  "U0CSM", now - timedelta(days=30))
            contact.slack_user_id = user_id
    with runtime.db.session() as session:
        remember_user(session, TEAM, "U0CSM", tz="UTC", tz_checked_at=now)


def test_each_message_counts_once_across_replicas_and_a_stop(runtime, standin):
    acme_with_three_people(runtime)
    runtime.db.dispose()
    at = runtime.now()
    bodies = [json.dumps(envelope(message_event(PEOPLE[i % 3], ts_of(at, i)), team=TEAM)) for i in range(30)]
    with ExitStack() as stack:  # leaving it stops both replicas (SIGTERM) right after the last ack
        replicas = []
        for _ in range(2):
            port = free_port()
            process = stack.enter_context(stakemap_serve(runtime.settings.database_url, standin, "--mode", "http",
                                                         "--port", str(port), "--no-scheduler"))
            wait_healthy(f"http://127.0.0.1:{port}", process)
            replicas.append(HttpSlack(f"http://127.0.0.1:{port}", standin))
        a, b = replicas
        deliveries = [(replica, body, retry) for body in bodies for replica, retry in ((a, None), (b, {"x-slack-retry-num": "1"}))]
        with ThreadPoolExecutor(8) as pool:  # each message to A, and Slack's retry of it to B, at once
            sent = list(pool.map(lambda d: d[0].send(d[1], "application/json", d[2]).status, deliveries))
        assert sent == [200] * 60
    with runtime.db.session() as session:
        touches = session.execute(select(func.count(), func.sum(Touch.capture_messages))
                                  .where(Touch.capture_day.is_not(None))).one()
        days = session.scalar(select(func.sum(ChannelActivity.messages)))
    assert tuple(touches) == (3, 30) and days == 30
