"""The seed's Acme through Slack: strategies proposed for its people, accepted with a signed click or
edited in the contact modal; the map, the history and the weekly digest follow."""

from datetime import timedelta

from sqlalchemy import select

from app.core.domain import Cadence, StrategyOrigin
from app.core.models import Contact, ContactChange
from app.services.nudges import stale_relationships
from blocks.digest import MAX_ITEMS, digest_message
from tests.block_limits import message_problems, view_problems
from tests.conftest import TEAM
from tests.seeding import seed_demo
from tests.test_contact_menu_through_slack import choose, contact

TOM = "Monthly roadmap 1:1; involve in beta"


def strategy_text(posted: dict) -> str:
    texts = [b["text"]["text"] for b in posted["blocks"] if b["type"] == "section"]
    start = next(i for i, t in enumerate(texts) if t.startswith("*Engagement Strategy*"))
    end = next(i for i, t in enumerate(texts) if t.startswith("*Single-Thread Risk*"))
    return "\n".join(texts[start:end])


def accept_buttons(posted: dict) -> dict[str, str]:
    block = next((b for b in posted["blocks"] if b.get("block_id") == "strategy_actions"), None)
    return {e["text"]["text"]: (e["action_id"], e["value"]) for e in (block or {}).get("elements", [])
            if e["type"] == "button"}


def digest_text(runtime) -> str:
    with runtime.db.reading() as session:
        items = stale_relationships(session, TEAM, "U0CSM", runtime.today(), MAX_ITEMS)
    if not items:
        return ""
    message = digest_message(items, runtime.today())
    assert message_problems(message.blocks, message.text) == []
    return "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")


def acme_map(slack) -> dict:
    slack.command("Acme")
    posted = slack.reply()
    assert message_problems(posted["blocks"], posted["text"]) == []
    return posted


def test_proposals_for_acme_accepted_with_one_click_change_the_map_and_the_digest(slack, runtime, clock):
    seed_demo(runtime, TEAM)
    with runtime.db.session() as session:
        session.scalar(select(Contact).where(Contact.name == "Tom Chen")).objectives = "Faster deploys <!here>"
    posted = acme_map(slack)
    section = strategy_text(posted)
    assert "*Engagement Strategy* — 3 proposed, waiting for you to accept or edit" in section
    assert (f"*Manage closely* (2) — Decision-makers and champions: regular check-ins; involve them in decisions.\n"
            f"• *Tom Chen* (Champion) — {TOM} — monthly · call · _proposed_ — _wants:_ Faster deploys &lt;!here&gt;"
            ) in section
    assert ("• *Lisa Park* (Technical Lead) — Technical sync on adoption and open issues — every 2 weeks · call · "
            "_proposed_") in section
    assert ("*Keep satisfied* (1) — Executives and budget holders: ROI reports on their priorities, without "
            "overloading them.\n• *Sarah Kim* (Economic Buyer) — Quarterly ROI review with the CFO's priorities — "
            "quarterly · QBR · _proposed_") in section
    # Sarah (85 days, the economic buyer's 60-day window) is in this week's digest, under her type's window
    before = digest_text(runtime)
    assert "*Sarah Kim*" in before and "window 60" in before and "Missed" not in before

    action_id, value = accept_buttons(posted)["Accept all 3 proposed"]
    assert slack.click(action_id, value, block_id="strategy_actions", message=posted).status == 200
    slack.drain()
    after = acme_map(slack)
    assert "_proposed_" not in strategy_text(after) and accept_buttons(after) == {}
    assert f"• *Tom Chen* (Champion) — {TOM} — monthly · call · _accepted_" in strategy_text(after)
    with runtime.db.reading() as session:
        origins = {c.name: c.strategy_origin for c in session.scalars(select(Contact).where(Contact.team_id == TEAM))
                   if c.name in ("Tom Chen", "Sarah Kim", "Lisa Park")}
        assert origins == dict.fromkeys(("Tom Chen", "Sarah Kim", "Lisa Park"), StrategyOrigin.ACCEPTED)
        kept = session.scalars(select(ContactChange).where(ContactChange.field == "strategy_cadence")).all()
        assert sorted(c.new_value for c in kept) == ["every_2_weeks", "monthly", "quarterly"]
        assert {c.changed_by for c in kept} == {"U0CSM"} and {c.old_value for c in kept} == {None}
    # the accepted quarterly review is Sarah's window now: 85 days is within it
    assert "Sarah Kim" not in digest_text(runtime)
    # 32 days after Tom's last call his monthly promise is missed, and the digest says which one
    clock.set(runtime.today() + timedelta(days=23))
    assert f"Missed (monthly): {TOM} with Tom Chen — 32 days" in digest_text(runtime)


