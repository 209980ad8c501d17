"""People seen in Slack Connect but not on the map: on the map, Add to map (prefilled), Ignore."""

import pytest
from sqlalchemy import select

from app.core.models import CaptureSuggestion, Contact
from tests.block_limits import message_problems, view_problems
from tests.people_world import EXT_CHANNEL, TEAM, link, seen
from tests.seeding import seed_demo
from tests.slack_driver import modal_errors


@pytest.fixture
def acme(runtime):
    seed_demo(runtime, TEAM, channel="C0ACME")
    link(runtime, "Acme")
    seen(runtime, "Acme", "U0DANA", 14, "Dana Lee", "VP Engineering", "dana.lee@acme.com")
    seen(runtime, "Acme", "U0RAJ", 9, "Raj Patel", "Chief Financial Officer")
    seen(runtime, "Acme", "U0MIA", 6, "Mia Wong", "Head of Ops")
    seen(runtime, "Acme", "U0LEO", 4, "Leo Rossi", "Procurement Lead")
    seen(runtime, "Acme", "U0ANN", 3, "Ann Berg", "Software Engineer")
    seen(runtime, "Acme", "U0BOB", 2, "Bob <!channel> Smith", "Intern")
    seen(runtime, "Acme", "U0CAT", 1, None, None)


def seen_rows(posted: dict) -> list[dict]:
    return [b for b in posted["blocks"] if (b.get("accessory") or {}).get("action_id", "").startswith("seen_menu:")]


def pick(slack, posted: dict, user_id: str, label: str):
    row = next(b for b in seen_rows(posted) if b["accessory"]["action_id"].endswith(f":{user_id}"))
    option = next(o for o in row["accessory"]["options"] if o["text"]["text"] == label)
    return slack.choose(row["accessory"]["action_id"], option["value"], message=posted)


def acme_map(slack) -> dict:
    slack.command("Acme")
    return slack.reply()


def test_the_map_lists_the_top_five_by_messages_and_how_many_more(slack, acme):
    posted = acme_map(slack)
    assert message_problems(posted["blocks"], posted["text"]) == []
    texts = [b["text"]["text"] for b in posted["blocks"] if b["type"] == "section"]
    assert "*Seen in Slack, not on the map* (7)" in texts
    assert [row["text"]["text"] for row in seen_rows(posted)] == [
        "👤 *Dana Lee* · VP Engineering · 14 messages",
        "👤 *Raj Patel* · Chief Financial Officer · 9 messages",
        "👤 *Mia Wong* · Head of Ops · 6 messages",
        "👤 *Leo Rossi* · Procurement Lead · 4 messages",
        "👤 *Ann Berg* · Software Engineer · 3 messages",
    ]
    assert "+2 more seen in Slack." in str(posted["blocks"])


def test_add_to_map_opens_the_contact_modal_prefilled_from_slack(slack, standin, runtime, acme):
    posted = acme_map(slack)
    pick(slack, posted, "U0DANA", "Add to map")
    view = slack.wait_for_views(1)
    assert view_problems(view) == []
    initial = {b["block_id"]: b["element"].get("initial_value") or (b["element"].get("initial_option") or {}).get("value")
               for b in view["blocks"] if b["type"] == "input"}
    assert (initial["name"], initial["title"], initial["email"]) == ("Dana Lee", "VP Engineering", "dana.lee@acme.com")
    assert (initial["department"], initial["level"], initial["type"]) == ("Engineering", "vp", "decision_maker")

    assert slack.submit(view, {}).body == ""
    slack.drain()
    with runtime.db.session() as session:
        dana = session.scalar(select(Contact).where(Contact.name == "Dana Lee"))
        assert dana.slack_user_id == "U0DANA" and dana.team_id == TEAM
        assert session.get(CaptureSuggestion, (TEAM, dana.account_id, "U0DANA")) is None
    redrawn = acme_map(slack)
    assert "Dana Lee · VP Engineering · 14 messages" not in str(redrawn["blocks"])
    assert "*Seen in Slack, not on the map* (6)" in str(redrawn["blocks"])


def test_a_cfo_is_prefilled_as_c_level_finance_economic_buyer(slack, acme):
    pick(slack, acme_map(slack), "U0RAJ", "Add to map")
    view = slack.wait_for_views(1)
    chosen = {b["block_id"]: (b["element"].get("initial_option") or {}).get("value")
              for b in view["blocks"] if b["type"] == "input"}
    assert (chosen["level"], chosen["type"]) == ("c_level", "economic_buyer")


def test_a_duplicate_name_is_refused_and_the_suggestion_stays(slack, runtime, acme):
    seen(runtime, "Acme", "U0SARAH2", 20, "Sarah Kim", "CFO")
    pick(slack, acme_map(slack), "U0SARAH2", "Add to map")
    response = slack.submit(slack.wait_for_views(1), {})
    assert "already on the Acme map" in modal_errors(response)["name"]
    with runtime.db.session() as session:
        assert session.scalar(select(CaptureSuggestion).where(CaptureSuggestion.slack_user_id == "U0SARAH2")) is not None


def test_ignore_is_never_suggested_again(slack, standin, runtime, acme):
    pick(slack, acme_map(slack), "U0MIA", "Ignore")
    told, redrawn = slack.replies(2)
    assert told["text"] == "*Mia Wong* will not be suggested for *Acme* again."
    assert redrawn["replace_original"] is True and "Mia Wong" not in str(redrawn["blocks"])
    with runtime.db.session() as session:
        row = session.scalar(select(CaptureSuggestion).where(CaptureSuggestion.slack_user_id == "U0MIA"))
        assert row.ignored_by == "U0CSM" and row.ignored_at is not None
    assert "Mia Wong" not in str(acme_map(slack)["blocks"])


def test_an_ignored_or_added_person_cannot_be_acted_on_again(slack, acme):
    posted = acme_map(slack)
    pick(slack, posted, "U0MIA", "Ignore")
    slack.replies(2)
    pick(slack, posted, "U0MIA", "Add to map")
    assert slack.reply()["text"] == "That person is no longer suggested for this account."


def test_another_workspace_cannot_act_on_the_suggestions(other_slack, slack, runtime, acme):
    posted = acme_map(slack)
    pick(other_slack, posted, "U0DANA", "Ignore")
    assert other_slack.reply()["text"] == "That person is no longer suggested for this account."
    with runtime.db.session() as session:
        assert session.scalar(select(CaptureSuggestion.ignored_at).where(CaptureSuggestion.slack_user_id == "U0DANA")) is None


def test_the_map_in_the_shared_channel_is_only_for_the_caller(slack, standin, runtime, acme):
    standin.add_channel(EXT_CHANNEL, "ext-acme", shared=True)
    slack.command("Acme", channel_id=EXT_CHANNEL)
    shown = slack.replies(2)
    assert all(reply["response_type"] == "ephemeral" for reply in shown)
    assert "Seen in Slack, not on the map" in str(shown[0]["blocks"])
    assert standin.calls_to("chat.postMessage") == []
