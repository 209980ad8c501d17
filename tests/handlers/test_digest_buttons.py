"""The digest's buttons, clicked as Slack sends them: Log touch, Snooze 2 weeks, Left the company."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.domain import ContactStatus, StakeholderType
from app.core.models import Contact, ContactChange
from app.jobs.sweep import run_sweep
from app.platform.slack_client import web_client
from tests.block_limits import message_problems
from tests.nudge_world import MONDAY, Person, at, seed_account

TEAM = "T0001"
T = StakeholderType


@pytest.fixture
def digest(runtime, slack, standin):
    """Ana's digest for an Acme whose champion and buyer went stale, as delivered."""
    standin.add_user("U0ANA", "ana", tz="UTC")
    ids = seed_account(runtime, "Acme", "U0ANA", [
        Person("Tom Chen", T.CHAMPION, touched=35, title="VP Engineering"),
        Person("Sarah Kim", T.ECONOMIC_BUYER, touched=95, title="CFO"),
        Person("Lisa Park", T.TECHNICAL_LEAD, touched=70, title="Eng Manager"),
    ], renewal_in=112, channel="C0ACME")
    runtime.clock.set(at(MONDAY, 9, 30))
    run_sweep(runtime, web_client(runtime.settings), TEAM)
    [call] = standin.calls_to("chat.postMessage", ok=True)
    standin.clear()
    slack.user_id = "U0ANA"
    return ids, call.response["message"]


def click(slack, message, action: str, contact_id: int):
    block_id = f"nudge_actions:{contact_id}"
    return slack.click(f"{action}:{contact_id}", str(contact_id), block_id=block_id, message=message)


def contact(runtime, contact_id) -> Contact:
    with runtime.db.session() as session:
        return session.get(Contact, contact_id)


def test_log_touch_opens_the_touch_modal_with_the_contact_chosen(runtime, slack, digest):
    ids, message = digest
    click(slack, message, "nudge_log_touch", ids["Sarah Kim"])
    view = slack.wait_for_views(1)
    who = next(b for b in view["blocks"] if b.get("block_id") == "contact_id")["element"]
    assert who["initial_option"]["value"] == str(ids["Sarah Kim"])
    assert slack.submit(view, {"Kind": "meeting"}).body == ""
    assert slack.reply()["text"].startswith("Logged a meeting with *Sarah Kim* at *Acme*")
    with runtime.db.session() as session:
        from app.services.nudges import stale_relationships

        left = [item.contact_name for item in stale_relationships(session, TEAM, "U0ANA", MONDAY, 20).items]
    assert "Sarah Kim" not in left and "Tom Chen" in left


def test_log_touch_for_someone_who_left_says_so(runtime, slack, standin, digest):
    ids, message = digest
    click(slack, message, "nudge_left", ids["Lisa Park"])
    slack.reply()
    click(slack, message, "nudge_log_touch", ids["Lisa Park"])
    assert slack.reply()["text"] == "*Lisa Park* has left the company: there is no one to touch."
    assert standin.calls_to("views.open") == []


def test_snooze_hides_for_two_weeks_settles_the_item_and_shows_on_the_map(runtime, slack, standin, digest):
    ids, message = digest
    click(slack, message, "nudge_snooze", ids["Tom Chen"])
    updated = slack.reply()
    assert updated["replace_original"] is True
    assert message_problems(updated["blocks"], updated["text"]) == []
    settled = next(b for b in updated["blocks"] if b.get("block_id") == f"nudge_actions:{ids['Tom Chen']}")
    assert settled["type"] == "context"
    assert settled["elements"][0]["text"].startswith("💤 *Tom Chen* snoozed until Mar 23")
    assert contact(runtime, ids["Tom Chen"]).snoozed_until == MONDAY + timedelta(days=14)
    assert contact(runtime, ids["Tom Chen"]).snoozed_by == "U0ANA"
    slack.command("Acme")
    map_text = str(slack.reply()["blocks"])
    assert "💤 snoozed until Mar 23" in map_text


def test_snooze_from_another_workspace_changes_nothing(runtime, other_slack, digest):
    ids, message = digest
    click(other_slack, message, "nudge_snooze", ids["Tom Chen"])
    assert other_slack.reply()["text"] == "That contact no longer exists."
    assert contact(runtime, ids["Tom Chen"]).snoozed_until is None


def test_champion_left_posts_the_coverage_change_in_the_accounts_channel(runtime, slack, standin, digest):
    ids, message = digest
    click(slack, message, "nudge_left", ids["Tom Chen"])
    [post] = standin.wait_for("chat.postMessage")
    assert post.body["channel"] == "C0ACME"
    text = post.body["blocks"][0]["text"]["text"]
    assert text.startswith("⚠️ *Coverage changed at Acme*: *Tom Chen* (VP Engineering), the champion, left the "
                           "company — recorded by <@U0ANA>.")
    assert "Overall risk: 🔴 *High*" in text
    assert "💡 *Suggested next step:* Identify a new champion to replace Tom Chen" in text
    assert message_problems(post.body["blocks"], post.body["text"]) == []
    updated = slack.reply()
    settled = next(b for b in updated["blocks"] if b.get("block_id") == f"nudge_actions:{ids['Tom Chen']}")
    assert settled["elements"][0]["text"] == ("🚪 Marked *Tom Chen* (Champion) at *Acme* as left the company. "
                                              "Coverage changed: posted in <#C0ACME>.")
    with runtime.db.session() as session:
        change = session.scalar(select(ContactChange).where(ContactChange.contact_id == ids["Tom Chen"]))
    assert (change.field, change.old_value, change.new_value, change.changed_by) == ("status", "active", "left", "U0ANA")
    assert change.changed_at == runtime.now()
    assert contact(runtime, ids["Tom Chen"]).status == ContactStatus.LEFT


def test_a_technical_lead_leaving_posts_nothing(runtime, slack, standin, digest):
    ids, message = digest
    click(slack, message, "nudge_left", ids["Lisa Park"])
    updated = slack.reply()
    assert standin.calls_to("chat.postMessage") == []
    assert "Marked *Lisa Park* (Technical Lead) at *Acme* as left the company." in str(updated["blocks"])
    assert contact(runtime, ids["Lisa Park"]).status == ContactStatus.LEFT


def test_pressing_left_twice_records_and_posts_once(runtime, slack, standin, digest):
    ids, message = digest
    click(slack, message, "nudge_left", ids["Sarah Kim"])
    slack.reply()
    click(slack, message, "nudge_left", ids["Sarah Kim"])
    assert "had already left the company" in str(slack.reply()["blocks"])
    assert len(standin.calls_to("chat.postMessage")) == 1
    with runtime.db.session() as session:
        assert len(session.scalars(select(ContactChange).where(ContactChange.contact_id == ids["Sarah Kim"])).all()) == 1
