"""Slack Connect capture, driven as Slack does: `/stakemap link Acme` in a shared channel, then signed
message events from people of the customer's organisation. Captured touches, suggestions and channel
activity are what a CSM would see on the map; nothing is ever posted in the shared channel."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from app.core.models import Account, CaptureSuggestion, Contact, EventReceipt, Workspace
from app.services.accounts import find_account
from app.services.capture import counting
from app.services.capture_cache import CAPTURE_CACHE
from app.services.maps import account_map
from blocks.map import account_map_message
from tests.capture_world import (
    EXT,
    activity,
    captured_touches,
    deliver,
    message_event,
    reset_capture_cache,
    suggestions,
    ts_of,
)
from tests.conftest import TEAM
from tests.seeding import seed_demo
from tests.slack_standin import CUSTOMER_TEAM
from tests.test_shared_channels_through_slack import assert_nothing_public

HONOLULU = ZoneInfo("Pacific/Honolulu")


@pytest.fixture(autouse=True)
def _fresh_cache():
    reset_capture_cache()
    yield
    reset_capture_cache()


@pytest.fixture
def linked(slack, standin, runtime):
    """Acme (owned by U0CSM, in Honolulu) linked to #ext-acme, shared with the customer; Sarah Kim (the CFO on
    Acme's map) and Dan Brown (not on it) write from the customer's organisation."""
    standin.add_channel(EXT, "ext-acme", shared=True)
    standin.add_user("U0CSM", "csm", tz="Pacific/Honolulu")
    standin.add_customer("U0SARAH", "Sarah Kim", title="CFO", email="sarah.kim@acme.example")
    standin.add_customer("U0DAN", "Dan Brown", title="Head of Ops", email="dan@acme.example")
    standin.add_user("U0MATE", "mate")  # a colleague of ours
    seed_demo(runtime, TEAM, owner="U0CSM")
    slack.command("link Acme", channel_id=EXT)
    slack.reply()
    slack.drain()  # the link's backfill, after the ack, has read the channel (and filled the capture cache)
    return runtime.now()


def write(slack, user: str, at: datetime, n: int = 0, **fields):
    response, _ = deliver(slack, message_event(user, ts_of(at, n), **fields))
    assert response.status == 200
    return response


def contact_named(runtime, name: str) -> Contact:
    with runtime.db.session() as session:
        contact = session.scalar(select(Contact).where(Contact.team_id == TEAM, Contact.name == name))
        session.expunge(contact)
        return contact


def test_a_customers_messages_make_one_captured_touch_a_day(slack, standin, runtime, linked):
    now = linked
    write(slack, "U0SARAH", now, 1)
    write(slack, "U0SARAH", now, 2, thread_ts=ts_of(now, 1))  # a thread reply
    write(slack, "U0SARAH", now, 3, subtype="file_share", files=[{"id": "F1", "name": "plan.pdf"}])
    slack.drain()

    [touch] = captured_touches(runtime)
    sarah = contact_named(runtime, "Sarah Kim")
    assert (touch.contact_id, touch.capture_messages, touch.kind.value, touch.capture_channel_id) == (
        sarah.id, 3, "chat", EXT)
    assert touch.notes is None  # the text is never stored
    assert touch.occurred_on == touch.capture_day == (now.astimezone(HONOLULU)).date()
    assert sarah.slack_user_id == "U0SARAH"  # matched by name, the id kept
    assert activity(runtime) == {(EXT, now.date()): 3}
    assert suggestions(runtime) == {}
    assert_nothing_public(standin)
    assert standin.calls_to("chat.postEphemeral") == []


def test_what_is_not_someone_writing_is_not_counted(slack, runtime, linked):
    now = linked
    write(slack, "U0SARAH", now, 1, subtype="channel_join")
    write(slack, "U0SARAH", now, 2, subtype="message_deleted", hidden=True, deleted_ts=ts_of(now, 1))
    edited = message_event("U0SARAH", ts_of(now, 3), subtype="message_changed", hidden=True,
                           message={"type": "message", "user": "U0SARAH", "text": "edited", "ts": ts_of(now, 1)})
    edited.pop("user")
    deliver(slack, edited)
    write(slack, "U0SARAH", now, 4, subtype="bot_message", bot_id="B0THEIRS")
    write(slack, "U0MATE", now, 5, user_team=TEAM)  # our own colleague
    slack.drain()
    assert captured_touches(runtime) == []
    assert suggestions(runtime) == {}
    assert activity(runtime) == {}


def test_retries_of_an_event_count_once(slack, runtime, linked):
    event = message_event("U0SARAH", ts_of(linked, 1))
    _, event_id = deliver(slack, event)
    for retry in (1, 2):
        assert deliver(slack, event, retry=retry, event_id=event_id)[0].status == 200
    slack.drain()
    assert [t.capture_messages for t in captured_touches(runtime)] == [1]


def test_the_day_is_the_owners_day(slack, runtime, linked):
    """03:00 UTC on Mar 10 is still Mar 9 in Honolulu, where Acme's owner works."""
    late = datetime(2026, 3, 10, 3, 0, tzinfo=linked.tzinfo)
    write(slack, "U0SARAH", late)
    write(slack, "U0SARAH", late + timedelta(hours=12))
    slack.drain()
    assert [(str(t.capture_day), t.capture_messages) for t in captured_touches(runtime)] == [
        ("2026-03-09", 1), ("2026-03-10", 1)]


