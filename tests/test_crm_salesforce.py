"""The Salesforce pull, driven as an operator would: `stakemap crm sync --crm salesforce` against the Salesforce
stand-in (and the Slack stand-in for owners' e-mails), the map read back with `stakemap show`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core.models import Account, CrmCursor
from tests.conftest import BOT_TOKEN, TEAM, make_settings, running
from tests.crm_cli import assert_second_syncs_change_nothing, contact_named, run, shown, sync
from tests.salesforce_standin import ACCESS_TOKEN, PASSWORD, SECURITY_TOKEN, USERNAME, SalesforceStandIn
from tests.test_crm_push_through_slack import touches_of


@pytest.fixture
def salesforce() -> Iterator[SalesforceStandIn]:
    with SalesforceStandIn() as server:
        yield server


@pytest.fixture
def env(db_url, salesforce, standin, monkeypatch):
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "CRM_SYNC_HOURS",
                 "HUBSPOT_ACCESS_TOKEN", "SALESFORCE_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    values = {"DATABASE_URL": db_url, "SALESFORCE_INSTANCE_URL": salesforce.url,
              "SALESFORCE_ACCESS_TOKEN": ACCESS_TOKEN, "SALESFORCE_ARR_FIELD": "ARR__c",
              "SALESFORCE_CURRENCY_FIELD": "CurrencyIsoCode", "SALESFORCE_RENEWAL_FIELD": "Renewal_Date__c",
              "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": standin.api_url, "SALESFORCE_BACKOFF_SECONDS": "0.01"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def login(env, salesforce, monkeypatch):
    """Username, password and security token instead of a token: stakemap logs in with the SOAP login call."""
    monkeypatch.delenv("SALESFORCE_ACCESS_TOKEN")
    monkeypatch.delenv("SALESFORCE_INSTANCE_URL")
    for name, value in {"SALESFORCE_LOGIN_URL": salesforce.url, "SALESFORCE_USERNAME": USERNAME,
                        "SALESFORCE_PASSWORD": PASSWORD, "SALESFORCE_SECURITY_TOKEN": SECURITY_TOKEN}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def acme(salesforce, standin) -> dict[str, str]:
    """Acme in Salesforce: its owner a Slack user (by e-mail), Tom the Business User, Sarah Economic Buyer and
    Decision Maker on her relation, and Evaluator on Acme's renewal opportunity."""
    standin.add_user("U0CSM", "casey", profile={"email": "casey@vendor.example"})
    owner = salesforce.add_user("casey@vendor.example")
    account = salesforce.add_account("Acme", owner=owner, ARR__c=120000.0, CurrencyIsoCode="EUR",
                                     Renewal_Date__c="2026-06-30")
    tom = salesforce.add_contact("Tom", "Chen", account=account, roles=("Business User",), Title="VP Engineering",
                                 Email="tom@acme.example", Department="Engineering")
    sarah = salesforce.add_contact("Sarah", "Kim", account=account, roles=("Economic Buyer", "Decision Maker"),
                                   Title="CFO", Email="sarah@acme.example", Department="Finance")
    opportunity = salesforce.add_opportunity(account)
    salesforce.add_opportunity_role(opportunity, sarah, "Evaluator")
    return {"account": account, "tom": tom, "sarah": sarah, "opportunity": opportunity}


def test_first_sync_brings_accounts_contacts_and_every_role(env, acme):
    out = sync()
    assert "Accounts: 1 created, 0 updated, 0 flagged" in out
    assert "Contacts: 2 created, 0 updated, 0 flagged" in out
    assert "Salesforce sync of workspace" in out
    data = shown("Acme")
    sarah = contact_named(data, "Sarah Kim")
    assert sarah["type"] == "economic_buyer" and sarah["also_types"] == ["decision_maker", "influencer"]
    assert (sarah["title"], sarah["email"], sarah["department"]) == ("CFO", "sarah@acme.example", "Finance")
    assert contact_named(data, "Tom Chen")["type"] == "end_user_champion"
    code, markdown = run("show", "Acme", "--team", TEAM, "--format", "markdown")
    assert "**ARR:** EUR 120,000" in markdown and "Jun 30, 2026" in markdown
    with running(make_settings(env["DATABASE_URL"]), None) as rt, rt.db.reading() as session:
        assert session.scalar(select(Account.owner_user_id).where(Account.team_id == TEAM)) == "U0CSM"
        cursors = {c.object: c.modified_at for c in session.scalars(select(CrmCursor))}
    assert set(cursors) == {"account", "contact", "relation", "opportunity_role"}
    assert all(value.endswith(".000+0000") for value in cursors.values())  # Salesforce's own SystemModstamp


