"""Each contact's menu on the map: edit (only what changed is saved, with history), fill in, log, remove."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.domain import Sentiment
from app.core.models import Contact, ContactChange, PlanStep, Touch, TouchCreate
from tests.block_limits import message_problems, view_problems
from tests.conftest import TEAM
from tests.seeding import seed_demo
from tests.slack_driver import modal_errors


def contact(runtime, name: str | None = None, title: str | None = None) -> Contact:
    with runtime.db.session() as session:
        query = select(Contact).where(Contact.team_id == TEAM)
        query = query.where(Contact.name == name) if name else query.where(Contact.title == title)
        return session.scalar(query)


def menu(posted: dict, contact_id: int) -> dict:
    return next(b["accessory"] for b in posted["blocks"]
                if b.get("accessory", {}).get("action_id") == f"contact_menu:{contact_id}")


def choose(slack, posted: dict, contact_id: int, label: str, **where):
    option = next(o for o in menu(posted, contact_id)["options"] if o["text"]["text"] == label)
    return slack.choose(f"contact_menu:{contact_id}", option["value"], message=posted, **where)


def section_texts(blocks: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


@pytest.fixture
def acme_map(slack, runtime) -> dict:
    seed_demo(runtime, TEAM)
    slack.command("Acme")
    return slack.reply()


def test_every_contact_row_has_a_menu(acme_map, runtime):
    sarah, cto = contact(runtime, "Sarah Kim"), contact(runtime, title="CTO")
    assert [o["text"]["text"] for o in menu(acme_map, sarah.id)["options"]] == [
        "Edit", "Log touch", "Left the company", "Remove", "Forget (erase data)"]
    assert [o["text"]["text"] for o in menu(acme_map, cto.id)["options"]] == [
        "Fill in name", "Log touch", "Left the company", "Remove", "Forget (erase data)"]


def test_edit_saves_only_what_changed_and_redraws_the_map(slack, standin, runtime, acme_map):
    sarah = contact(runtime, "Sarah Kim")
    choose(slack, acme_map, sarah.id, "Edit")
    modal = slack.wait_for_views(1)
    assert modal["title"]["text"] == "Edit contact" and view_problems(modal) == []
    by_block = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert by_block["name"]["initial_value"] == "Sarah Kim" and by_block["title"]["initial_value"] == "CFO"
    assert by_block["type"]["initial_option"]["value"] == "economic_buyer"
    assert by_block["sentiment"]["initial_option"]["value"] == "neutral"
    # meanwhile a colleague logs a touch that leaves Sarah skeptical
    with runtime.db.session() as session:
        from app.services.accounts import get_account
        from app.services.touches import log_touch

        account = get_account(session, TEAM, sarah.account_id)
        log_touch(session, account, TouchCreate(contact_id=sarah.id, occurred_on=date(2026, 3, 3), kind="call",
                                                sentiment_after=Sentiment.SKEPTICAL), "U0COLLEAGUE", runtime.now())
    assert slack.submit(modal, {"Title": "Chief Financial Officer", "Relationship strength": "Adequate"}).body == ""
    confirmation, redrawn = slack.replies(2)
    assert confirmation == confirmation | {"response_type": "ephemeral", "replace_original": False}
    assert confirmation["text"] == "Saved *Sarah Kim* at *Acme*: title, relationship."
    assert redrawn["replace_original"] is True and message_problems(redrawn["blocks"], redrawn["text"]) == []
    text = section_texts(redrawn["blocks"])
    assert "*Sarah Kim* · Chief Financial Officer" in text
    assert "Economic Buyer · Adequate · Mar 3 (call) · Skeptical · _Neutral → Skeptical since Mar 10_" in text
    assert "_relationship Weak → Adequate since Mar 10_" in text
    saved = contact(runtime, "Sarah Kim")
    assert (saved.title, saved.relationship.value, saved.sentiment.value) == ("Chief Financial Officer", "adequate",
                                                                              "skeptical")
    with runtime.db.session() as session:
        changes = session.scalars(select(ContactChange).where(ContactChange.contact_id == sarah.id)
                                  .order_by(ContactChange.id)).all()
        assert [(c.field, c.old_value, c.new_value, c.changed_by) for c in changes] == [
            ("sentiment", "neutral", "skeptical", "U0COLLEAGUE"), ("title", "CFO", "Chief Financial Officer", "U0CSM"),
            ("relationship", "weak", "adequate", "U0CSM")]  # the title too: a CRM sync weighs its time (issue 13)


def test_a_placeholder_is_filled_in(slack, runtime, acme_map):
    cto = contact(runtime, title="CTO")
    choose(slack, acme_map, cto.id, "Fill in name")
    modal = slack.wait_for_views(1)
    assert modal["title"]["text"] == "Fill in contact"
    assert slack.submit(modal, {"Name": "Raj Patel"}).body == ""
    assert slack.replies(2)[0]["text"] == "Saved *Raj Patel* at *Acme*: name."
    filled = contact(runtime, "Raj Patel")
    assert (filled.id, filled.title, filled.name_key, filled.status.value) == (cto.id, "CTO", "raj patel", "not_engaged")


def test_bad_edits_are_field_errors_and_change_nothing(slack, runtime, acme_map):
    sarah, tom, lisa = contact(runtime, "Sarah Kim"), contact(runtime, "Tom Chen"), contact(runtime, "Lisa Park")
    choose(slack, acme_map, sarah.id, "Edit")
    modal = slack.wait_for_views(1)
    assert modal_errors(slack.submit(modal, {"Name": "tom  CHEN"})) == {"name": "tom CHEN is already on the Acme map."}
    assert modal_errors(slack.submit(modal, {"Name": None, "Title": None})) == {
        "name": "Give a name or, when the name is unknown, a title such as 'CTO'."}
    assert modal_errors(slack.submit(modal, {"E-mail": "sarah at acme"})) == {
        "email": "That does not look like an e-mail address."}
    # Tom cannot report to Lisa while Lisa reports to Tom
    choose(slack, acme_map, lisa.id, "Edit")
    slack.submit(slack.wait_for_views(2), {"Reports to": "Tom Chen — VP Engineering · Champion"})
    choose(slack, acme_map, tom.id, "Edit")
    tom_modal = slack.wait_for_views(3)
    reports = next(b for b in tom_modal["blocks"] if b.get("block_id") == "reports_to_id")["element"]["options"]
    assert "Tom Chen — VP Engineering · Champion" not in [o["text"]["text"] for o in reports]  # not himself
    assert modal_errors(slack.submit(tom_modal, {"Reports to": "Lisa Park — Eng Manager · Technical Lead"})) == {
        "reports_to_id": "Tom Chen cannot report to someone in their own team."}
    assert contact(runtime, "Sarah Kim").updated_at == sarah.updated_at
    assert contact(runtime, "Tom Chen").reports_to_id == tom.reports_to_id != lisa.id


def test_log_touch_from_the_menu_preselects_the_contact(slack, runtime, acme_map):
    lisa = contact(runtime, "Lisa Park")
    choose(slack, acme_map, lisa.id, "Log touch")
    who = next(b for b in slack.wait_for_views(1)["blocks"] if b.get("block_id") == "contact_id")["element"]
    assert who["initial_option"]["value"] == str(lisa.id)


def test_the_owner_removes_a_contact_after_confirming(slack, standin, runtime, acme_map):
    sarah = contact(runtime, "Sarah Kim")
    with runtime.db.session() as session:
        session.add(PlanStep(team_id=TEAM, account_id=sarah.account_id, contact_id=sarah.id, path="Via Tom",
                             first_action="Lunch", created_at=runtime.now()))
    choose(slack, acme_map, sarah.id, "Remove")
    confirm = slack.wait_for_views(1)
    assert confirm["callback_id"] == "remove_contact_modal" and confirm["submit"]["text"] == "Remove"
    assert "Remove *Sarah Kim* from *Acme*?" in section_texts(confirm["blocks"])
    assert standin.calls_to("users.info") == []  # the owner needs no admin check
    assert slack.submit(confirm).body == ""
    confirmation, redrawn = slack.replies(2)
    assert confirmation["text"] == "Removed *Sarah Kim* from *Acme*."
    assert "Sarah Kim" not in section_texts(redrawn["blocks"]).split("*Coverage Assessment*")[0]
    assert contact(runtime, "Sarah Kim") is None
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Touch).where(Touch.contact_id == sarah.id)) == 0
        step = session.scalar(select(PlanStep))
        assert (step.contact_id, step.target_role) == (None, "Sarah Kim")


def test_only_the_owner_or_an_admin_may_remove(slack, standin, runtime, acme_map):
    sarah = contact(runtime, "Sarah Kim")
    standin.add_user("U0PEER", "peer")
    choose(slack, acme_map, sarah.id, "Remove", user_id="U0PEER")
    assert slack.reply()["text"] == ("Only its owner <@U0CSM> or a workspace admin can remove contacts from *Acme*. "
                                     "Ask them, or edit the contact instead.")
    assert standin.calls_to("views.open") == []
    standin.add_user("U0ADMIN", "admin", is_admin=True)
    choose(slack, acme_map, sarah.id, "Remove", user_id="U0ADMIN")
    confirm = slack.wait_for_views(1)
    # the peer replays the admin's confirmation: refused at submission too
    refused = slack.submit(confirm, user_id="U0PEER")
    assert '"response_action": "update"' in refused.body and "Only its owner" in refused.body
    assert contact(runtime, "Sarah Kim") is not None
    assert slack.submit(confirm, user_id="U0ADMIN").body == ""
    assert contact(runtime, "Sarah Kim") is None


def test_forget_from_the_menu_asks_to_confirm_then_erases_and_redraws(slack, runtime, acme_map):
    sarah = contact(runtime, "Sarah Kim")
    choose(slack, acme_map, sarah.id, "Forget (erase data)")
    confirm = slack.wait_for_views(1)
    assert confirm["callback_id"] == "forget_modal" and "Sarah Kim" in section_texts(confirm["blocks"])
    assert slack.submit(confirm).body == ""
    confirmation, redrawn = slack.replies(2)
    assert confirmation["text"].startswith("Erased the personal data of a contact (Economic Buyer) at *Acme*")
    assert redrawn["replace_original"] is True and "Sarah Kim" not in str(redrawn["blocks"])
    assert contact(runtime, "Sarah Kim") is None


def test_another_workspace_cannot_use_the_menu(slack, other_slack, runtime, acme_map):
    sarah = contact(runtime, "Sarah Kim")
    for label in ("Edit", "Remove", "Log touch", "Forget (erase data)"):
        choose(other_slack, acme_map, sarah.id, label)
        assert other_slack.reply()["text"] == "That contact no longer exists."
    assert contact(runtime, "Sarah Kim").updated_at == sarah.updated_at


def test_edits_in_a_map_opened_from_the_home_redraw_that_map(slack, standin, runtime):
    seed_demo(runtime, TEAM)
    slack.open_home()
    home = slack.home()
    acme = next(b["accessory"]["value"] for b in home["blocks"]
                if b.get("accessory", {}).get("action_id") == "home_open_map" and "*Acme*" in b["text"]["text"])
    slack.click("home_open_map", acme, view=home)
    map_view = slack.shown()
    lisa = contact(runtime, "Lisa Park")
    choose(slack, map_view, lisa.id, "Edit", view=map_view)
    [push] = standin.wait_for("views.push", ok=True)
    edit = push.response["view"]
    assert slack.submit(edit, {"Sentiment": "Advocate"}).body == ""
    [update] = standin.wait_for("views.update", ok=True)
    assert update.body["view_id"] == map_view["id"]
    assert "Supportive → Advocate since Mar 10" in section_texts(update.body["view"]["blocks"])
    assert standin.calls_to("response_url") == []  # a modal has no response_url: nothing posted anywhere
    assert len(standin.wait_for("views.publish", count=2)) == 2  # the Home opened, then refreshed
