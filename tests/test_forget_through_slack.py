"""Forgetting a person through Slack: /stakemap forget → pick → confirm. Only the account owner or a
workspace admin may; the personal data goes, the anonymous counts and the erasure record stay."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.core.domain import Sentiment
from app.core.models import Contact, ContactChange, Erasure, Touch
from app.services.accounts import find_account
from app.services.contacts import find_contact
from app.services.demo import load_demo
from app.services.history import apply_changes
from tests.block_limits import view_problems
from tests.conftest import TEAM

SARAH = "Sarah Kim — CFO · Economic Buyer"


@pytest.fixture
def acme(runtime):
    """The demo's Acme, owned by the driver's user U0CSM; Sarah's sentiment changed once (history)."""
    with runtime.db.session() as session:
        load_demo(session, TEAM, runtime.now())
        account = find_account(session, TEAM, "Acme")
        account.owner_user_id = "U0CSM"
        apply_changes(session, find_contact(session, account, "Sarah Kim"), {"sentiment": Sentiment.SKEPTICAL},
                      "U0CSM", runtime.now())
        return account.id


def pick_and_confirm(slack, who: str = SARAH, user_id: str | None = None):
    slack.command("forget acme", user_id=user_id)
    pick = slack.wait_for_views(1)
    assert pick["callback_id"] == "forget_pick_modal" and view_problems(pick) == []
    answer = slack.submit(pick, {"Who": who}, user_id=user_id)
    assert answer.status == 200
    confirm = json.loads(answer.body)
    assert confirm["response_action"] == "update" and view_problems(confirm["view"]) == []
    return confirm["view"]


def test_the_owner_forgets_a_person_after_confirming(slack, standin, runtime, acme):
    slack.command("Acme")
    assert "Sarah Kim" in json.dumps(slack.reply()["blocks"])  # rendered (and cached) before the erasure
    confirm = pick_and_confirm(slack)
    text = confirm["blocks"][0]["text"]["text"]
    assert text.startswith("Forget *Sarah Kim — CFO · Economic Buyer* at *Acme*?")
    assert confirm["submit"]["text"] == "Forget"
    with runtime.db.session() as session:  # nothing happens before the confirmation
        assert session.scalar(select(Erasure)) is None
    assert slack.submit(confirm).body == ""
    assert slack.reply()["text"] == ("Erased the personal data of a contact (Economic Buyer) at *Acme*. "
                                     "The erasure is recorded.")
    with runtime.db.session() as session:
        erasure = session.scalar(select(Erasure))
        gone = session.get(Contact, erasure.contact_id)
        assert (erasure.erased_by, erasure.touches, erasure.changes, erasure.account_id) == ("U0CSM", 1, 1, acme)
        assert (gone.name, gone.title, gone.notes, gone.email, gone.objectives) == ("Erased contact", None, None, None, None)
        assert (gone.type.value, gone.level.value, gone.department) == ("economic_buyer", "c_level", "Finance")
        [touch] = session.scalars(select(Touch).where(Touch.contact_id == gone.id))
        assert (touch.notes, touch.kind.value) == (None, "qbr")
        [change] = session.scalars(select(ContactChange).where(ContactChange.contact_id == gone.id))
        assert (change.field, change.old_value, change.new_value, change.changed_by) == ("sentiment", None, None, "U0CSM")
    slack.command("Acme")
    map_text = json.dumps(slack.reply()["blocks"])
    assert "Sarah" not in map_text and "Erased contact" in map_text
    assert "Gap (Erased not engaged)" in map_text  # the economic buyer is still counted, anonymously


def test_a_workspace_admin_may_and_anyone_else_may_not(slack, standin, runtime, acme):
    slack.command("forget Acme", user_id="U0EVE")
    assert slack.reply()["text"] == "Only the account's owner or a workspace admin can erase a person's data."
    assert standin.calls_to("views.open") == []
    standin.add_user("U0ADMIN", "admin", is_admin=True)
    confirm = pick_and_confirm(slack, user_id="U0ADMIN")
    slack.submit(confirm, user_id="U0ADMIN")
    with runtime.db.session() as session:
        assert session.scalar(select(Erasure)).erased_by == "U0ADMIN"


def test_the_confirmation_checks_the_caller_again(slack, standin, runtime, acme):
    confirm = pick_and_confirm(slack)
    assert slack.submit(confirm, user_id="U0EVE").body == ""
    assert "Only the account's owner" in slack.reply()["text"]
    with runtime.db.session() as session:
        assert session.scalar(select(Erasure)) is None
        assert find_contact(session, find_account(session, TEAM, "Acme"), "Sarah Kim") is not None


def test_someone_already_erased_is_a_field_error(slack, standin, runtime, acme):
    slack.submit(pick_and_confirm(slack))
    slack.command("forget Acme")
    pick = slack.wait_for_views(2)
    erased = next(o["text"]["text"] for o in pick["blocks"][1]["element"]["options"] if o["text"]["text"].startswith("Erased"))
    answer = json.loads(slack.submit(pick, {"Who": erased}).body)
    assert answer == {"response_action": "errors", "errors": {"contact_id": "That person's data was already erased."}}


def test_another_workspace_cannot_use_this_ones_modal(slack, other_slack, standin, runtime, acme):
    confirm = pick_and_confirm(slack)
    assert other_slack.submit(confirm).body == ""
    with runtime.db.session() as session:
        assert session.scalar(select(Erasure)) is None
    other_slack.command("forget Acme")
    assert "No account named" in other_slack.reply()["text"]


def test_the_forget_modals_fit_slack_whatever_the_names():
    from blocks.modals import PickableContact, forget_confirm_modal, forget_pick_modal

    long = "A&<b>" * 600
    people = [PickableContact(i, long[:75]) for i in range(150)]
    assert view_problems(forget_pick_modal(long, people, "{}")) == []
    assert view_problems(forget_pick_modal(long, people[:3], "{}")) == []
    assert view_problems(forget_confirm_modal(long, people[0], "{}")) == []


def test_a_large_account_searches_the_picker_and_finds_departed_people(slack, standin, runtime, acme):
    from app.services.transfer.importer import import_table
    from app.services.transfer.reading import read_table

    rows = "\n".join(f"Acme,Person {i:03d},Influencer,Active" for i in range(100))
    with runtime.db.session() as session:
        import_table(session, TEAM, read_table(f"account,name,type,status\n{rows}\nAcme,Gone Girl,Champion,Left\n"
                                               .encode()), runtime.now())
    slack.command("forget Acme")
    pick = slack.wait_for_views(1)
    picker = pick["blocks"][1]["element"]
    assert picker["type"] == "external_select" and picker["action_id"] == "contact_picker"
    found = json.loads(slack.options(pick, "contact_id", "contact_picker", "gone").body)["options"]
    assert [o["text"]["text"] for o in found] == ["Gone Girl · Champion"]
    confirm = json.loads(slack.submit(pick, {"Who": found[0]}).body)["view"]
    slack.submit(confirm)
    with runtime.db.session() as session:
        assert session.scalar(select(Erasure)) is not None