def test_second_sync_changes_nothing(env, acme):
    sync()
    assert_second_syncs_change_nothing(env["DATABASE_URL"], "Accounts", 1, 2)


def test_new_contact_role_change_and_inactive_relation_show_after_one_sync(env, acme, salesforce):
    sync()
    salesforce.add_contact("Lisa", "Park", account=acme["account"], roles=("Technical Buyer",), Title="Eng Manager")
    salesforce.set_roles(acme["tom"], acme["account"], "Decision Maker")  # the Contact itself is not modified
    salesforce.deactivate(acme["sarah"], acme["account"])
    out = sync()
    assert "Contacts: 1 created, 1 updated, 1 flagged" in out
    data = shown("Acme")
    assert contact_named(data, "Lisa Park")["type"] == "technical_lead"
    tom = contact_named(data, "Tom Chen")
    assert tom["type"] == "decision_maker" and tom["also_types"] == []
    sarah = contact_named(data, "Sarah Kim")
    assert sarah["removed_in_crm"] is True and sarah["status"] == "active"  # flagged, never deleted
    changes = [h for h in data["history"] if h["field"] == "type"]
    assert [(h["old"], h["new"], h["changed_by"]) for h in changes] == [
        ("end_user_champion", "decision_maker", "crm:salesforce")]
    salesforce.touch("AccountContactRelation", salesforce.relation(acme["sarah"], acme["account"]), IsActive=True)
    assert "Contacts: 0 created, 1 updated, 0 flagged" in sync()  # active again: no longer flagged
    assert contact_named(shown("Acme"), "Sarah Kim")["removed_in_crm"] is False


def test_an_opportunity_role_changes_the_contact(env, acme, salesforce):
    sync()
    salesforce.add_opportunity_role(acme["opportunity"], acme["tom"], "Executive Sponsor")
    assert "Contacts: 0 created, 1 updated" in sync()
    assert contact_named(shown("Acme"), "Tom Chen")["also_types"] == ["executive_sponsor"]
    role = next(r for r in salesforce.objects["OpportunityContactRole"].values() if r["ContactId"] == acme["tom"])
    salesforce.delete("OpportunityContactRole", role["Id"])  # seen through queryAll
    assert "Contacts: 0 created, 1 updated" in sync()
    assert contact_named(shown("Acme"), "Tom Chen")["also_types"] == []


def test_deleted_contacts_are_flagged(env, acme, salesforce):
    sync()
    salesforce.delete("Contact", acme["tom"])  # the recycle bin: an incremental sync sees it through queryAll
    assert "Contacts: 0 created, 0 updated, 1 flagged" in sync()
    salesforce.purge("Contact", acme["sarah"])  # gone for good: only a full sync can tell
    assert "0 flagged" in sync().splitlines()[1]
    assert "Contacts: 0 created, 0 updated, 1 flagged" in sync("--full")
    data = shown("Acme")
    assert all(contact_named(data, name)["removed_in_crm"] for name in ("Tom Chen", "Sarah Kim"))


def test_paging_follows_next_records_url(env, salesforce):
    salesforce.page_cap = 2  # two records a page
    account = salesforce.add_account("Initech")
    for n in range(5):
        salesforce.add_contact(f"Person{n}", "Lumbergh", account=account, roles=("Influencer",))
    assert "Contacts: 5 created" in sync()
    pages = [path for method, path, _ in salesforce.requests if path.startswith("/services/data/v62.0/queryAll/")]
    assert len(pages) >= 2  # contacts: three pages, the second and third at nextRecordsUrl


def test_an_org_without_account_contact_relations_uses_opportunity_roles(env, acme, salesforce):
    salesforce.relations_enabled = False
    out = sync()
    assert "Contacts: 2 created" in out and "AccountContactRelation is not available" in out
    data = shown("Acme")
    assert contact_named(data, "Sarah Kim")["type"] == "influencer"  # Evaluator, from the opportunity


def test_accounts_and_people_already_in_stakemap_are_adopted(env, salesforce):
    assert run("demo", "--team", TEAM)[0] == 0
    account = salesforce.add_account("ACME ")
    salesforce.add_contact("Sarah", "Kim", account=account, roles=("Economic Buyer", "Decision Maker"),
                           Email="sarah@acme.example")
    out = sync()
    assert "Accounts: 0 created, 1 updated" in out and "Contacts: 0 created, 1 updated" in out
    sarah = contact_named(shown("Acme"), "Sarah Kim")
    assert (sarah["type"], sarah["also_types"]) == ("economic_buyer", ["decision_maker"])


