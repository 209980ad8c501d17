"""Conflicts between Salesforce and stakemap, field by field: the newer change wins (issue 13, item 4), with the
rule the HubSpot pull uses (app.services.crm.pull). A CSM edits in Slack (signed requests into the real app),
Salesforce changes records in its stand-in, both on one clock (the test's); the pull runs as `serve` runs it.
Salesforce's time of a change is the record's LastModifiedDate; a contact's roles are as new as the relation
they come from; reports-to is Contact.ReportsToId."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.crm import SALESFORCE
from app.core.models import Account, AccountChange, Contact, ContactChange, CrmLink, CrmOutbox
from app.jobs.crm_sync import sync_team
from tests.conftest import TEAM, make_settings, running
from tests.salesforce_standin import ACCESS_TOKEN, SalesforceStandIn
from tests.test_crm_conflicts import edit_contact, history


@pytest.fixture
def salesforce(clock):
    with SalesforceStandIn() as server:
        server.follow(clock.now)  # Salesforce's changes are dated by the test's clock, as stakemap's are
        yield server


def settings(db_url, standin, salesforce, **overrides):
    return make_settings(db_url, standin.api_url, salesforce_instance_url=salesforce.url,
                         salesforce_access_token=ACCESS_TOKEN, salesforce_arr_field="ARR__c",
                         salesforce_backoff_seconds=0.01, **overrides)


@pytest.fixture
def runtime(db_url, standin, clock, salesforce):
    with running(settings(db_url, standin, salesforce), clock) as rt:
        yield rt


def later(clock, minutes: int = 5) -> None:
    clock.set(clock.now() + timedelta(minutes=minutes))


def sync(runtime, **options) -> list[str]:
    return sync_team(runtime, TEAM, crm=SALESFORCE, **options)[0].lines()


def contact_named(runtime, name: str) -> Contact:
    with runtime.db.reading() as session:
        return session.scalar(select(Contact).where(Contact.team_id == TEAM, Contact.name == name))


def outbox(runtime) -> list[CrmOutbox]:
    with runtime.db.reading() as session:
        return list(session.scalars(select(CrmOutbox).where(CrmOutbox.team_id == TEAM)))


def test_a_title_edited_in_slack_after_salesforce_stays_until_salesforce_changes_it_again(slack, runtime, clock,
                                                                                          salesforce):
    account = salesforce.add_account("Acme")
    tom = salesforce.add_contact("Tom", "Chen", account=account, roles=("Business User",), Title="VP Engineering")
    sync(runtime)
    later(clock)
    salesforce.touch("Contact", tom, Title="Head of Engineering")  # Salesforce first…
    later(clock)
    edit_contact(slack, runtime, "Tom Chen", {"Title": "CTO"})  # …then the CSM
    assert "Contacts: 0 created, 0 updated, 0 flagged, 1 unchanged" in sync(runtime, full=True)[1]
    assert contact_named(runtime, "Tom Chen").title == "CTO"
    assert history(runtime, ContactChange, "title") == [("VP Engineering", "CTO", "U0CSM")]

    later(clock)
    salesforce.touch("Contact", tom, Title="Chief Technology Officer")  # Salesforce, after the CSM: taken
    assert "Contacts: 0 created, 1 updated, 0 flagged, 0 unchanged" in sync(runtime)[1]
    assert contact_named(runtime, "Tom Chen").title == "Chief Technology Officer"
    assert history(runtime, ContactChange, "title")[-1] == ("CTO", "Chief Technology Officer", "crm:salesforce")


def test_an_arr_edited_in_slack_after_salesforce_stays_and_a_later_salesforce_change_is_taken(slack, runtime, clock,
                                                                                             salesforce):
    account = salesforce.add_account("Acme", ARR__c=120000.0)
    sync(runtime)
    later(clock)
    salesforce.touch("Account", account, ARR__c=130000.0)
    later(clock)
    assert slack.submit(slack.modal("edit Acme"), {"ARR": "150,000"}).body == ""
    slack.reply()
    assert "Accounts: 0 created, 0 updated, 0 flagged, 1 unchanged" in sync(runtime, full=True)[0]
    later(clock)
    salesforce.touch("Account", account, ARR__c=175000.0, Name="Acme Corp")
    assert "Accounts: 0 created, 1 updated, 0 flagged, 0 unchanged" in sync(runtime)[0]
    with runtime.db.reading() as session:
        acme = session.scalar(select(Account).where(Account.team_id == TEAM))
        assert (acme.name, str(acme.arr_amount)) == ("Acme Corp", "175000.00")
    assert history(runtime, AccountChange, "arr_amount") == [("120000.00", "150000.00", "U0CSM"),
                                                             ("150000.00", "175000.00", "crm:salesforce")]


def test_a_type_set_in_slack_stays_while_salesforce_gives_the_same_roles(slack, runtime, clock, salesforce):
    account = salesforce.add_account("Acme")
    tom = salesforce.add_contact("Tom", "Chen", account=account, roles=("Business User",), Title="VP Engineering")
    sync(runtime)
    with runtime.db.reading() as session:
        assert session.scalar(select(CrmLink.roles).where(CrmLink.team_id == TEAM, CrmLink.object == "contact")) \
            == "end_user_champion"
    later(clock)
    edit_contact(slack, runtime, "Tom Chen", {"Stakeholder type": "Detractor"})
    later(clock)
    salesforce.touch("Contact", tom, Title="CTO")  # a newer Contact, its relation's Roles unchanged
    assert "Contacts: 0 created, 1 updated, 0 flagged, 0 unchanged" in sync(runtime)[1]
    tom_now = contact_named(runtime, "Tom Chen")
    assert (tom_now.title, tom_now.type.value) == ("CTO", "detractor")

    later(clock)
    salesforce.set_roles(tom, account, "Decision Maker")  # the relation changes after the CSM: taken
    assert "Contacts: 0 created, 1 updated, 0 flagged, 0 unchanged" in sync(runtime)[1]
    assert contact_named(runtime, "Tom Chen").type.value == "decision_maker"
    assert history(runtime, ContactChange, "type")[-1] == ("detractor", "decision_maker", "crm:salesforce")


def test_what_the_pull_takes_from_salesforce_is_not_queued_to_be_pushed_back(db_url, standin, clock, salesforce):
    account = salesforce.add_account("Acme")
    tom = salesforce.add_contact("Tom", "Chen", account=account, roles=("Business User",), Title="VP Engineering")
    sarah = salesforce.add_contact("Sarah", "Kim", account=account, roles=("Economic Buyer",))
    with running(settings(db_url, standin, salesforce, crm_push="all"), clock) as runtime:
        sync(runtime)
        later(clock)
        salesforce.set_roles(tom, account, "Decision Maker", "Executive Sponsor")
        salesforce.touch("Contact", tom, Title="CTO", ReportsToId=sarah)
        assert "Contacts: 0 created, 1 updated" in sync(runtime)[1]
        tom_now = contact_named(runtime, "Tom Chen")
        assert (tom_now.type.value, tom_now.title) == ("decision_maker", "CTO")
        assert tom_now.reports_to_id == contact_named(runtime, "Sarah Kim").id
        assert outbox(runtime) == []  # type, roles, title and manager from Salesforce: nothing to push back


def test_roles_changed_in_salesforce_after_the_csm_are_taken_though_the_contact_record_is_older(slack, runtime, clock,
                                                                                                salesforce):
    account = salesforce.add_account("Acme")
    tom = salesforce.add_contact("Tom", "Chen", account=account, roles=("Business User",))
    sync(runtime)
    later(clock)
    edit_contact(slack, runtime, "Tom Chen", {"Stakeholder type": "Detractor"})
    later(clock)
    salesforce.set_roles(tom, account, "Decision Maker")  # only the relation moves: its LastModifiedDate decides
    assert "Contacts: 0 created, 1 updated, 0 flagged, 0 unchanged" in sync(runtime)[1]
    assert contact_named(runtime, "Tom Chen").type.value == "decision_maker"


def test_roles_changed_in_salesforce_before_the_csm_do_not_override_the_csm(slack, runtime, clock, salesforce):
    account = salesforce.add_account("Acme")
    tom = salesforce.add_contact("Tom", "Chen", account=account, roles=("Business User",))
    sync(runtime)
    later(clock)
    salesforce.set_roles(tom, account, "Decision Maker")  # Salesforce first…
    later(clock)
    edit_contact(slack, runtime, "Tom Chen", {"Stakeholder type": "Detractor"})  # …then the CSM
    sync(runtime)
    assert contact_named(runtime, "Tom Chen").type.value == "detractor"


def test_reports_to_from_salesforce_links_managers_and_a_csm_later_choice_stays(slack, runtime, clock, salesforce):
    account = salesforce.add_account("Acme")
    sarah = salesforce.add_contact("Sarah", "Kim", account=account, roles=("Economic Buyer",))
    tom = salesforce.add_contact("Tom", "Chen", account=account, roles=("Business User",), ReportsToId=sarah)
    lisa = salesforce.add_contact("Lisa", "Park", account=account, roles=("Technical Buyer",))
    salesforce.touch("Contact", sarah, ReportsToId=lisa)  # Lisa is stored after Sarah: linked once all are stored
    salesforce.add_contact("Outsider", "Doe", account=salesforce.add_account("Globex"), ReportsToId=sarah)
    assert "Contacts: 4 created" in sync(runtime)[1]
    ids = {name: contact_named(runtime, name).id for name in ("Sarah Kim", "Tom Chen", "Lisa Park")}
    assert contact_named(runtime, "Tom Chen").reports_to_id == ids["Sarah Kim"]
    assert contact_named(runtime, "Sarah Kim").reports_to_id == ids["Lisa Park"]
    assert contact_named(runtime, "Outsider Doe").reports_to_id is None  # a manager is a colleague on the account
    assert history(runtime, ContactChange, "reports_to_id") == []  # part of the contacts' creation

    later(clock)
    salesforce.touch("Contact", lisa, ReportsToId=tom)  # a cycle (Lisa → Tom → Sarah → Lisa): refused
    assert sync(runtime)[1].startswith("Contacts: 0 created, 0 updated, 0 flagged")
    assert contact_named(runtime, "Lisa Park").reports_to_id is None

    later(clock)
    salesforce.touch("Contact", tom, ReportsToId=lisa)
    assert sync(runtime)[1].startswith("Contacts: 0 created, 1 updated, 0 flagged")
    assert contact_named(runtime, "Tom Chen").reports_to_id == ids["Lisa Park"]
    assert history(runtime, ContactChange, "reports_to_id") == [(str(ids["Sarah Kim"]), str(ids["Lisa Park"]),
                                                                 "crm:salesforce")]
    later(clock)
    picked = {"text": {"type": "plain_text", "text": "Sarah Kim"}, "value": str(ids["Sarah Kim"])}
    edit_contact(slack, runtime, "Tom Chen", {"Reports to": picked})
    assert sync(runtime, full=True)[1].startswith("Contacts: 0 created, 0 updated, 0 flagged")
    assert contact_named(runtime, "Tom Chen").reports_to_id == ids["Sarah Kim"]  # the CSM's is the newer change

    later(clock)  # Salesforce tells no time per field: a newer Contact record is a newer ReportsToId too
    salesforce.touch("Contact", tom, Title="VP Engineering")
    sync(runtime)
    assert contact_named(runtime, "Tom Chen").reports_to_id == ids["Lisa Park"]
