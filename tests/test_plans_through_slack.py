"""The multi-threading plan: /stakemap plan, the map's plan section, Add to plan, Done."""

import pytest
from sqlalchemy import select

from app.core.domain import PlanStatus, PlanTimeline
from app.core.models import Contact, PlanStep
from tests.block_limits import message_problems, view_problems
from tests.conftest import TEAM
from tests.seeding import seed_demo
from tests.slack_driver import modal_errors


def steps(runtime) -> list[PlanStep]:
    with runtime.db.session() as session:
        return list(session.scalars(select(PlanStep).order_by(PlanStep.id)))


def plan_blocks(posted: dict) -> list[dict]:
    start = next(i for i, b in enumerate(posted["blocks"]) if "*Multi-Threading Plan*" in b.get("text", {}).get("text", ""))
    return posted["blocks"][start:-1]


def buttons(posted: dict, label: str) -> list[dict]:
    return [b["accessory"] for b in plan_blocks(posted) if b.get("accessory", {}).get("text", {}).get("text") == label]


@pytest.fixture
def acme(slack, runtime) -> None:
    seed_demo(runtime, TEAM)


def test_a_step_typed_in_the_modal_lands_on_the_map(slack, runtime, acme):
    slack.command("plan acme")
    modal = slack.wait_for_views(1)
    assert modal["callback_id"] == "plan_modal" and view_problems(modal) == []
    owner = next(b for b in modal["blocks"] if b.get("block_id") == "owner_user_id")["element"]
    assert owner["initial_user"] == "U0CSM"
    values = {"Target contact": "Sarah Kim — CFO · Economic Buyer", "Path to engagement": "Through Tom",
              "First action": "Ask Tom for an intro over lunch", "Timeline": "By a date", "Date (for 'By a date')": "2026-04-02"}
    assert slack.submit(modal, values).body == ""
    assert slack.reply()["text"] == "Added a step to the *Acme* plan: Ask Tom for an intro over lunch"
    [step] = steps(runtime)
    assert (step.path, step.timeline, step.due_date.isoformat(), step.owner_user_id, step.created_by, step.status) == (
        "Through Tom", PlanTimeline.DATE, "2026-04-02", "U0CSM", "U0CSM", PlanStatus.OPEN)
    slack.command("Acme")
    posted = slack.reply()
    assert message_problems(posted["blocks"], posted["text"]) == []
    [done] = buttons(posted, "Done")
    assert done["value"] == str(step.id)
    step_line = next(b["text"]["text"] for b in plan_blocks(posted) if b.get("accessory") == done)
    assert step_line == "• *Sarah Kim* — Through Tom — Ask Tom for an intro over lunch — _Apr 2, 2026_ · <@U0CSM>"
    # the suggestion for Sarah is no longer offered: she is in the plan
    assert not [b for b in buttons(posted, "Add to plan") if b["value"].endswith(f"economic_buyer:{step.contact_id}")]


def test_bad_plan_steps_are_field_errors(slack, runtime, acme):
    slack.command("plan Acme")
    modal = slack.wait_for_views(1)
    assert modal_errors(slack.submit(modal, {"Path to engagement": "x", "First action": "y"})) == {
        "target_role": "Pick a contact or name the role to reach."}
    base = {"Target role (when no contact)": "CIO", "Path to engagement": "Via Tom", "First action": "Intro"}
    assert modal_errors(slack.submit(modal, base | {"Timeline": "By a date"})) == {
        "due_date": "Pick the date (the timeline is 'By a date')."}
    assert modal_errors(slack.submit(modal, base | {"Date (for 'By a date')": "2026-05-01"})) == {
        "due_date": "Clear the date, or set the timeline to 'By a date'."}
    assert modal_errors(slack.submit(modal, base | {"Timeline": "By a date", "Date (for 'By a date')": "2026-03-09"})) == {
        "due_date": "That date is in the past."}
    assert modal_errors(slack.submit(modal, base | {"First action": None})) == {"first_action": "This is required."}
    assert steps(runtime) == []


def test_a_suggestion_is_added_with_one_click_and_once(slack, runtime, acme):
    slack.command("Acme")
    posted = slack.reply()
    suggested = buttons(posted, "Add to plan")
    assert len(suggested) == 3
    sarah = next(b for b in suggested if "economic_buyer:" in b["value"])
    accept = next(b for b in plan_blocks(posted) if b.get("accessory") == sarah)["accessory"]["action_id"]
    slack.click(accept, sarah["value"], message=posted)
    redrawn = slack.reply()
    assert redrawn["replace_original"] is True and message_problems(redrawn["blocks"], redrawn["text"]) == []
    assert len(buttons(redrawn, "Add to plan")) == 2 and len(buttons(redrawn, "Done")) == 1
    [step] = steps(runtime)
    assert (step.first_action, step.path, step.timeline, step.owner_user_id) == (
        "Ask Tom to introduce Sarah Kim", "Through Tom (champion introduction)", PlanTimeline.THIS_MONTH, "U0CSM")
    slack.click(accept, sarah["value"], message=posted)  # the old message's button, clicked again
    assert slack.replies(1)[0]["text"] == "That step is already in the plan."
    assert len(steps(runtime)) == 1


def test_done_closes_a_step(slack, runtime, acme):
    slack.command("Acme")
    posted = slack.reply()
    sarah = next(b for b in buttons(posted, "Add to plan") if "economic_buyer:" in b["value"])
    slack.click("plan_accept:0", sarah["value"], message=posted)
    redrawn = slack.reply()
    [done] = buttons(redrawn, "Done")
    slack.click(f"plan_done:{done['value']}", done["value"], message=redrawn)
    final = slack.reply()
    assert buttons(final, "Done") == []
    [step] = steps(runtime)
    assert (step.status, step.done_by, step.done_at is not None) == (PlanStatus.DONE, "U0CSM", True)
    # done steps are history: the suggestion comes back, since Sarah is still not engaged
    assert any("economic_buyer:" in b["value"] for b in buttons(final, "Add to plan"))


def test_another_workspace_cannot_touch_the_plan(slack, other_slack, runtime, acme):
    slack.command("Acme")
    posted = slack.reply()
    sarah = next(b for b in buttons(posted, "Add to plan") if "economic_buyer:" in b["value"])
    other_slack.click("plan_accept:0", sarah["value"], message=posted)
    assert other_slack.reply()["text"] == "That account no longer exists."
    slack.click("plan_accept:0", sarah["value"], message=posted)
    slack.reply()  # the map redrawn: the step is stored
    [step] = steps(runtime)
    other_slack.click(f"plan_done:{step.id}", str(step.id), message=posted)
    assert other_slack.reply()["text"] == "That plan step no longer exists."
    assert steps(runtime)[0].status == PlanStatus.OPEN
    other_slack.command("plan Acme")
    assert "No account named “Acme”" in other_slack.reply()["text"]
    with runtime.db.session() as session:
        assert session.scalar(select(Contact.id).where(Contact.team_id != TEAM)) is None
