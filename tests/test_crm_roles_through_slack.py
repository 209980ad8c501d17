"""Several roles per person, set in Slack: the contact modal's "Also" picks the extra roles; the map shows them,
coverage counts each, and the history keeps who changed them."""

from __future__ import annotations

from sqlalchemy import select

from app.core.models import Contact, ContactChange
from tests.block_limits import message_problems, view_problems
from tests.conftest import TEAM
from tests.seeding import seed_demo


def section_texts(blocks: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


def coverage_line(blocks: list[dict], label: str) -> str:
    return next(line for line in section_texts(blocks).splitlines() if label in line and ("✓" in line or "⚠" in line
                                                                                          or "✗" in line))


def test_also_roles_count_in_coverage_and_show_on_the_map(slack, runtime):
    seed_demo(runtime, TEAM)
    slack.command("Acme")
    before = slack.reply()
    assert "Executive Sponsor" in coverage_line(before["blocks"], "Executive Sponsor")
    assert "✗" in coverage_line(before["blocks"], "Executive Sponsor")
    with runtime.db.reading() as session:
        tom = session.scalar(select(Contact).where(Contact.team_id == TEAM, Contact.name == "Tom Chen"))
    slack.choose(f"contact_menu:{tom.id}", f"edit:{tom.id}", message=before)
    modal = slack.wait_for_views(1)
    assert view_problems(modal) == []
    also = next(b for b in modal["blocks"] if b.get("block_id") == "also_types")
    assert also["element"]["type"] == "multi_static_select" and "initial_options" not in also["element"]
    assert slack.submit(modal, {"Also": ["Executive Sponsor", "Decision Maker"]}).body == ""
    confirmation, redrawn = slack.replies(2)
    assert confirmation["text"] == "Saved *Tom Chen* at *Acme*: roles."
    assert message_problems(redrawn["blocks"], redrawn["text"]) == []
    text = section_texts(redrawn["blocks"])
    assert "Champion (also Decision Maker, Executive Sponsor) · Strong" in text
    assert "✓" in coverage_line(redrawn["blocks"], "Executive Sponsor")  # Tom's extra role counts
    with runtime.db.reading() as session:
        change = session.scalar(select(ContactChange).where(ContactChange.contact_id == tom.id,
                                                            ContactChange.field == "roles"))
        assert (change.old_value, change.new_value, change.changed_by) == (
            None, "decision_maker,executive_sponsor", "U0CSM")
    # the edit modal shows them, and clearing one is recorded too
    slack.choose(f"contact_menu:{tom.id}", f"edit:{tom.id}", message=redrawn)
    modal = slack.wait_for_views(2)
    also = next(b for b in modal["blocks"] if b.get("block_id") == "also_types")
    assert [o["value"] for o in also["element"]["initial_options"]] == ["decision_maker", "executive_sponsor"]
    assert slack.submit(modal, {"Also": ["Decision Maker"]}).body == ""
    assert slack.replies(2)[0]["text"] == "Saved *Tom Chen* at *Acme*: roles."
    with runtime.db.reading() as session:
        changes = session.scalars(select(ContactChange.new_value).where(ContactChange.contact_id == tom.id,
                                                                         ContactChange.field == "roles")).all()
        assert changes == ["decision_maker,executive_sponsor", "decision_maker"]


def test_a_new_contact_gets_its_roles(slack, runtime):
    seed_demo(runtime, TEAM)
    modal = slack.modal("add Acme")
    assert slack.submit(modal, {"Name": "Ana Ruiz", "Title": "COO", "Stakeholder type": "Influencer",
                                "Also": ["Economic Buyer"]}).body == ""
    slack.replies(1)
    slack.command("Acme")
    assert "Influencer (also Economic Buyer)" in section_texts(slack.reply()["blocks"])
