"""A signed request is handled once: a replay of it within Slack's 5-minute signature window is acked
(200, empty) and changes nothing, posts nothing; a view submission once per view id and hash. Receipts
live in the database, so replicas agree; Slack's own Events API retries are still recognised by event_id."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.models import Account, RequestReceipt, Touch
from app.edge.inbound import dispatch
from app.platform import deliveries
from app.platform.db import Database
from app.platform.deliveries import first_request
from app.services.demo import load_demo
from tests.conftest import make_settings
from tests.slack_driver import sign
from tests.test_replicas import replicas

__all__ = ["replicas"]  # the fixture: two serving processes on this test's database

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def acme(slack, runtime):
    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
    return slack


def count(runtime, table) -> int:
    with runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def send_twice(slack, body: str, content_type: str = FORM):
    """The same bytes with the same signature, twice: what an attacker who saw one request can do."""
    headers = {"content-type": content_type} | sign(body)
    return dispatch(slack.app, body, headers), dispatch(slack.app, body, headers)


def touch_submission(slack) -> dict:
    view = slack.modal("log Acme")
    who = next(b for b in view["blocks"] if b.get("block_id") == "contact_id")["element"]
    return slack.submission(view, {"Who": who["options"][0]["value"], "Kind": "meeting"})


def test_a_replayed_touch_submission_writes_one_touch(acme, runtime, standin):
    before = count(runtime, Touch)
    body = acme.payload_body(touch_submission(acme))
    first, replay = send_twice(acme, body)
    assert (first.status, first.body) == (200, "")
    assert (replay.status, replay.body) == (200, "")
    acme.drain()
    assert count(runtime, Touch) == before + 1
    resigned = acme.send(body, FORM)  # the same view (id and hash) again, even freshly signed: once
    assert (resigned.status, resigned.body) == (200, "")
    acme.drain()
    assert count(runtime, Touch) == before + 1


def test_a_replayed_command_posts_the_map_once(acme, standin):
    body = acme.command_body("Acme")
    first, replay = send_twice(acme, body)
    assert first.status == replay.status == 200
    assert replay.body == ""
    acme.drain()
    assert len(acme.replies(1)) == 1
    assert acme.reply()["blocks"][0]["text"]["text"] == "Stakeholder Map: Acme"
    acme.command("Acme")  # the same command typed again is a new request: answered
    assert len(acme.replies(1)) == 1


def test_a_replayed_click_acts_once(acme, runtime, standin):
    from blocks import ids

    with runtime.db.session() as session:
        account_id = session.scalar(select(Account.id).where(Account.team_id == "T0001", Account.name == "Acme"))
    body = acme.payload_body(acme._interaction("block_actions", None) | {
        "trigger_id": acme.trigger_id(), "response_url": standin.response_url("click"),
        "actions": [{"action_id": ids.LOG_TOUCH, "block_id": ids.MAP_ACTIONS, "type": "button",
                     "value": str(account_id), "action_ts": "1.2"}],
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C0ACME", "is_ephemeral": False},
        "channel": {"id": "C0ACME"}, "message": {"type": "message", "ts": "1.2", "text": "map"}})
    standin.clear()
    send_twice(acme, body)
    acme.drain()
    assert len(standin.calls_to("views.open")) == 1  # one touch modal opened


def test_a_replayed_event_is_handled_once(acme, standin):
    body = json.dumps({"type": "event_callback", "team_id": "T0001", "api_app_id": "A0STAKEMAP",
                       "event_id": "EvReplayed", "event_time": 1,
                       "event": {"type": "app_home_opened", "user": "U0CSM", "channel": "D0HOME", "tab": "home"}})
    send_twice(acme, body, "application/json")
    acme.drain()
    assert len(standin.calls_to("views.publish")) == 1


def test_a_corrected_submission_of_the_same_view_is_handled(acme, runtime):
    """Answered with errors, a modal stays open with the same id and hash: the corrected one is handled."""
    view = acme.modal("new Zenith")
    wrong = acme.submission(view, {"ARR": "lots"})
    right = acme.submission(view, {"ARR": "1000"})
    right["view"] |= {"id": wrong["view"]["id"], "hash": wrong["view"]["hash"]}
    assert json.loads(acme.send_payload(wrong).body)["response_action"] == "errors"
    assert acme.send_payload(right).body == ""
    acme.drain()
    with runtime.db.session() as session:
        assert session.scalar(select(Account.arr_amount).where(Account.name == "Zenith")) == 1000
    again = acme.submission(view, {"ARR": "2000"})
    again["view"] |= {"id": wrong["view"]["id"], "hash": wrong["view"]["hash"]}
    assert acme.send_payload(again).body == ""  # submitted once already: dropped
    acme.drain()
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Account).where(Account.name == "Zenith")) == 1


def test_the_same_view_after_an_edit_is_handled(acme, runtime):
    """An edited (updated) view has a new hash: a submission of it is a new one."""
    before = count(runtime, Touch)
    payload = touch_submission(acme)
    assert acme.send_payload(payload).body == ""
    payload["view"]["hash"] = "2.updated"
    payload["trigger_id"] = acme.trigger_id()
    assert acme.send_payload(payload).body == ""
    acme.drain()
    assert count(runtime, Touch) == before + 2


def test_option_lists_are_answered_every_time(acme):
    view = acme.modal("log Acme")
    body = acme.payload_body(acme._interaction("block_suggestion", None) | {
        "action_id": "contact_picker", "block_id": "contact_id", "value": "",
        "view": {"id": "V1", "type": "modal", "callback_id": view.get("callback_id"),
                 "private_metadata": view.get("private_metadata", ""), "team_id": "T0001"}})
    first, again = send_twice(acme, body)
    assert first.body == again.body != ""


def test_exactly_one_of_many_concurrent_claims_wins(db_url, runtime):
    databases = [Database(make_settings(db_url)) for _ in range(4)]  # as four replicas would connect

    def claim(n: int) -> bool:
        with databases[n % 4].session() as session:
            return first_request(session, "k" * 64, "T0001", runtime.now())

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(claim, range(32)))
    assert results.count(True) == 1
    for database in databases:
        database.dispose()


def test_receipts_are_pruned_past_the_signature_window(runtime, monkeypatch):
    monkeypatch.setattr(deliveries, "PRUNE_EVERY", 1)
    then = runtime.now()
    with runtime.db.session() as session:
        assert first_request(session, "a" * 64, "T0001", then)
        assert not first_request(session, "a" * 64, "T0001", then + timedelta(minutes=9))
        assert first_request(session, "b" * 64, "T0001", then + deliveries.KEEP_REQUESTS + timedelta(seconds=1))
    assert count(runtime, RequestReceipt) == 1  # "a" is gone: no signature that old is accepted any more


def test_a_request_replayed_to_another_replica_is_handled_once(runtime, standin, replicas):
    """Two `stakemap serve` processes on one database: the receipt one recorded stops the other."""
    a, b = replicas
    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
    runtime.db.dispose()
    body = a.command_body("Acme")
    headers = sign(body)
    assert a.send(body, FORM, headers).status == 200
    assert b.send(body, FORM, headers).body == ""
    assert len(a.replies(1)) == 1
    time_for_a_second_post = 1.0
    with pytest.raises(TimeoutError):
        standin.replies(a.reply_to, 2, timeout=time_for_a_second_post)