def test_username_password_login(login, acme, salesforce):
    assert "Contacts: 2 created" in sync()
    assert salesforce.logins == 1
    login_call = salesforce.calls("/services/Soap/u/")[0][2].decode()
    assert f"<n1:password>{PASSWORD}{SECURITY_TOKEN}</n1:password>" in login_call


def test_an_expired_session_logs_in_again(login, acme, salesforce):
    sync()
    salesforce.expire_sessions()
    salesforce.add_contact("Lisa", "Park", account=acme["account"], roles=("Influencer",))
    assert "Contacts: 1 created" in sync()
    assert salesforce.logins == 2


def test_an_expired_token_without_a_password_is_one_sentence(env, acme, salesforce):
    salesforce.expire_sessions()
    code, out = run("crm", "sync", "--team", TEAM)
    assert code == 1 and out.startswith("Error: Salesforce refused the access token (INVALID_SESSION_ID): set "
                                        "SALESFORCE_ACCESS_TOKEN")
    assert len(out.strip().splitlines()) == 1


def test_a_refused_login_is_one_sentence(login, monkeypatch):
    monkeypatch.setenv("SALESFORCE_PASSWORD", "wrong")
    code, out = run("crm", "sync", "--team", TEAM)
    assert code == 1 and out.strip() == (
        "Error: Salesforce refused the login (INVALID_LOGIN): check SALESFORCE_USERNAME, SALESFORCE_PASSWORD and "
        "SALESFORCE_SECURITY_TOKEN (a new token comes from Settings → Reset My Security Token).")


def test_missing_credentials_are_one_sentence(env, monkeypatch):
    monkeypatch.delenv("SALESFORCE_ACCESS_TOKEN")
    code, out = run("crm", "sync", "--team", TEAM, "--crm", "salesforce")
    assert code == 1 and out.strip() == (
        "Error: Set SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN, or SALESFORCE_USERNAME, SALESFORCE_PASSWORD "
        "and SALESFORCE_SECURITY_TOKEN (README: 'Salesforce').")


def test_a_field_that_is_not_an_api_name_is_refused(env, monkeypatch):
    monkeypatch.setenv("SALESFORCE_ARR_FIELD", "ARR__c FROM User")
    code, out = run("crm", "sync", "--team", TEAM)
    assert code == 1 and "SALESFORCE_ARR_FIELD is invalid" in out


def test_request_limit_5xx_and_timeouts_are_retried(env, acme, salesforce):
    salesforce.fail("FROM Account", 403, code="REQUEST_LIMIT_EXCEEDED")
    salesforce.fail("FROM AccountContactRelation WHERE ContactId IN", 503, code="SERVER_UNAVAILABLE")
    salesforce.fail("FROM OpportunityContactRole WHERE ContactId IN", drop=True, times=2)
    assert "Contacts: 2 created" in sync()
    assert len(salesforce.calls("FROM Account ")) == 2  # the refusal, then the answer
    assert len(salesforce.calls("FROM OpportunityContactRole WHERE ContactId IN")) == 3


def test_interrupted_sync_resumes_from_its_cursor(env, acme, salesforce):
    salesforce.page_cap = 100
    for n in range(150):  # Acme and 150 more: two pages of accounts
        salesforce.add_account(f"Globex {n:03}")
    salesforce.fail("/query/", 503, code="SERVER_UNAVAILABLE", times=6)  # the second page never answers
    code, out = run("crm", "sync", "--team", TEAM)
    assert code == 1 and out.strip() == ("Error: Salesforce answered 503 after 6 attempts (GET "
                                         f"/services/data/v62.0/query/{out.split('/query/')[1].split(')')[0]}); "
                                         "the next sync resumes where this one stopped.")
    with running(make_settings(env["DATABASE_URL"]), None) as rt, rt.db.reading() as session:
        assert len(session.scalars(select(Account)).all()) == 100  # the first page is kept
        cursor = session.get(CrmCursor, (TEAM, "salesforce", "account")).modified_at
    salesforce.requests.clear()
    out = sync()
    assert "Accounts: 51 created, 0 updated, 0 flagged, 1 unchanged" in out  # from the cursor on
    first = salesforce.calls("FROM Account")[0][1]
    assert f"WHERE SystemModstamp >= {cursor[:19]}Z ORDER BY SystemModstamp, Id" in first