def test_one_click_accepts_one_persons_proposal(slack, runtime):
    seed_demo(runtime, TEAM)
    posted = acme_map(slack)
    action_id, value = accept_buttons(posted)["Accept for Sarah Kim"]
    slack.click(action_id, value, block_id="strategy_actions", message=posted)
    slack.drain()
    sarah, tom = contact(runtime, "Sarah Kim"), contact(runtime, "Tom Chen")
    assert (sarah.strategy_cadence, sarah.strategy_origin) == (Cadence.QUARTERLY, StrategyOrigin.ACCEPTED)
    assert tom.strategy_origin is None
    assert list(accept_buttons(acme_map(slack))) == ["Accept for Tom Chen", "Accept for Lisa Park",
                                                      "Accept all 2 proposed"]


def test_editing_the_proposal_in_the_contact_modal_makes_it_the_csms_own_with_history(slack, runtime):
    seed_demo(runtime, TEAM)
    posted = acme_map(slack)
    tom = contact(runtime, "Tom Chen")
    choose(slack, posted, tom.id, "Edit")
    modal = slack.wait_for_views(1)
    assert view_problems(modal) == []
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert inputs["strategy_approach"]["initial_value"] == TOM
    assert inputs["strategy_cadence"]["initial_option"]["value"] == "monthly"
    # saving something else keeps the proposal a proposal
    slack.submit(modal, {"Notes": "Drives adoption"})
    slack.drain()
    assert contact(runtime, "Tom Chen").strategy_origin is None
    choose(slack, acme_map(slack), tom.id, "Edit")
    response = slack.submit(slack.wait_for_views(2), {"Cadence": "Every 2 weeks"})
    assert response.status == 200 and response.body == ""
    slack.drain()
    tom = contact(runtime, "Tom Chen")
    assert (tom.strategy_approach, tom.strategy_cadence, tom.strategy_origin) == (
        TOM, Cadence.EVERY_2_WEEKS, StrategyOrigin.OWN)
    with runtime.db.reading() as session:
        changes = {c.field: (c.old_value, c.new_value) for c in session.scalars(
            select(ContactChange).where(ContactChange.contact_id == tom.id))}
    assert changes["strategy_cadence"] == (None, "every_2_weeks")
    assert changes["strategy_approach"] == (None, TOM) and changes["strategy_origin"] == (None, "own")
    assert "_own_" in strategy_text(acme_map(slack))


def test_half_a_strategy_is_refused_on_its_field(slack, runtime):
    seed_demo(runtime, TEAM)
    posted = acme_map(slack)
    choose(slack, posted, contact(runtime, "Tom Chen").id, "Edit")
    response = slack.submit(slack.wait_for_views(1), {"Approach": ""})
    assert response.status == 200 and "strategy_cadence" in response.body
    assert contact(runtime, "Tom Chen").strategy_approach is None


def test_plan_a_step_for_a_person_prefills_their_strategy_and_objectives(slack, runtime):
    seed_demo(runtime, TEAM)
    with runtime.db.session() as session:
        session.scalar(select(Contact).where(Contact.name == "Tom Chen")).objectives = "Faster deploys"
    posted = acme_map(slack)
    block = next(b for b in posted["blocks"] if b.get("block_id") == "strategy_actions")
    picker = next(e for e in block["elements"] if e["action_id"] == "strategy_plan")
    assert [o["text"]["text"] for o in picker["options"]] == ["Tom Chen", "Sarah Kim", "Lisa Park"]
    slack.choose("strategy_plan", picker["options"][0]["value"], block_id="strategy_actions", message=posted,
                 kind="static_select")
    modal = slack.wait_for_views(1)
    assert modal["callback_id"] == "plan_modal" and view_problems(modal) == []
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert inputs["contact_id"]["initial_option"]["text"]["text"].startswith("Tom Chen")
    assert inputs["path"]["initial_value"] == f"{TOM} (monthly · call)"
    assert inputs["first_action"]["initial_value"] == "Work toward their objectives: Faster deploys"
    assert slack.submit(modal, {}).body == ""
    slack.drain()
    with runtime.db.reading() as session:
        from app.core.models import PlanStep

        step = session.scalar(select(PlanStep))
        assert (step.contact_id, step.first_action) == (contact(runtime, "Tom Chen").id,
                                                        "Work toward their objectives: Faster deploys")
