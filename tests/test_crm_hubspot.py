"""The HubSpot pull, driven as an operator would: `stakemap crm sync` against the HubSpot stand-in (and the
Slack stand-in for owners' e-mails), the map read back with `stakemap show`; and the scheduled job."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.core.models import Account, Contact, CrmCursor
from tests.conftest import BOT_TOKEN, TEAM, make_settings, running
from tests.crm_cli import assert_second_syncs_change_nothing, contact_named, run, shown, sync
from tests.hubspot_standin import TOKEN, HubSpotStandIn


@pytest.fixture
def hubspot() -> Iterator[HubSpotStandIn]:
    with HubSpotStandIn() as server:
        yield server


@pytest.fixture
def env(db_url, hubspot, standin, monkeypatch):
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "CRM_SYNC_HOURS"):
        monkeypatch.delenv(name, raising=False)
    values = {"DATABASE_URL": db_url, "HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_API_URL": hubspot.url,
              "HUBSPOT_ARR_FIELD": "stakemap_arr", "HUBSPOT_CURRENCY_FIELD": "stakemap_currency",
              "HUBSPOT_RENEWAL_FIELD": "contract_renewal_date", "HUBSPOT_DEPARTMENT_FIELD": "department",
              "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": standin.api_url,
              "HUBSPOT_BACKOFF_SECONDS": "0.01"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def acme(hubspot, standin) -> dict[str, str]:
    """Acme in HubSpot: its owner a Slack user (by e-mail), Tom the champion, Sarah economic buyer and decision
    maker (two labels on one association)."""
    standin.add_user("U0CSM", "casey", profile={"email": "casey@vendor.example"})
    hubspot.add_owner("501", "casey@vendor.example")
    company = hubspot.add_company("Acme", hubspot_owner_id="501", stakemap_arr="120000", stakemap_currency="eur",
                                  contract_renewal_date="2026-06-30")
    tom = hubspot.add_contact("Tom", "Chen", company=company, labels=("Champion",), jobtitle="VP Engineering",
                              email="tom@acme.example", department="Engineering")
    sarah = hubspot.add_contact("Sarah", "Kim", company=company, labels=("Economic buyer", "Decision maker"),
                                jobtitle="CFO", email="sarah@acme.example", department="Finance")
    return {"company": company, "tom": tom, "sarah": sarah}


def test_first_sync_brings_accounts_contacts_and_every_role(env, acme):
    out = sync()
    assert "Companies: 1 created, 0 updated, 0 flagged" in out
    assert "Contacts: 2 created, 0 updated, 0 flagged" in out
    data = shown("Acme")
    sarah = contact_named(data, "Sarah Kim")
    assert sarah["type"] == "economic_buyer" and sarah["also_types"] == ["decision_maker"]
    assert (sarah["title"], sarah["email"], sarah["department"]) == ("CFO", "sarah@acme.example", "Finance")
    assert contact_named(data, "Tom Chen")["type"] == "champion"
    code, markdown = run("show", "Acme", "--team", TEAM, "--format", "markdown")
    assert "| Sarah Kim | CFO | Economic Buyer (also Decision Maker) |" in markdown
    assert "| Decision Maker |" in markdown  # a coverage row: the extra role counts
    assert "**ARR:** EUR 120,000" in markdown and "Jun 30, 2026" in markdown
    with running(make_settings(env["DATABASE_URL"]), None) as rt, rt.db.reading() as session:
        account = session.scalar(select(Account).where(Account.team_id == TEAM))
        assert account.owner_user_id == "U0CSM"
    code, exported = run("export", "--team", TEAM, "--format", "json")
    people = {c["name"]: c for c in json.loads(exported)["accounts"][0]["contacts"]}
    assert people["Sarah Kim"]["also"] == "decision_maker" and people["Tom Chen"]["also"] == ""


def test_second_sync_changes_nothing(env, acme):
    sync()
    assert_second_syncs_change_nothing(env["DATABASE_URL"], "Companies", 1, 2)


def test_new_contact_role_change_and_archive_show_after_one_sync(env, acme, hubspot):
    sync()
    hubspot.add_contact("Lisa", "Park", company=acme["company"], labels=("Technical lead",), jobtitle="Eng Manager")
    hubspot.label(acme["tom"], acme["company"], "Decision maker")  # no longer the champion
    hubspot.archive("contacts", acme["sarah"])
    out = sync()
    assert "Contacts: 1 created, 1 updated, 1 flagged" in out
    data = shown("Acme")
    assert contact_named(data, "Lisa Park")["type"] == "technical_lead"
    tom = contact_named(data, "Tom Chen")
    assert tom["type"] == "decision_maker" and tom["also_types"] == []
    sarah = contact_named(data, "Sarah Kim")
    assert sarah["removed_in_crm"] is True and sarah["status"] == "active"  # flagged, never deleted
    champion = next(c for c in data["coverage"] if c["dimension"] == "champion")
    assert champion["status"] == "missing"
    changes = [h for h in data["history"] if h["field"] in ("type", "roles")]
    assert {"field": "type", "old": "champion", "new": "decision_maker"} in [
        {k: h[k] for k in ("field", "old", "new")} for h in changes]
    assert changes and all(h["changed_by"] == "crm:hubspot" for h in changes)
    code, markdown = run("show", "Acme", "--team", TEAM, "--format", "markdown")
    assert "Removed in the CRM: confirm" in markdown


def test_a_contact_deleted_for_good_is_flagged_by_a_full_sync(env, acme, hubspot):
    sync()
    hubspot.delete("contacts", acme["tom"])
    assert "0 flagged" in sync().splitlines()[1]  # an incremental sync cannot see a deletion
    assert "Contacts: 0 created, 0 updated, 1 flagged" in sync("--full")
    assert contact_named(shown("Acme"), "Tom Chen")["removed_in_crm"] is True


def test_rate_limit_then_success(env, acme, hubspot):
    hubspot.fail("/search", 429, retry_after="0")
    hubspot.fail("/batch/read", 502)
    out = sync()
    assert "Contacts: 2 created" in out
    searches = hubspot.calls("/crm/v3/objects/companies/search")
    assert len(searches) == 2  # the 429, then the answer


def test_interrupted_sync_resumes_from_its_cursor(env, acme, hubspot):
    for n in range(150):  # Acme and 150 more: two pages of companies
        hubspot.add_company(f"Globex {n:03}")
    hubspot.fail("/crm/v3/objects/companies/search", 503, times=6, passing=1)  # the second page never answers
    code, out = run("crm", "sync", "--team", TEAM)
    assert code == 1 and out.strip() == ("Error: HubSpot answered 503 after 6 attempts (POST "
                                         "/crm/v3/objects/companies/search); the next sync resumes where this one stopped.")
    with running(make_settings(env["DATABASE_URL"]), None) as rt, rt.db.reading() as session:
        assert len(session.scalars(select(Account)).all()) == 100  # the first page is kept
        cursor = session.get(CrmCursor, (TEAM, "hubspot", "company")).modified_at
    hubspot.requests.clear()
    out = sync()
    assert "Companies: 51 created, 0 updated, 0 flagged, 1 unchanged" in out  # from the cursor on
    assert "Contacts: 2 created" in out
    first = hubspot.calls("/crm/v3/objects/companies/search")[0][2]
    assert first["filterGroups"] == [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE",
                                                   "value": cursor}]}]
    with running(make_settings(env["DATABASE_URL"]), None) as rt, rt.db.reading() as session:
        assert len(session.scalars(select(Account)).all()) == 151


def test_timeouts_are_retried(env, acme, hubspot):
    hubspot.fail("/crm/v3/owners", drop=True, times=2)
    assert "Companies: 1 created" in sync()
    assert len(hubspot.calls("/crm/v3/owners")) == 3


def test_missing_token_is_one_sentence(env, monkeypatch):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    code, out = run("crm", "sync", "--team", TEAM, "--crm", "hubspot")
    assert code == 1 and out.strip() == "Error: Set HUBSPOT_ACCESS_TOKEN to a HubSpot private app's access token " \
        "(README: 'HubSpot')."
    code, out = run("crm", "sync", "--team", TEAM)  # no CRM configured at all: both are named
    assert code == 1 and out.strip().startswith("Error: Set HUBSPOT_ACCESS_TOKEN (README: 'HubSpot') or ")
    assert out.strip().endswith("(README: 'Salesforce').") and len(out.strip().splitlines()) == 1


def test_rejected_token_is_one_sentence(env, acme, monkeypatch):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-revoked")
    code, out = run("crm", "sync", "--team", TEAM)
    assert code == 1 and out.startswith("Error: HubSpot refused the access token: set HUBSPOT_ACCESS_TOKEN")
    assert len(out.strip().splitlines()) == 1


def test_cursor_is_kept_per_object(env, acme):
    sync()
    with running(make_settings(env["DATABASE_URL"]), None) as rt, rt.db.reading() as session:
        cursors = {c.object: c.modified_at for c in session.scalars(select(CrmCursor))}
        assert set(cursors) == {"company", "contact"} and all(v.endswith("Z") for v in cursors.values())
        assert session.scalar(select(Contact.name).where(Contact.name == "Tom Chen"))


def test_client_waits_as_hubspot_says(hubspot):
    """429: Retry-After when HubSpot sends it; 5xx: doubling backoff; both then answered."""
    from app.platform.hubspot import HubSpotClient

    waits: list[float] = []
    client = HubSpotClient(hubspot.url, TOKEN, backoff=0.5, sleep=waits.append)
    hubspot.fail("/crm/v3/owners", 429, retry_after="7")
    hubspot.fail("/crm/v3/owners", 500, times=2)
    assert client.owner_emails() == {}
    assert waits == [7.0, 1.0, 2.0] and client.requests == 4


def test_a_workspace_maps_its_own_labels(env, acme, hubspot):
    code, out = run("crm", "roles", "--team", TEAM, "--set", "Budget owner=economic_buyer", "--set", "Champion=")
    assert code == 0 and "budget owner → Economic Buyer" in out and "\nchampion →" not in out
    code, out = run("crm", "roles", "--team", TEAM, "--set", "Boss=king")
    assert code == 1 and "'king' (for 'Boss') is not a stakeholder type" in out
    hubspot.add_contact("Bo", "Rich", company=acme["company"], labels=("Budget owner",))
    sync()
    data = shown("Acme")
    assert contact_named(data, "Bo Rich")["type"] == "economic_buyer"
    assert contact_named(data, "Tom Chen")["type"] == "influencer"  # "Champion" is ignored here
    code, out = run("crm", "roles", "--team", TEAM, "--reset")
    assert "\nchampion → Champion" in out and "budget owner" not in out  # the shipped table again


def test_accounts_and_people_already_in_stakemap_are_adopted(env, hubspot):
    code, out = run("demo", "--team", TEAM)
    assert code == 0
    company = hubspot.add_company("ACME ")  # the same account, whatever the case and spaces
    hubspot.add_contact("Sarah", "Kim", company=company, labels=("Economic buyer", "Decision maker"),
                        email="sarah@acme.example")
    out = sync()
    assert "Companies: 0 created, 1 updated" in out and "Contacts: 0 created, 1 updated" in out
    sarah = contact_named(shown("Acme"), "Sarah Kim")
    assert (sarah["type"], sarah["also_types"], sarah["email"]) == ("economic_buyer", ["decision_maker"],
                                                                    "sarah@acme.example")
    assert "Companies: 0 created, 0 updated, 0 flagged, 1 unchanged" in sync("--full")


def test_two_companies_of_one_name_feed_one_account(env, hubspot):
    hubspot.add_company("Globex")
    hubspot.add_company("Globex")
    assert "Companies: 1 created, 0 updated, 0 flagged, 0 unchanged, 1 skipped" in sync()
    assert "Companies: 0 created, 0 updated, 0 flagged, 1 unchanged, 1 skipped" in sync("--full")


def test_a_renamed_company_renames_its_account_and_moves_its_fields(env, acme, hubspot):
    sync()
    hubspot.touch("companies", acme["company"], name="Acme Corp", stakemap_arr="150000.50",
                  contract_renewal_date="1798675200000")  # HubSpot's date type: epoch milliseconds (2026-12-31)
    assert "Companies: 0 created, 1 updated" in sync()
    code, markdown = run("show", "Acme Corp", "--team", TEAM, "--format", "markdown")
    assert code == 0 and "**ARR:** EUR 150,000.50" in markdown and "Dec 31, 2026" in markdown


def test_a_full_sync_sets_the_cursor_only_once_it_is_through(env, acme, hubspot):
    for n in range(150):
        hubspot.add_company(f"Globex {n:03}")
    hubspot.fail("/crm/v3/objects/companies", 503, times=6, passing=1)  # the full list's second page
    assert run("crm", "sync", "--team", TEAM, "--full")[0] == 1
    with running(make_settings(env["DATABASE_URL"]), None) as rt, rt.db.reading() as session:
        assert session.get(CrmCursor, (TEAM, "hubspot", "company")) is None
    assert "Companies: 51 created, 0 updated, 0 flagged, 100 unchanged" in sync("--full")
    assert "Companies: 0 created, 0 updated, 0 flagged, 1 unchanged" in sync()  # from the cursor the full sync set


def test_roles_a_csm_set_in_slack_survive_a_sync(env, acme, hubspot):
    from datetime import UTC, datetime

    from app.core.domain import StakeholderType
    from app.services.roles import replace_roles

    sync()
    with running(make_settings(env["DATABASE_URL"]), None) as rt, rt.db.session() as session:
        tom = session.scalar(select(Contact).where(Contact.team_id == TEAM, Contact.name == "Tom Chen"))
        replace_roles(session, tom, {StakeholderType.EXECUTIVE_SPONSOR}, "U0CSM", datetime.now(UTC))
    hubspot.label(acme["tom"], acme["company"], "Champion", "Influencer")
    assert "Contacts: 0 created, 1 updated" in sync()
    assert contact_named(shown("Acme"), "Tom Chen")["also_types"] == ["executive_sponsor", "influencer"]
    hubspot.label(acme["tom"], acme["company"], "Champion")
    sync()
    assert contact_named(shown("Acme"), "Tom Chen")["also_types"] == ["executive_sponsor"]
