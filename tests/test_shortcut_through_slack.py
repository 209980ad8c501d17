"""The "Log as touch" message shortcut: the message's text becomes the notes of a touch."""

import json

from sqlalchemy import select

from app.core.models import NOTES_MAX, Touch
from tests.block_limits import view_problems
from tests.conftest import OTHER_TEAM, TEAM
from tests.seeding import account_id, seed_demo
from tests.slack_driver import modal_errors

NOTES = "Call with Sarah: budget review in April, wants <https://acme.example|the ROI deck> first."


def block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_in_a_linked_channel_the_account_is_guessed(slack, standin, runtime):
    seed_demo(runtime, TEAM, channel="C0ACME")
    assert slack.shortcut("log_as_touch", NOTES).status == 200
    view = slack.wait_for_views(1)
    assert view_problems(view) == [] and view["title"]["text"] == "Log as touch"
    assert block(view, "account_id")["element"]["initial_option"]["text"]["text"] == "Acme"
    assert block(view, "notes")["element"]["initial_value"] == NOTES
    who = [o["text"]["text"] for o in block(view, "contact_id")["element"]["options"]]
    assert "Sarah Kim — CFO · Economic Buyer" in who
    assert slack.submit(view, {"Who": "Sarah Kim — CFO · Economic Buyer", "Kind": "call"}).body == ""
    assert slack.reply()["text"] == "Logged a call with *Sarah Kim* at *Acme* (Mar 10)."
    acme = account_id(runtime, TEAM, "Acme")
    with runtime.db.session() as session:
        touch = session.scalar(select(Touch).where(Touch.logged_by.is_not(None)))
        assert (touch.notes, touch.account_id, touch.logged_by) == (NOTES, acme, "U0CSM")


def test_elsewhere_the_account_is_picked_first(slack, standin, runtime):
    seed_demo(runtime, TEAM)
    slack.shortcut("log_as_touch", "x" * 5000, channel_id="C0RANDOM")
    view = slack.shown()
    assert "initial_option" not in block(view, "account_id")["element"]
    assert block(view, "notes")["element"]["initial_value"] == "x" * (NOTES_MAX - 1) + "…"
    assert "contact_id" not in {b.get("block_id") for b in view["blocks"]}
    # submitting before picking: the account is asked for (Slack would also refuse the empty required input)
    assert modal_errors(slack.submit(view)) == {"account_id": "Pick the account."}
    # type-ahead over the workspace's accounts
    options = json.loads(slack.options(view, "account_id", "account_picker", "ini").body)["options"]
    assert [o["text"]["text"] for o in options] == ["Initech"]
    initech = str(account_id(runtime, TEAM, "Initech"))
    slack.choose("account_picker", initech, block_id="account_id", view=view, kind="external_select")
    [update] = standin.wait_for("views.update", ok=True)
    assert update.body["view_id"] == view["id"]
    updated = update.response["view"]
    assert view_problems(updated) == []
    assert block(updated, "account_id")["element"]["initial_option"]["value"] == initech
    who = [o["text"]["text"] for o in block(updated, "contact_id")["element"]["options"]]
    assert who == ["Bill Lumbergh — VP Operations · Detractor", "Bob Slydell — CFO · Economic Buyer",
                   "Peter Gibbons — Engineering Manager · Champion"]
    assert slack.submit(updated, {"Who": "Peter Gibbons — Engineering Manager · Champion",
                                  "Account": {"text": {"type": "plain_text", "text": "Initech"}, "value": initech}}).body == ""
    with runtime.db.session() as session:
        assert session.scalar(select(Touch.account_id).where(Touch.logged_by == "U0CSM")) == int(initech)


def test_another_workspace_cannot_pick_or_see_these_accounts(slack, other_slack, standin, runtime):
    seed_demo(runtime, TEAM, channel="C0ACME")
    other_slack.shortcut("log_as_touch", NOTES)  # same channel id, other workspace: no guess
    view = other_slack.shown()
    assert "initial_option" not in block(view, "account_id")["element"]
    assert json.loads(other_slack.options(view, "account_id", "account_picker", "").body) == {"options": []}
    acme = str(account_id(runtime, TEAM, "Acme"))
    other_slack.choose("account_picker", acme, block_id="account_id", view=view, kind="external_select")
    updated = standin.wait_for("views.update", ok=True)[0].response["view"]
    assert "initial_option" not in block(updated, "account_id")["element"]  # not theirs: pick again
    # a view of this workspace's flow, replayed from the other workspace with its own team in the metadata
    slack.shortcut("log_as_touch", NOTES)
    theirs = slack.shown(count=2)
    forged = json.dumps({"team_id": OTHER_TEAM, "account_id": int(acme)})
    sarah = "Sarah Kim — CFO · Economic Buyer"
    response = other_slack.submit(theirs, {"Who": sarah}, private_metadata=forged)
    assert modal_errors(response) == {"account_id": "That account no longer exists."}
    assert other_slack.submit(theirs, {"Who": sarah}).body == ""  # T0001's metadata: ignored, the modal closes
    with runtime.db.session() as session:
        assert session.scalar(select(Touch).where(Touch.logged_by.is_not(None))) is None


def test_an_account_without_contacts_says_so(slack, standin, runtime):
    slack.command("new Umbrella")
    slack.submit(slack.wait_for_views(1), {"Account channel": "C0UMB"})
    slack.shortcut("log_as_touch", NOTES, channel_id="C0UMB")
    view = slack.wait_for_views(2)
    assert "*Umbrella* has no contacts yet" in str(view["blocks"])
    assert modal_errors(slack.submit(view)) == {
        "account_id": "This account has no contacts yet: add one with /stakemap add first."}