def test_a_captured_touch_refreshes_the_map(slack, runtime, linked):
    write(slack, "U0SARAH", linked)
    slack.drain()
    with runtime.db.session() as session:
        account = find_account(session, TEAM, "Acme")
        shown = account_map(session, TEAM, account.id, runtime.today())
    sarah = next(s for s in shown.assessment.active if s.contact.name == "Sarah Kim")
    assert sarah.idle_days <= 1 and sarah.staleness.value == "fresh"
    text = str(account_map_message(shown).blocks)
    assert "(Slack)" in text and f"<#{EXT}>" in text


def test_an_unknown_customer_member_is_suggested_and_an_ignored_one_stays_ignored(slack, runtime, linked):
    write(slack, "U0DAN", linked, 1)
    write(slack, "U0DAN", linked, 2)
    slack.event({"type": "member_joined_channel", "user": "U0NEW", "channel": EXT, "channel_type": "C",
                 "team": CUSTOMER_TEAM, "inviter": "U0DAN", "event_ts": ts_of(linked, 3)})
    slack.drain()
    assert suggestions(runtime) == {"U0DAN": (2, False), "U0NEW": (0, False)}
    assert captured_touches(runtime) == []
    with runtime.db.session() as session:
        session.get(CaptureSuggestion, (TEAM, find_account(session, TEAM, "Acme").id, "U0DAN")).ignored_at = linked
    write(slack, "U0DAN", linked, 4)
    slack.drain()
    assert suggestions(runtime)["U0DAN"] == (3, True)


def test_members_match_by_email_in_any_case_and_guests_count_by_domain(slack, standin, runtime, linked):
    with runtime.db.session() as session:
        tom = session.scalar(select(Contact).where(Contact.name == "Tom Chen"))
        tom.email = "Tom.Chen@ACME.example"
    standin.add_customer("U0TOMC", "Thomas Chen", email="tom.chen@acme.example")
    # A guest of our own workspace with the customer's address (Acme's domains were proposed from Sarah's).
    standin.add_user("U0GUEST", "lisa", team_id=TEAM, real_name="Lisa Park", is_restricted=True,
                     profile={"email": "lisa@acme.example", "real_name": "Lisa Park"})
    write(slack, "U0SARAH", linked, 1)
    slack.drain()
    write(slack, "U0TOMC", linked, 2)
    write(slack, "U0GUEST", linked, 3, user_team=TEAM)
    slack.drain()
    with runtime.db.session() as session:
        assert find_account(session, TEAM, "Acme").domains == "acme.example"
    assert contact_named(runtime, "Tom Chen").slack_user_id == "U0TOMC"
    assert contact_named(runtime, "Lisa Park").slack_user_id == "U0GUEST"
    assert len(captured_touches(runtime)) == 3


def test_users_info_is_asked_once_per_person(slack, standin, runtime, linked):
    for n in range(5):
        write(slack, "U0DAN", linked, n)
    slack.drain()
    CAPTURE_CACHE.clear()  # another process: the slack_user row answers, not Slack
    write(slack, "U0DAN", linked, 9)
    slack.drain()
    assert [c.body["user"] for c in standin.calls_to("users.info")].count("U0DAN") == 1
    assert suggestions(runtime)["U0DAN"] == (6, False)


