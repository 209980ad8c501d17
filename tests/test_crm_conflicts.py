"""Conflicts between HubSpot and stakemap, field by field: the newer change wins (issue 13, item 4). A CSM edits in
Slack (signed requests into the real app), HubSpot changes records in its stand-in, both on one clock (the test's);
the pull runs as `serve` runs it. And reports-to, read from a HubSpot contact property, in the org chart's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core.crm import crm_change_wins
from app.core.models import Account, AccountChange, Contact, ContactChange
from app.jobs.crm_sync import sync_team
from app.render.chart.layout import managers, org_layout
from app.services.contacts import account_contacts
from tests.conftest import TEAM, make_settings, running
from tests.hubspot_standin import TOKEN, HubSpotStandIn

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_the_newer_change_wins():
    later = T0 + timedelta(milliseconds=1)
    assert crm_change_wins(None, T0) and crm_change_wins(None, None)  # stakemap never changed it: the CRM's
    assert crm_change_wins(T0, later) and not crm_change_wins(later, T0)
    assert not crm_change_wins(T0, T0)  # a tie keeps stakemap's value
    assert not crm_change_wins(T0, None)  # a CRM change of unknown time does not beat a known one


@pytest.fixture
def hubspot(clock):
    with HubSpotStandIn() as server:
        server.follow(clock.now)  # HubSpot's changes are dated by the test's clock, as stakemap's are
        yield server


@pytest.fixture
def runtime(db_url, standin, clock, hubspot):
    settings = make_settings(db_url, standin.api_url, hubspot_access_token=TOKEN, hubspot_api_url=hubspot.url,
                             hubspot_backoff_seconds=0.01, hubspot_arr_field="stakemap_arr",
                             hubspot_reports_to_field="manager")
    with running(settings, clock) as rt:
        yield rt


def later(clock, minutes: int = 5) -> None:
    clock.set(clock.now() + timedelta(minutes=minutes))


def sync(runtime, **options) -> list[str]:
    return sync_team(runtime, TEAM, **options)[0].lines()


def contact_named(runtime, name: str) -> Contact:
    with runtime.db.reading() as session:
        return session.scalar(select(Contact).where(Contact.team_id == TEAM, Contact.name == name))


def history(runtime, model, field: str) -> list[tuple]:
    with runtime.db.reading() as session:
        rows = session.scalars(select(model).where(model.team_id == TEAM, model.field == field).order_by(model.id))
        return [(row.old_value, row.new_value, row.changed_by) for row in rows]


def history_reads(hubspot) -> list[dict]:
    return [body for method, path, body in hubspot.calls("/batch/read") if "associations" not in path]


def edit_contact(slack, runtime, name: str, values: dict) -> None:
    contact = contact_named(runtime, name)
    slack.command("Acme")
    shown = slack.reply()
    before = len(slack.standin.calls_to("views.open", ok=True))
    slack.choose(f"contact_menu:{contact.id}", f"edit:{contact.id}", message=shown)
    assert slack.submit(slack.wait_for_views(before + 1), values).body == ""
    slack.replies(2)  # the confirmation and the redrawn map


def test_a_title_edited_in_slack_after_hubspot_stays_until_hubspot_changes_it_again(slack, runtime, clock, hubspot):
    company = hubspot.add_company("Acme")
    tom = hubspot.add_contact("Tom", "Chen", company=company, labels=("Champion",), jobtitle="VP Engineering")
    sync(runtime)
    later(clock)
    hubspot.touch("contacts", tom, jobtitle="Head of Engineering")  # HubSpot first…
    later(clock)
    edit_contact(slack, runtime, "Tom Chen", {"Title": "CTO", "Stakeholder type": "Detractor"})  # …then the CSM
    assert history(runtime, ContactChange, "title") == [("VP Engineering", "CTO", "U0CSM")]

    hubspot.requests.clear()
    assert "Contacts: 0 created, 0 updated, 0 flagged, 1 unchanged" in sync(runtime, full=True)
    assert history_reads(hubspot) == []  # HubSpot's record is older than the CSM's edit: nothing to ask

    later(clock)
    hubspot.touch("contacts", tom, phone="+1 555 0100")  # a newer record, but its title is still the older change
    assert "Contacts: 0 created, 0 updated, 0 flagged, 1 unchanged" in sync(runtime)
    assert [body["propertiesWithHistory"] for body in history_reads(hubspot)] == [["jobtitle"]]
    tom_now = contact_named(runtime, "Tom Chen")
    assert (tom_now.title, tom_now.type.value) == ("CTO", "detractor")  # HubSpot's labels did not change either
    assert history(runtime, ContactChange, "title") == [("VP Engineering", "CTO", "U0CSM")]  # nothing recorded

    later(clock)
    hubspot.touch("contacts", tom, jobtitle="Chief Technology Officer")  # HubSpot, after the CSM: taken
    hubspot.label(tom, company, "Decision maker")
    assert "Contacts: 0 created, 1 updated, 0 flagged, 0 unchanged" in sync(runtime)
    tom_now = contact_named(runtime, "Tom Chen")
    assert (tom_now.title, tom_now.type.value) == ("Chief Technology Officer", "decision_maker")
    assert history(runtime, ContactChange, "title")[-1] == ("CTO", "Chief Technology Officer", "crm:hubspot")
    assert history(runtime, ContactChange, "type")[-1] == ("detractor", "decision_maker", "crm:hubspot")
    assert "Contacts: 0 created, 0 updated, 0 flagged, 1 unchanged" in sync(runtime, full=True)  # and it stays


def test_an_arr_edited_in_slack_after_hubspot_stays_and_a_later_hubspot_change_is_taken(slack, runtime, clock,
                                                                                       hubspot):
    company = hubspot.add_company("Acme", stakemap_arr="120000")
    sync(runtime)
    later(clock)
    hubspot.touch("companies", company, stakemap_arr="130000")
    later(clock)
    assert slack.submit(slack.modal("edit Acme"), {"ARR": "150,000"}).body == ""
    slack.reply()
    later(clock)
    hubspot.touch("companies", company, domain="acme.example")
    assert "Companies: 0 created, 0 updated, 0 flagged, 1 unchanged" in sync(runtime)
    with runtime.db.reading() as session:
        assert str(session.scalar(select(Account.arr_amount).where(Account.team_id == TEAM))) == "150000.00"
    assert history(runtime, AccountChange, "arr_amount") == [("120000.00", "150000.00", "U0CSM")]

    later(clock)
    hubspot.touch("companies", company, stakemap_arr="175000", name="Acme Corp")
    assert "Companies: 0 created, 1 updated, 0 flagged, 0 unchanged" in sync(runtime)
    with runtime.db.reading() as session:
        account = session.scalar(select(Account).where(Account.team_id == TEAM))
        assert (account.name, str(account.arr_amount)) == ("Acme Corp", "175000.00")
    assert history(runtime, AccountChange, "arr_amount")[-1] == ("150000.00", "175000.00", "crm:hubspot")
    assert history(runtime, AccountChange, "name") == [("Acme", "Acme Corp", "crm:hubspot")]


def test_reports_to_from_hubspot_draws_the_org_chart(slack, runtime, clock, hubspot):
    company = hubspot.add_company("Acme")
    tom = hubspot.add_contact("Tom", "Chen", company=company, labels=("Champion",), email="tom@acme.example",
                              manager="Sarah@Acme.example")  # by e-mail, before Sarah is in HubSpot
    for n in range(100):  # Sarah comes in the second page of the sync
        hubspot.add_contact(f"Person{n:03}", "Filler", company=company)
    sarah = hubspot.add_contact("Sarah", "Kim", company=company, labels=("Economic buyer",), email="sarah@acme.example")
    hubspot.add_contact("Lisa", "Park", company=company, labels=("Technical lead",), manager=tom)  # by HubSpot id
    hubspot.add_contact("Outsider", "Doe", company=hubspot.add_company("Globex"), manager=sarah)  # another account
    assert "Contacts: 104 created" in sync(runtime)[1]
    ids = {name: contact_named(runtime, name).id for name in ("Tom Chen", "Sarah Kim", "Lisa Park", "Outsider Doe")}
    with runtime.db.reading() as session:
        account = session.scalar(select(Account).where(Account.team_id == TEAM, Account.name == "Acme"))
        contacts = account_contacts(session, account)
    chart = managers(contacts)
    assert (chart[ids["Tom Chen"]], chart[ids["Lisa Park"]], chart[ids["Sarah Kim"]]) == (ids["Sarah Kim"],
                                                                                         ids["Tom Chen"], None)
    boxes = {box.contact_id: box.parent for box in org_layout(contacts).boxes}
    assert boxes[ids["Tom Chen"]] == f"c{ids['Sarah Kim']}"
    assert contact_named(runtime, "Outsider Doe").reports_to_id is None  # a manager is a colleague on the account
    assert history(runtime, ContactChange, "reports_to_id") == []  # part of the contacts' creation

    later(clock)
    hubspot.touch("contacts", sarah, manager=tom)  # a cycle: Tom reports to Sarah
    assert sync(runtime)[1].startswith("Contacts: 0 created, 0 updated, 0 flagged")
    assert contact_named(runtime, "Sarah Kim").reports_to_id is None

    later(clock)  # Lisa moves to Sarah in HubSpot; then the CSM puts her under Tom again in Slack: the CSM's stays
    lisa = next(r.id for r in hubspot.objects["contacts"].values() if r.properties.get("firstname") == "Lisa")
    hubspot.touch("contacts", lisa, manager="sarah@acme.example")
    assert sync(runtime)[1].startswith("Contacts: 0 created, 1 updated, 0 flagged")
    assert contact_named(runtime, "Lisa Park").reports_to_id == ids["Sarah Kim"]
    assert history(runtime, ContactChange, "reports_to_id") == [(str(ids["Tom Chen"]), str(ids["Sarah Kim"]),
                                                                 "crm:hubspot")]
    later(clock)
    picked = {"text": {"type": "plain_text", "text": "Tom Chen"}, "value": str(ids["Tom Chen"])}  # type-ahead: 104 people
    edit_contact(slack, runtime, "Lisa Park", {"Reports to": picked})
    later(clock)
    hubspot.touch("contacts", lisa, phone="+1 555 0101")
    assert sync(runtime)[1].startswith("Contacts: 0 created, 0 updated, 0 flagged")
    assert contact_named(runtime, "Lisa Park").reports_to_id == ids["Tom Chen"]


def test_an_erased_person_is_not_filled_in_again_from_hubspot(runtime, clock, hubspot):
    from app.services.erasure import forget_contact

    company = hubspot.add_company("Acme")
    tom = hubspot.add_contact("Tom", "Chen", company=company, jobtitle="VP Engineering", email="tom@acme.example")
    sync(runtime)
    with runtime.db.session() as session:
        contact = session.scalar(select(Contact).where(Contact.team_id == TEAM, Contact.name == "Tom Chen"))
        forget_contact(session, session.get(Account, contact.account_id), contact, "U0CSM", clock.now())
    later(clock)
    hubspot.touch("contacts", tom, jobtitle="CTO", email="tom.chen@acme.example")
    sync(runtime)
    sync(runtime, full=True)
    with runtime.db.reading() as session:
        erased = session.scalar(select(Contact).where(Contact.team_id == TEAM))
        assert (erased.name, erased.title, erased.email) == ("Erased contact", None, None)