def test_client_waits_and_counts(salesforce):
    """REQUEST_LIMIT_EXCEEDED and 5xx: doubling backoff; then answered; limits read."""
    from app.platform.salesforce import SalesforceClient

    waits: list[float] = []
    client = SalesforceClient(salesforce.url, ACCESS_TOKEN, backoff=0.5, sleep=waits.append)
    salesforce.fail("/limits", 403, code="REQUEST_LIMIT_EXCEEDED")
    salesforce.fail("/limits", 500, code="UNKNOWN_EXCEPTION")
    assert client.limits()["DailyApiRequests"]["Max"] == 15000
    assert waits == [0.5, 1.0] and client.requests == 3


def test_a_field_salesforce_does_not_know_is_one_sentence(env, acme, monkeypatch):
    monkeypatch.setenv("SALESFORCE_RENEWAL_FIELD", "Renewal__c")
    code, out = run("crm", "sync", "--team", TEAM)
    assert code == 1 and out.strip() == (
        "Error: Salesforce has no field Renewal__c on Account: check SALESFORCE_ARR_FIELD, SALESFORCE_CURRENCY_FIELD "
        "and SALESFORCE_RENEWAL_FIELD, and that the integration user may read the field (README: 'Salesforce').")


def test_tasks_and_events_become_touches_once(env, acme, salesforce):
    tom, sarah, account = acme["tom"], acme["sarah"], acme["account"]
    salesforce.insert("Task", WhoId=tom, WhatId=account, ActivityDate="2026-02-20", TaskSubtype="Call",
                      Subject="Call", Status="Completed")
    salesforce.insert("Task", WhoId=sarah, ActivityDate="2026-02-21", TaskSubtype="Email", Subject="Email: deck")
    salesforce.insert("Task", WhoId=sarah, ActivityDate="2026-02-22", TaskSubtype="Task", Type="Meeting",
                      Subject="Onsite")
    salesforce.insert("Task", WhoId=tom, ActivityDate="2026-02-23", TaskSubtype="Task", Subject="Send contract")
    salesforce.insert("Event", WhoId=tom, WhatId=account, StartDateTime="2026-02-24T09:00:00.000+0000",
                      ActivityDateTime="2026-02-24T09:00:00.000+0000", Subject="QBR")
    salesforce.insert("Event", WhoId=sarah, ActivityDate="2026-02-25", IsAllDayEvent=True, Subject="Workshop")
    salesforce.insert("Task", WhoId="00Q000000000001AAA", ActivityDate="2026-02-26", TaskSubtype="Call")  # a Lead
    gone = salesforce.insert("Task", WhoId=tom, ActivityDate="2026-02-27", TaskSubtype="Call")
    salesforce.delete("Task", gone)  # in the recycle bin: not a touch
    ahead = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    salesforce.insert("Event", WhoId=tom, ActivityDate=ahead, Subject="Renewal call")  # planned: not a touch yet
    out = sync()
    assert "Activities: 6 touches created" in out
    with running(make_settings(env["DATABASE_URL"]), None) as rt:
        assert touches_of(rt, "Tom Chen") == [("call", "2026-02-20", "crm:salesforce"),
                                              ("other", "2026-02-23", "crm:salesforce"),
                                              ("meeting", "2026-02-24", "crm:salesforce")]
        assert touches_of(rt, "Sarah Kim") == [("email", "2026-02-21", "crm:salesforce"),
                                               ("meeting", "2026-02-22", "crm:salesforce"),
                                               ("meeting", "2026-02-25", "crm:salesforce")]
    deleted_reads = [path for _, path, _ in salesforce.calls("FROM Task") if "IsDeleted = false" in path]
    assert deleted_reads and not salesforce.calls("queryAll?q=SELECT Id, WhoId")
    assert "Activities: 0 touches created" in sync()
    assert "Activities: 0 touches created" in sync("--full")
    salesforce.insert("Task", WhoId=tom, ActivityDate="2026-02-28", TaskSubtype="Email")
    assert "Activities: 1 touches created" in sync()  # from the cursor on: the new Task only
    with running(make_settings(env["DATABASE_URL"]), None) as rt, rt.db.reading() as session:
        cursors = {c.object for c in session.scalars(select(CrmCursor))}
    assert {"task", "event"} <= cursors