def test_capture_is_off_when_the_account_or_the_workspace_says_so(slack, runtime, linked):
    with runtime.db.session() as session:
        find_account(session, TEAM, "Acme").capture_enabled = False
    CAPTURE_CACHE.clear()
    write(slack, "U0SARAH", linked, 1)
    slack.drain()
    assert captured_touches(runtime) == []
    with runtime.db.session() as session:
        find_account(session, TEAM, "Acme").capture_enabled = True
        workspace = session.get(Workspace, TEAM)
        workspace.config = {**workspace.config, "capture": {"enabled": False}}
    CAPTURE_CACHE.clear()
    write(slack, "U0SARAH", linked, 2)
    slack.drain()
    assert captured_touches(runtime) == [] and activity(runtime) == {}


def test_enterprise_grid_colleagues_of_another_workspace_are_not_the_customer(slack, standin, runtime, linked):
    standin.add_customer("U0GRID", "Gina Grid", team_id="T0SISTER", enterprise_id="E0OURS",
                         email="gina@ours.example")
    with runtime.db.session() as session:
        session.get(Workspace, TEAM).enterprise_id = "E0OURS"
    CAPTURE_CACHE.clear()
    event = message_event("U0GRID", ts_of(linked, 1), user_team="T0SISTER")
    deliver(slack, event, enterprise_id="E0OURS")
    write(slack, "U0SARAH", linked, 2)
    slack.drain()
    assert suggestions(runtime) == {}
    assert len(captured_touches(runtime)) == 1


def test_unlink_stops_capture_and_a_channel_has_one_account(slack, runtime, linked):
    slack.command("unlink", channel_id=EXT)
    assert slack.reply()["text"].startswith("Unlinked this channel from *Acme*")
    write(slack, "U0SARAH", linked, 1)
    slack.drain()
    assert captured_touches(runtime) == []
    slack.command("unlink", channel_id=EXT)
    assert slack.reply()["text"].startswith("This channel is not linked")
    slack.command("link Globex", channel_id=EXT)
    slack.reply()
    slack.command("link Acme", channel_id=EXT)
    assert "(it was linked to Globex)" in slack.reply()["text"]
    slack.command("link Acme", channel_id="C0ACME")
    slack.reply()
    with runtime.db.session() as session:
        acme = find_account(session, TEAM, "Acme")
        shown = account_map(session, TEAM, acme.id, runtime.today())
        assert session.scalar(select(Account.version).where(Account.id == acme.id)) > 1
    assert [c.channel_id for c in shown.channels] == ["C0ACME", EXT]



def test_the_account_modal_lists_channels_and_edits_domains_and_the_switch(slack, runtime, linked):
    view = slack.next_view(lambda: slack.command("edit Acme"))
    assert view["title"]["text"] == "Edit account"
    assert f"<#{EXT}>" in str(view["blocks"])
    answer = slack.submit(view, {"Customer e-mail domains": "Acme.example; nope"})
    assert "nope is not an e-mail domain" in answer.body
    slack.submit(view, {"Customer e-mail domains": "Acme.example, @acme.io", "Capture from Slack": "off"})
    slack.drain()
    with runtime.db.session() as session:
        acme = find_account(session, TEAM, "Acme")
        assert (acme.domains, acme.capture_enabled, acme.owner_user_id) == ("acme.example, acme.io", False, "U0CSM")
    write(slack, "U0SARAH", linked, 1)  # the switch is seen at once (the cache was dropped)
    slack.drain()
    assert captured_touches(runtime) == []


def warm(slack, linked):
    """Sarah's first message of the day (the touch created, the map's version bumped, Acme's domains proposed
    from her address, so the channel is looked up again) and a second one: channel and author are cached."""
    for n in (1, 2):
        write(slack, "U0SARAH", linked, n)
        slack.drain()


