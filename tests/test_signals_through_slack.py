"""Signals, the day they happen: a contact's Slack user leaves a linked channel, is deactivated or changes title;
the owner is asked by DM once, and nothing changes until they answer."""

import json
import logging
import threading
from contextlib import ExitStack
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.domain import ContactStatus, DeliveryStatus
from app.core.models import CaptureSignal, Contact, ContactChange
from app.jobs.signal_pass import resend_signals, signal_pass
from app.platform.claims import CLAIM_LEASE
from app.platform.slack_client import web_client
from app.services import signals
from tests.block_limits import message_problems
from tests.conftest import make_settings, running, serving
from tests.people_world import EXT_CHANNEL, TEAM, customer_user, known_as, link
from tests.seeding import seed_demo
from tests.slack_driver import SlackDriver, sign


@pytest.fixture
def acme(runtime, standin):
    seed_demo(runtime, TEAM, channel="C0ACME")
    standin.add_channel("C0ACME", "acme-team")
    standin.add_channel(EXT_CHANNEL, "ext-acme", shared=True)
    link(runtime, "Acme")
    return known_as(runtime, "Sarah Kim", "U0SARAH", "CFO")


def left_event(user: str = "U0SARAH", channel: str = EXT_CHANNEL) -> dict:
    """member_left_channel as Slack sends it (bolt-python's and the Events API's shape)."""
    return {"type": "member_left_channel", "user": user, "channel": channel, "channel_type": "C", "team": TEAM,
            "event_ts": "1773144000.000100"}


def user_change(user: dict) -> dict:
    return {"type": "user_change", "user": user, "cache_ts": 1773144000, "event_ts": "1773144000.000200"}


def dms(standin) -> list[dict]:
    """Messages the bot posted in DMs (the stand-in's DM channels start with D)."""
    return [c.body for c in standin.calls_to("chat.postMessage", ok=True) if c.body["channel"].startswith("D")]


def status_of(runtime, contact_id: int) -> ContactStatus:
    with runtime.db.session() as session:
        return session.get(Contact, contact_id).status


def answer(slack, dm: dict, label: str):
    buttons = next(b for b in dm["blocks"] if b["type"] == "actions")["elements"]
    button = next(b for b in buttons if b["text"]["text"] == label)
    return slack.click(button["action_id"], button["value"], message=dm)


def test_leaving_the_shared_channel_asks_the_owner_by_dm(slack, standin, runtime, acme):
    assert slack.event(left_event()).status == 200
    slack.drain()
    [dm] = dms(standin)
    assert dm["text"] == "Sarah Kim (Economic Buyer, Acme) left <#C0EXTACME> — have they left Acme?"
    assert message_problems(dm["blocks"], dm["text"]) == []
    assert [c.body["users"] for c in standin.calls_to("conversations.open")] == ["U0CSM"]
    assert status_of(runtime, acme) == ContactStatus.ACTIVE  # never on a signal alone
    assert [c.body["channel"] for c in standin.calls_to("chat.postMessage")] == [dm["channel"]]  # nothing in a channel
    with runtime.db.session() as session:
        [row] = session.scalars(select(CaptureSignal)).all()
        assert (row.kind, row.detail, row.sent_at is not None) == ("left_channel", EXT_CHANNEL, True)


