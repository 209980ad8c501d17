"""Someone left the company, said from the map's menu or the contact modal: recorded, announced, redrawn."""

import pytest
from sqlalchemy import select

from app.core.domain import ContactStatus
from app.core.models import Contact, ContactChange
from tests.block_limits import message_problems
from tests.conftest import TEAM
from tests.seeding import seed_demo
from tests.test_contact_menu_through_slack import choose, contact, section_texts


@pytest.fixture
def acme_map(slack, runtime) -> dict:
    seed_demo(runtime, TEAM, channel="C0ACME")
    slack.command("Acme")
    return slack.reply()


def channel_posts(standin) -> list[dict]:
    return [c.body for c in standin.calls_to("chat.postMessage", ok=True)]


def test_left_the_company_from_the_map(slack, standin, runtime, acme_map):
    tom = contact(runtime, "Tom Chen")
    choose(slack, acme_map, tom.id, "Left the company")
    told, redrawn = slack.replies(2)
    assert told["text"] == ("Marked *Tom Chen* (Champion) at *Acme* as left the company. "
                            "Coverage changed: posted in <#C0ACME>.")
    [post] = channel_posts(standin)
    assert post["channel"] == "C0ACME" and message_problems(post["blocks"], post["text"]) == []
    assert "💡 *Suggested next step:* Identify a new champion to replace Tom Chen" in post["blocks"][0]["text"]["text"]
    assert redrawn["replace_original"] is True
    assert "Left the company: Tom Chen (Champion)" in str(redrawn["blocks"])
    assert contact(runtime, "Tom Chen").status == ContactStatus.LEFT


def test_left_the_company_from_the_contact_modal(slack, standin, runtime, acme_map):
    sarah = contact(runtime, "Sarah Kim")
    choose(slack, acme_map, sarah.id, "Edit")
    assert slack.submit(slack.wait_for_views(1), {"Status": "Left the company", "Title": "Former CFO"}).body == ""
    standin.wait_for("chat.postMessage", count=1, ok=True)
    saved = [reply["text"] for reply in slack.replies(3)]
    assert "Saved *Sarah Kim* at *Acme*: status, title." in saved
    assert "Coverage changed: posted in <#C0ACME>." in saved
    [post] = channel_posts(standin)
    assert "*Sarah Kim* (CFO), the economic buyer, left the company — recorded by <@U0CSM>." in str(post)
    with runtime.db.session() as session:
        changes = session.scalars(select(ContactChange).where(ContactChange.contact_id == sarah.id)).all()
    assert [(c.field, c.old_value, c.new_value, c.changed_by) for c in changes] == [
        ("status", "active", "left", "U0CSM"), ("title", "CFO", "Former CFO", "U0CSM")]


def test_a_not_engaged_sponsor_leaving_is_recorded_without_an_announcement(slack, standin, runtime, acme_map):
    cto = contact(runtime, title="CTO")
    choose(slack, acme_map, cto.id, "Left the company")
    told, _redrawn = slack.replies(2)
    assert told["text"] == "Marked *CTO (name unknown)* (Executive Sponsor) at *Acme* as left the company."
    assert channel_posts(standin) == []
    with runtime.db.session() as session:
        assert session.get(Contact, cto.id).status == ContactStatus.LEFT


def test_the_home_leaves_snoozed_relationships_out(slack, standin, runtime):
    seed_demo(runtime, TEAM)
    sarah = contact(runtime, "Sarah Kim")
    slack.open_home()
    assert "*Sarah Kim* (CFO) · Economic Buyer · *Acme*" in section_texts(slack.home(1)["blocks"])
    with runtime.db.session() as session:
        from app.services.nudges import snooze

        snooze(session.get(Contact, sarah.id), "U0CSM", runtime.today())
    slack.open_home()
    assert "*Sarah Kim*" not in section_texts(slack.home(2)["blocks"])