def test_a_burst_of_messages_costs_three_statements_in_all(slack, runtime, linked):
    """Messages handed on together are counted in one transaction: their event receipts, the touch's count,
    the channel's day. So a message in a busy channel costs under two statements, its receipt included."""
    from tests.sql_counter import count_statements

    warm(slack, linked)
    counting(runtime.db).window = 0.5  # a busy channel: ten messages arrive while the writer waits for company
    with count_statements(runtime.db.engine) as statements:
        for n in range(3, 13):
            write(slack, "U0SARAH", linked, n)
        slack.drain()
    assert [s.split()[2] for s in statements] == ["event_receipt", "touch", "channel_activity"], statements
    assert [t.capture_messages for t in captured_touches(runtime)] == [12]
    assert activity(runtime) == {(EXT, linked.date()): 12}


def test_a_lone_message_costs_its_receipt_and_two_counts(slack, runtime, linked):
    from tests.sql_counter import count_statements

    warm(slack, linked)
    with count_statements(runtime.db.engine) as statements:
        write(slack, "U0SARAH", linked, 3)
        slack.drain()
    assert [s.split()[2] for s in statements] == ["event_receipt", "touch", "channel_activity"], statements
    assert [t.capture_messages for t in captured_touches(runtime)] == [3]


def test_a_retry_in_the_same_batch_counts_once(slack, runtime, linked):
    warm(slack, linked)
    counting(runtime.db).window = 0.3
    message = message_event("U0SARAH", ts_of(linked, 3))
    _, event_id = deliver(slack, message)
    assert deliver(slack, message, retry=1, event_id=event_id)[0].status == 200
    write(slack, "U0SARAH", linked, 4)
    slack.drain()
    assert [t.capture_messages for t in captured_touches(runtime)] == [4]


def test_a_batch_the_database_refused_is_written_again_and_counts_once(slack, runtime, linked):
    """The database drops the connection as the touches are counted: the batch's transaction (its receipts
    too) is rolled back and written again, so nothing is lost and nothing counts twice."""
    warm(slack, linked)
    refusals = []

    def refuse_once(_conn, _cursor, statement, _params, _context, _executemany):
        if statement.startswith("INSERT INTO touch") and not refusals:
            refusals.append(statement)
            raise OperationalError(statement, {}, Exception("server closed the connection unexpectedly"))

    counting(runtime.db).window = 0.3
    event.listen(runtime.db.engine, "before_cursor_execute", refuse_once)
    try:
        for n in (3, 4, 5):
            write(slack, "U0SARAH", linked, n)
        slack.drain()
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", refuse_once)
    assert len(refusals) == 1
    assert [t.capture_messages for t in captured_touches(runtime)] == [5]
    assert activity(runtime) == {(EXT, linked.date()): 5}


def test_a_batch_never_written_is_logged_with_its_events(slack, runtime, linked, caplog):
    warm(slack, linked)

    def refuse(_conn, _cursor, statement, _params, _context, _executemany):
        if statement.startswith("INSERT INTO touch"):
            raise OperationalError(statement, {}, Exception("server closed the connection unexpectedly"))

    counting(runtime.db).pause = 0.01
    event.listen(runtime.db.engine, "before_cursor_execute", refuse)
    try:
        _, event_id = deliver(slack, message_event("U0SARAH", ts_of(linked, 3)))
        slack.drain()
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", refuse)
    lost = [r for r in caplog.records if r.levelname == "ERROR" and "was not written" in r.getMessage()]
    assert len(lost) == 1 and event_id in lost[0].getMessage()
    assert [t.capture_messages for t in captured_touches(runtime)] == [2]
    with runtime.db.session() as session:  # its receipt was rolled back with it: a retry from Slack would count
        assert session.get(EventReceipt, event_id) is None


def test_a_workspace_admin_turns_capture_off_in_the_settings(slack, standin, runtime, linked):
    standin.add_user("U0ADMIN", "alex", is_admin=True)
    slack.user_id = "U0ADMIN"
    view = slack.modal("settings")
    response = slack.submit(view, {"Keep captured touches and channel activity (days)": "10"})
    assert "from 30 to 3650" in response.body
    slack.submit(view, {"Capture from Slack Connect channels": "off",
                        "Keep captured touches and channel activity (days)": "90"})
    assert slack.reply()["text"] == ("Saved: capture on, captured rows kept 365 days → capture off, captured rows "
                                     "kept 90 days.")
    write(slack, "U0SARAH", linked, 1)
    slack.drain()
    assert captured_touches(runtime) == []