def test_the_same_signal_is_sent_once_whatever_slack_redelivers(slack, standin, runtime, acme):
    slack.event(left_event())
    slack.event(left_event())  # the same leave delivered again under another event id
    body = json.dumps({"token": "t", "team_id": TEAM, "api_app_id": "A0STAKEMAP", "type": "event_callback",
                       "event_id": "Ev0RETRY", "event_time": 1773144000, "event": left_event(),
                       "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}]})
    for retry in range(3):  # Slack's retries of one delivery: the same event_id, newly signed
        slack.send(body, "application/json", headers={"x-slack-retry-num": str(retry), **sign(body)})
    slack.drain()
    assert len(dms(standin)) == 1


def test_two_replicas_receiving_the_leave_at_once_send_one_dm(db_url, standin, clock, acme):
    """Two processes on one database, each handed a delivery of the same leave (under two event ids) at once."""
    with ExitStack() as stack:
        drivers = []
        for _ in range(2):
            rt = stack.enter_context(running(make_settings(db_url, standin.api_url), clock))
            drivers.append(SlackDriver(stack.enter_context(serving(rt)), standin, team_id=TEAM, pools=(rt.after_ack,)))
        threads = [threading.Thread(target=driver.event, args=(left_event(),)) for driver in drivers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for driver in drivers:
            driver.drain()
        assert len(dms(standin)) == 1


def test_left_the_company_runs_the_departure_flow(slack, standin, runtime, acme):
    slack.event(left_event())
    slack.drain()
    [dm] = dms(standin)
    answer(slack, dm, "Left the company")
    slack.drain()
    assert status_of(runtime, acme) == ContactStatus.LEFT
    coverage = [c.body for c in standin.calls_to("chat.postMessage", ok=True) if c.body["channel"] == "C0ACME"]
    assert len(coverage) == 1 and "*Sarah Kim* (CFO), the economic buyer, left the company" in str(coverage[0])
    settled = slack.replies(1)[0]
    assert settled["replace_original"] is True and "actions" not in [b["type"] for b in settled["blocks"]]
    assert "Marked *Sarah Kim* (Economic Buyer) at *Acme* as left the company." in settled["text"]
    with runtime.db.session() as session:
        changes = session.scalars(select(ContactChange).where(ContactChange.contact_id == acme)).all()
        assert [(c.field, c.new_value, c.changed_by) for c in changes] == [("status", "left", "U0CSM")]


def test_still_there_changes_nothing_and_the_question_is_answered_once(slack, standin, runtime, acme):
    slack.event(left_event())
    slack.drain()
    [dm] = dms(standin)
    answer(slack, dm, "Still there")
    assert slack.reply()["text"] == "✔️ Noted: *Sarah Kim* is still at *Acme*. Nothing changed."
    answer(slack, dm, "Left the company")
    assert slack.reply()["text"] == "That question was already answered."
    assert status_of(runtime, acme) == ContactStatus.ACTIVE


def test_deactivation_asks_the_owner(slack, standin, runtime, acme):
    slack.event(user_change(customer_user("U0SARAH", "sarah", deleted=True)))
    slack.drain()
    [dm] = dms(standin)
    assert dm["text"] == "Sarah Kim (Economic Buyer, Acme) was deactivated in Slack — have they left Acme?"
    assert status_of(runtime, acme) == ContactStatus.ACTIVE


def test_a_new_title_offers_update_title_and_keeps_it_in_history(slack, standin, runtime, acme):
    user = customer_user("U0SARAH", "sarah")
    user["profile"]["title"] = "Chief Operating Officer"
    slack.event(user_change(user))
    slack.event(user_change(user))  # Slack sends user_change for any profile edit: the same title is not asked twice
    slack.drain()
    [dm] = dms(standin)
    assert dm["text"] == ("Sarah Kim (Economic Buyer, Acme) changed their title in Slack: CFO → Chief Operating Officer. "
                          "Update it on the map?")
    answer(slack, dm, "Update title")
    slack.drain()
    with runtime.db.session() as session:
        assert session.get(Contact, acme).title == "Chief Operating Officer"
        change = session.scalar(select(ContactChange).where(ContactChange.field == "title"))
        assert (change.old_value, change.new_value, change.changed_by) == ("CFO", "Chief Operating Officer", "U0CSM")


def test_an_unchanged_title_or_a_stranger_says_nothing(slack, standin, runtime, acme):
    same = customer_user("U0SARAH", "sarah")
    same["profile"]["title"] = "cfo"
    slack.event(user_change(same))
    slack.event(user_change(customer_user("U0NOBODY", "nobody", deleted=True)))
    slack.event(left_event(user="U0NOBODY"))
    slack.event(left_event(channel="C0UNLINKED"))
    slack.drain()
    assert dms(standin) == []


def test_signals_stay_in_their_workspace(other_slack, standin, runtime, acme):
    other_slack.event(left_event())
    other_slack.event(user_change(customer_user("U0SARAH", "sarah", deleted=True)))
    other_slack.drain()
    assert dms(standin) == []


# --- never lost: the DM's outcome is recorded and the scheduled pass sends what was not delivered ------------


def the_row(runtime) -> CaptureSignal:
    with runtime.db.session() as session:
        [row] = session.scalars(select(CaptureSignal)).all()
        return row


def later(runtime, by: timedelta) -> None:
    runtime.clock.set(runtime.now() + by)


def test_each_dm_carries_its_signal_in_metadata_and_its_delivery_is_recorded(slack, standin, runtime, acme):
    slack.event(left_event())
    slack.drain()
    [dm] = dms(standin)
    row = the_row(runtime)
    assert dm["metadata"] == {"event_type": "stakemap_signal", "event_payload": {"signal": row.id}}
    [posted] = standin.calls_to("chat.postMessage", ok=True)
    assert (row.status, row.attempts, row.channel_id, row.ts) == (DeliveryStatus.SENT, 1, dm["channel"],
                                                                  posted.response["ts"])
    signal_pass(runtime)  # nothing left to send
    assert len(dms(standin)) == 1 and standin.calls_to("conversations.history") == []


@pytest.mark.parametrize("lost", [dict(drop=True), dict(status=500), dict(status=503)], ids=["dropped", "500", "503"])
def test_a_dm_whose_answer_was_lost_is_found_in_the_dm_not_sent_again(slack, standin, runtime, acme, lost):
    standin.fail("chat.postMessage", performed=True, **lost)
    slack.event(left_event())
    slack.drain()
    assert len(dms(standin)) == 1  # Slack did post it
    row = the_row(runtime)
    assert (row.status, row.sent_at) == (DeliveryStatus.UNCERTAIN, None)
    assert row.error  # what Slack (or the dropped connection) said is kept
    signal_pass(runtime)
    [dm] = dms(standin)
    [search] = standin.calls_to("conversations.history")
    assert search.body["channel"] == dm["channel"] and str(search.body["include_all_metadata"]).lower() in ("1", "true")
    row = the_row(runtime)
    [posted] = standin.calls_to("chat.postMessage", ok=True)
    assert (row.status, row.ts, row.attempts) == (DeliveryStatus.SENT, posted.response["ts"], 2)
    signal_pass(runtime)
    assert len(dms(standin)) == 1


def test_a_refused_dm_is_sent_by_the_next_pass(slack, standin, runtime, acme, caplog):
    standin.fail("chat.postMessage", error="fatal_error")
    with caplog.at_level(logging.ERROR):
        slack.event(left_event())
        slack.drain()
    assert dms(standin) == []
    assert "could not DM signal" in caplog.text
    row = the_row(runtime)
    assert (row.status, row.error) == (DeliveryStatus.FAILED, "fatal_error")
    signal_pass(runtime)
    [dm] = dms(standin)
    assert dm["text"] == "Sarah Kim (Economic Buyer, Acme) left <#C0EXTACME> — have they left Acme?"
    assert (the_row(runtime).status, the_row(runtime).error) == (DeliveryStatus.SENT, None)
    answer(slack, dm, "Still there")  # the late DM works like the first one
    assert slack.reply()["text"] == "✔️ Noted: *Sarah Kim* is still at *Acme*. Nothing changed."


def test_a_claim_abandoned_by_a_dead_process_is_sent_once_after_its_lease(standin, runtime, acme):
    with runtime.db.session() as session:  # the process claimed the signal, then died before sending
        [claimed] = signals.left_channel(session, TEAM, "U0SARAH", EXT_CHANNEL, runtime.now())
    signal_pass(runtime)
    assert dms(standin) == []  # it may still be sending: the claim is young
    later(runtime, CLAIM_LEASE + timedelta(minutes=1))
    signal_pass(runtime)
    signal_pass(runtime)
    [dm] = dms(standin)
    assert dm["metadata"]["event_payload"] == {"signal": claimed.id}
    assert the_row(runtime).status == DeliveryStatus.SENT


def test_a_claim_abandoned_after_posting_is_recorded_sent_not_posted_again(slack, standin, runtime, acme):
    """The process posted the DM, then died before recording it: the DM's metadata proves it went out."""
    slack.event(left_event())
    slack.drain()
    with runtime.db.session() as session:  # as the dead process left it: claimed, no outcome
        signals.record(session, the_row(runtime).id, DeliveryStatus.SENDING)
    later(runtime, CLAIM_LEASE + timedelta(minutes=1))
    signal_pass(runtime)
    assert len(dms(standin)) == 1
    assert the_row(runtime).status == DeliveryStatus.SENT


def test_two_passes_at_once_send_one_dm(db_url, standin, clock, acme):
    """Two replicas' passes on one database take the same refused signal at once: one sends it."""
    with ExitStack() as stack:
        runtimes = [stack.enter_context(running(make_settings(db_url, standin.api_url), clock)) for _ in range(2)]
        standin.fail("chat.postMessage", error="fatal_error")
        driver = SlackDriver(stack.enter_context(serving(runtimes[0])), standin, team_id=TEAM,
                             pools=(runtimes[0].after_ack,))
        driver.event(left_event())
        driver.drain()
        assert the_row(runtimes[0]).status == DeliveryStatus.FAILED
        barrier = threading.Barrier(2)

        def one_pass(rt):
            barrier.wait()
            resend_signals(rt, web_client(rt.settings), TEAM)

        threads = [threading.Thread(target=one_pass, args=(rt,)) for rt in runtimes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(dms(standin)) == 1
        assert the_row(runtimes[0]).attempts == 2


def test_of_two_processes_holding_the_same_unsent_row_one_takes_it_over(slack, standin, runtime, acme):
    """The compare-and-set the pass relies on when two replicas read the ledger at the same moment."""
    standin.fail("chat.postMessage", error="fatal_error")
    slack.event(left_event())
    slack.drain()
    with runtime.db.session() as session:
        [seen_by_one] = signals.unsent(session, TEAM, runtime.now())
    with runtime.db.session() as session:
        [seen_by_two] = signals.unsent(session, TEAM, runtime.now())
    with runtime.db.session() as session:
        taken = [signals.reclaim(session, row, by, runtime.now())
                 for row, by in ((seen_by_one, "one"), (seen_by_two, "two"))]
    assert [signal is not None for signal in taken] == [True, False]
    assert (the_row(runtime).claimed_by, the_row(runtime).attempts) == ("one", 2)


def test_a_signal_refused_again_and_again_is_given_up_with_a_logged_error(slack, standin, runtime, acme, caplog):
    standin.fail("chat.postMessage", error="fatal_error", times=signals.MAX_ATTEMPTS)
    slack.event(left_event())
    slack.drain()
    for _ in range(signals.MAX_ATTEMPTS):
        signal_pass(runtime)
    with caplog.at_level(logging.ERROR):
        signal_pass(runtime)  # the last attempt failed too: given up
    assert dms(standin) == []
    row = the_row(runtime)
    assert (row.status, row.attempts) == (DeliveryStatus.UNDELIVERABLE, signals.MAX_ATTEMPTS)
    assert row.error == f"given up after {signals.MAX_ATTEMPTS} attempt(s): fatal_error"
    assert "was never DMed to its account's owner" in caplog.text
    signal_pass(runtime)
    assert dms(standin) == []


def test_a_signal_no_longer_news_is_not_sent_late(slack, standin, runtime, acme):
    standin.fail("chat.postMessage", error="fatal_error")
    slack.event(left_event())
    slack.drain()
    later(runtime, signals.NEWS_FOR + timedelta(hours=1))
    signal_pass(runtime)
    assert dms(standin) == []
    assert the_row(runtime).status == DeliveryStatus.UNDELIVERABLE


def test_an_owner_slack_cannot_reach_is_not_retried(slack, standin, runtime, acme):
    standin.fail("chat.postMessage", error="account_inactive")
    slack.event(left_event())
    slack.drain()
    signal_pass(runtime)
    assert the_row(runtime).status == DeliveryStatus.UNDELIVERABLE
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_a_dm_that_cannot_be_searched_is_not_posted_blindly(slack, standin, runtime, acme):
    standin.fail("chat.postMessage", performed=True, status=500)
    slack.event(left_event())
    slack.drain()
    standin.fail("conversations.history", error="missing_scope")
    signal_pass(runtime)
    assert len(dms(standin)) == 1  # not posted again while the DM could not be read
    assert (the_row(runtime).status, the_row(runtime).error) == (DeliveryStatus.FAILED,
                                                                 "conversations.history: missing_scope")
    signal_pass(runtime)  # the DM can be read now: the earlier post is found
    assert len(dms(standin)) == 1 and the_row(runtime).status == DeliveryStatus.SENT


def test_a_dm_channel_slack_no_longer_knows_is_opened_again_by_the_pass(slack, standin, runtime, acme):
    standin.fail("chat.postMessage", error="channel_not_found")
    slack.event(left_event())
    slack.drain()
    assert the_row(runtime).status == DeliveryStatus.FAILED
    signal_pass(runtime)
    assert len(dms(standin)) == 1
    assert len(standin.calls_to("conversations.open")) == 2  # the forgotten channel was opened again
