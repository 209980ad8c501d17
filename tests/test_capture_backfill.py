"""Backfill, privacy and retention of Slack Connect capture: linking reads the channel's last 90 days from the
Slack stand-in (conversations.history and .replies, paged, with Retry-After), as often as it likes without
counting twice; `forget` erases what capture knew about a person; old captured rows are pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import select

from app.core.models import AccountChannel, CaptureSignal, SlackUser, Workspace
from app.core.presence import SignalKind
from app.jobs.capture_jobs import prune_pass
from app.services.accounts import find_account
from app.services.erasure import forget_contact
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
from tests.test_capture_through_slack import contact_named
from tests.test_shared_channels_through_slack import assert_nothing_public


@pytest.fixture(autouse=True)
def _fresh_cache():
    reset_capture_cache()
    yield
    reset_capture_cache()


@pytest.fixture
def history(standin, runtime):
    """#ext-acme's last months, as Slack keeps them: Sarah Kim (on the map) 250 messages over five days
    (two pages), a thread where Dan Brown (not on the map) replies twice, a bot's post, one of our
    colleagues, and Sarah's messages from four months ago (outside the 90 days)."""
    now = runtime.now()
    standin.add_channel(EXT, "ext-acme", shared=True)
    standin.add_customer("U0SARAH", "Sarah Kim", email="sarah.kim@acme.example")
    standin.add_customer("U0DAN", "Dan Brown", email="dan@acme.example")
    standin.add_user("U0MATE", "mate")
    seed_demo(runtime, TEAM, owner="U0CSM")
    for n in range(250):
        standin.add_message(EXT, "U0SARAH", ts_of(now - timedelta(days=1 + n % 5), n))
    parent = ts_of(now - timedelta(days=2), 900)
    standin.add_message(EXT, "U0MATE", parent, user_team=TEAM, thread_ts=parent)
    standin.add_message(EXT, "U0DAN", ts_of(now - timedelta(days=2), 901), thread_ts=parent)
    standin.add_message(EXT, "U0DAN", ts_of(now - timedelta(days=1), 902), thread_ts=parent)
    standin.add_message(EXT, "U0BOT", ts_of(now - timedelta(days=1), 903), subtype="bot_message", bot_id="B0X")
    for n in range(3):
        standin.add_message(EXT, "U0SARAH", ts_of(now - timedelta(days=120), n))
    return now


def link(slack):
    slack.command("link Acme", channel_id=EXT)
    slack.reply()
    slack.drain()


def counts(runtime) -> list[tuple[str, int]]:
    return [(str(t.capture_day), t.capture_messages) for t in captured_touches(runtime)]


def test_linking_reads_the_last_90_days_once(slack, standin, runtime, history):
    link(slack)
    assert counts(runtime) == [(str((history - timedelta(days=d)).date()), 50) for d in (5, 4, 3, 2, 1)]
    assert suggestions(runtime) == {"U0DAN": (2, False)}
    assert sum(activity(runtime).values()) == 252
    with runtime.db.session() as session:
        link_row = session.get(AccountChannel, (TEAM, EXT))
        assert link_row.backfilled_at is not None and link_row.last_customer_message_at is not None
    history_calls = standin.calls_to("conversations.history", ok=True)
    assert len(history_calls) == 2 and history_calls[1].body["cursor"]  # paged
    assert len(standin.calls_to("conversations.replies", ok=True)) == 1
    assert_nothing_public(standin)


def test_backfill_again_and_live_capture_never_count_twice(slack, standin, runtime, history):
    link(slack)
    live = ts_of(history, 5)
    standin.add_message(EXT, "U0SARAH", live)  # Slack keeps it, and delivers it as an event
    deliver(slack, message_event("U0SARAH", live))
    slack.drain()
    today = (str(history.date()), 1)
    assert counts(runtime)[-1] == today
    link(slack)  # linking again reads the history again
    assert counts(runtime)[-1] == today and counts(runtime)[0][1] == 50
    assert suggestions(runtime) == {"U0DAN": (2, False)}


def test_backfill_waits_out_retry_after_and_a_failed_read_is_not_marked_done(slack, standin, runtime, history):
    standin.fail("conversations.history", status=429, retry_after=1)
    link(slack)
    assert len(counts(runtime)) == 5
    with runtime.db.session() as session:
        session.get(AccountChannel, (TEAM, EXT)).backfilled_at = None
    standin.fail("conversations.history", status=500, times=10, after=1)  # the second page never comes
    link(slack)
    with runtime.db.session() as session:
        assert session.get(AccountChannel, (TEAM, EXT)).backfilled_at is None


def test_the_cli_backfills_an_account(runtime, standin, history, monkeypatch, slack):
    from app.edge.cli import cli

    link(slack)
    for n in range(3):  # the command line runs on the real clock: Sarah wrote today
        standin.add_message(EXT, "U0SARAH", ts_of(datetime.now(UTC), n))
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", standin.api_url)
    monkeypatch.delenv("SLACK_CLIENT_ID", raising=False)
    result = CliRunner().invoke(cli, ["capture", "backfill", "Acme"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "#acme: 3 customer messages counted.\n"
    assert [count for _day, count in counts(runtime)] == [50, 50, 50, 50, 50, 3]  # the earlier days unchanged
    result = CliRunner().invoke(cli, ["capture", "backfill", "Nowhere"])
    assert result.exit_code == 1 and "No account named 'Nowhere'" in result.output


def test_forget_erases_what_capture_knew_about_the_person(slack, runtime, history):
    link(slack)
    sarah = contact_named(runtime, "Sarah Kim")
    assert sarah.slack_user_id == "U0SARAH"
    with runtime.db.session() as session:
        account = find_account(session, TEAM, "Acme")
        for kind, detail in ((SignalKind.TITLE, "Chief Financial Officer"), (SignalKind.LEFT_CHANNEL, "C0EXT")):
            session.add(CaptureSignal(team_id=TEAM, account_id=account.id, contact_id=sarah.id, kind=kind.value,
                                      detail=detail, created_at=runtime.now()))
    with runtime.db.session() as session:
        account = find_account(session, TEAM, "Acme")
        forget_contact(session, account, session.merge(sarah), "U0CSM", runtime.now())
    with runtime.db.session() as session:
        assert session.get(SlackUser, (TEAM, "U0SARAH")) is None
        assert session.exec(select(CaptureSignal.kind, CaptureSignal.detail)).all() == [("left_channel", "C0EXT")]
    erased = [t for t in captured_touches(runtime) if t.contact_id == sarah.id]
    assert len(erased) == 5 and {(t.capture_messages, t.capture_channel_id, t.notes) for t in erased} == {
        (None, None, None)}
    assert contact_named(runtime, "Erased contact").slack_user_id is None


def test_captured_rows_past_the_retention_are_pruned(slack, runtime, history):
    link(slack)
    with runtime.db.session() as session:
        workspace = session.get(Workspace, TEAM)
        workspace.config = {**workspace.config, "capture": {"enabled": True, "retention_days": 30}}
    runtime.clock.moment += timedelta(days=28)  # the cutoff is Mar 8: Mar 5, 6 and 7 go
    pruned = prune_pass(runtime)
    assert pruned[TEAM] == (3, 3)  # Sarah's touches and the channel's activity of those days
    assert len(captured_touches(runtime)) == 2
    assert min(day for _channel, day in activity(runtime)) >= runtime.today() - timedelta(days=30)
