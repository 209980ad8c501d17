"""Names and texts on input (modals, importer, CLI all validate with the same models): no bidirectional
control characters, and only Slack ids where the product writes `<@…>` or `<#…>` from them."""

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from app.core.domain import PlanTimeline, StakeholderType
from app.core.models import Account, AccountCreate, ContactCreate, PlanStepCreate, TouchCreate
from app.services.transfer.importer import ImportRejected, import_table
from app.services.transfer.reading import read_table
from tests.conftest import TEAM

RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
BIDI = "".join(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def test_every_bidi_control_is_stripped_from_names_titles_and_texts():
    assert AccountCreate(name=f"{RLO}Acme{BIDI} Corp").name == "Acme Corp"
    person = ContactCreate(name=f"Sarah {LRI}Kim{PDI}", title=f"{RLO}CFO", department=f"Fin{RLO}ance",
                           type=StakeholderType.CHAMPION, notes=f"met {RLO}once", objectives=f"{BIDI}fewer tools")
    assert (person.name, person.title, person.department) == ("Sarah Kim", "CFO", "Finance")
    assert (person.notes, person.objectives) == ("met once", "fewer tools")
    step = PlanStepCreate(target_role=f"{RLO}CTO", path=f"via {RLO}Tom", first_action=f"{LRI}call", owner_user_id="U0CSM",
                          timeline=PlanTimeline.THIS_MONTH)
    assert (step.target_role, step.path, step.first_action) == ("CTO", "via Tom", "call")
    assert TouchCreate(contact_id=1, occurred_on="2026-03-01", kind="call", notes=f"{RLO}ok").notes == "ok"


def test_a_name_of_bidi_controls_only_is_no_name():
    with pytest.raises(ValidationError, match="Give the account a name"):
        AccountCreate(name=BIDI)
    with pytest.raises(ValidationError, match="Give a name or"):
        ContactCreate(name=RLO, title=PDI, type=StakeholderType.CHAMPION)


@pytest.mark.parametrize("field", ["owner_user_id", "channel_id"])
def test_owner_and_channel_are_slack_ids(field):
    assert getattr(AccountCreate(name="Acme", **{field: "C0ACME"}), field) == "C0ACME"
    with pytest.raises(ValidationError, match="is not a Slack"):
        AccountCreate(name="Acme", **{field: "C1>|x <!channel"})
    with pytest.raises(ValidationError, match="is not a Slack user id"):
        PlanStepCreate(target_role="CTO", path="p", first_action="a", owner_user_id="<!here>")


def test_the_importer_strips_bidi_and_refuses_a_channel_that_is_not_an_id(runtime):
    def run(text: str):
        with runtime.db.session() as session:
            return import_table(session, TEAM, read_table(text.encode()), runtime.now())

    with pytest.raises(ImportRejected) as rejected:
        run("name,channel\nAcme,C1>|x <!channel\n")
    assert [str(p) for p in rejected.value.problems] == ["line 2: channel: That is not a Slack channel id."]
    run(f"name,channel\n{RLO}Acme{PDI},C0ACME\n")
    with runtime.db.session() as session:
        assert session.scalars(select(Account.name).where(Account.team_id == TEAM)).all() == ["Acme"]


def test_a_name_typed_in_the_modal_loses_its_bidi_controls(slack, runtime):
    slack.command("new Acme")
    assert slack.submit(slack.wait_for_views(1), {"Account name": f"{RLO}emcA{PDI} Co"}).body == ""
    with runtime.db.session() as session:
        assert session.scalars(select(Account.name).where(Account.team_id == TEAM)).all() == ["emcA Co"]
