"""Import and export: round trips, idempotent upserts, all-or-nothing files with every bad line
named, the encodings, delimiters and CRM headers people really have."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.domain import Cadence, ContactStatus, Sentiment, StakeholderType, StrategyOrigin, TouchKind
from app.core.errors import StakemapError
from app.core.models import Account, Contact, ContactChange, ContactCreate, Touch, TouchCreate
from app.platform.slack_client import slack_email_lookup
from app.render.text import maps_markdown
from app.services.accounts import find_account
from app.services.contacts import add_contact, find_contact
from app.services.demo import load_demo
from app.services.erasure import forget_contact
from app.services.strategies import accept_proposals
from app.services.touches import log_touch
from app.services.transfer.columns import Kind
from app.services.transfer.exporter import (
    chosen_accounts,
    csv_text,
    export_assessments,
    export_json,
    records_of,
)
from app.services.transfer.importer import ImportRejected, import_table
from app.services.transfer.reading import read_table
from tests.conftest import TEAM

OTHER = "T0NEW"


def run_import(runtime, data: bytes | str, team: str = TEAM, **kwargs):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with runtime.db.session() as session:
        return import_table(session, team, read_table(raw), runtime.now(), **kwargs)


def export_all(runtime, team: str = TEAM) -> dict[Kind, str]:
    with runtime.db.session() as session:
        accounts = chosen_accounts(session, team, None)
        return {kind: csv_text(kind, records_of(session, team, kind, accounts)) for kind in Kind}


def count(runtime, table) -> int:
    with runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(table))


@pytest.fixture
def demo(runtime):
    """The demo accounts plus what makes a round trip hard: quotes, commas, new lines, accents,
    the same call logged twice, a sentiment after a touch, an e-mail, an erased person."""
    with runtime.db.session() as session:
        load_demo(session, TEAM, runtime.now())
        acme = find_account(session, TEAM, "Acme")
        tom = find_contact(session, acme, "Tom Chen")
        odd = add_contact(session, acme, ContactCreate(
            name='Zoë "Z" O\'Brien, Jr.', title="Head of Ops; EMEA", type=StakeholderType.GATEKEEPER,
            email="zoe@acme.example", notes="Line one\nline two, with a comma", reports_to_id=tom.id,
            objectives="Fewer tools", strategy_approach='Weekly "ops" sync, then a demo', strategy_cadence="weekly",
            strategy_channel=TouchKind.CHAT), None, runtime.now())
        accept_proposals(session, acme.team_id, acme.id, tom.id, "U0CSM", runtime.now())
        for _ in range(2):
            log_touch(session, acme, TouchCreate(contact_id=odd.id, occurred_on=date(2026, 3, 2), kind=TouchKind.CALL),
                      None, runtime.now())
        log_touch(session, acme, TouchCreate(contact_id=odd.id, occurred_on=date(2026, 3, 3), kind=TouchKind.CHAT,
                                             sentiment_after=Sentiment.SKEPTICAL, notes="€ pricing “concerns”"),
                  None, runtime.now())
        gone = add_contact(session, acme, ContactCreate(name="Gone Person", type=StakeholderType.INFLUENCER), None,
                           runtime.now())
        forget_contact(session, acme, gone, "U0ADMIN", runtime.now())


# --- round trip and idempotence -----------------------------------------------------------------------


def test_export_import_into_an_empty_workspace_exports_identical_files(runtime, demo):
    first = export_all(runtime)
    for kind in Kind:
        result = run_import(runtime, first[kind], team=OTHER)
        assert result.created == len(first[kind].splitlines()) - 1 - first[kind].count("\nline two")
    assert export_all(runtime, OTHER) == first
    rows = list(csv.DictReader(io.StringIO(first[Kind.CONTACTS])))
    zoe = next(r for r in rows if r["name"].startswith("Zoë"))
    assert zoe["reports_to"] == "Tom Chen" and zoe["notes"] == "Line one\nline two, with a comma"
    assert {r["name"] for r in rows if r["title"] == "CTO"} == {""}
    assert not any("Gone" in text or "Erased" in text for text in first.values())  # erased people stay out
    assert first[Kind.TOUCHES].count("Zoë") == 3  # the same call logged twice is two touches
    strategies = {r["name"]: (r["strategy"], r["cadence"], r["channel"], r["strategy_status"]) for r in rows}
    assert strategies[zoe["name"]] == ('Weekly "ops" sync, then a demo', "Weekly", "Slack/chat", "CSM's own")
    assert strategies["Tom Chen"] == ("Monthly roadmap 1:1; involve in beta", "Monthly", "call", "Accepted proposal")
    assert strategies["Sarah Kim"] == ("", "", "", "")  # a proposal is proposed again, not stored


def test_strategy_columns_import_with_history_and_proposed_stores_nothing(runtime, demo):
    result = run_import(runtime, "account,name,strategy,cadence,channel,strategy status\n"
                                 "Acme,Sarah Kim,Monthly CFO coffee,monthly,meeting,\n"
                                 "Acme,Lisa Park,Technical sync,biweekly,call,proposed\n"
                                 "Acme,Tom Chen,,,,\n")
    assert (result.updated, result.unchanged) == (1, 2)
    with runtime.db.session() as session:
        acme = find_account(session, TEAM, "Acme")
        sarah, lisa = find_contact(session, acme, "Sarah Kim"), find_contact(session, acme, "Lisa Park")
        assert (sarah.strategy_approach, sarah.strategy_cadence, sarah.strategy_origin) == (
            "Monthly CFO coffee", Cadence.MONTHLY, StrategyOrigin.OWN)
        assert (lisa.strategy_approach, lisa.strategy_origin) == (None, None)  # "proposed": nothing stored
        changes = {c.field: c.new_value for c in session.scalars(
            select(ContactChange).where(ContactChange.contact_id == sarah.id))}
        assert changes["strategy_approach"] == "Monthly CFO coffee" and changes["strategy_cadence"] == "monthly"
    with pytest.raises(ImportRejected) as rejected:
        run_import(runtime, "account,name,strategy,cadence\nAcme,Sarah Kim,Weekly sync,hourly\nAcme,Tom Chen,,weekly\n")
    named = [(p.line, p.message) for p in rejected.value.problems]
    assert any(line == 2 and text.startswith("cadence: 'hourly' is not one of: Weekly") for line, text in named)
    assert (3, "cadence: Write the approach too, or clear the cadence to use the proposal.") in named


def test_reimporting_changes_nothing(runtime, demo):
    files = export_all(runtime)
    with runtime.db.session() as session:
        version = find_account(session, TEAM, "Acme").version
    before = [count(runtime, table) for table in (Account, Contact, Touch, ContactChange)]
    for kind in Kind:
        result = run_import(runtime, files[kind])
        assert (result.created, result.updated) == (0, 0) and result.unchanged == result.rows
    assert [count(runtime, table) for table in (Account, Contact, Touch, ContactChange)] == before
    with runtime.db.session() as session:
        assert find_account(session, TEAM, "Acme").version == version


def test_changed_cells_update_and_record_history_blank_cells_keep(runtime, demo):
    with runtime.db.session() as session:
        version = find_account(session, TEAM, "Acme").version
    result = run_import(runtime, "account,name,sentiment,notes,department\n"
                                 "ACME,sarah kim,Skeptical,,\n"
                                 "Acme,CTO (name unknown),,,Office of the CTO\n")
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    with runtime.db.session() as session:
        acme = find_account(session, TEAM, "Acme")
        sarah, cto = find_contact(session, acme, "Sarah Kim"), find_contact(session, acme, "CTO")
        assert sarah.sentiment == Sentiment.SKEPTICAL and sarah.notes.startswith("Met once")  # blank kept
        assert cto.department == "Office of the CTO" and cto.status == ContactStatus.NOT_ENGAGED
        changes = session.scalars(select(ContactChange).where(ContactChange.contact_id == sarah.id))
        assert {(c.field, c.old_value, c.new_value, c.changed_by) for c in changes} == {
            ("sentiment", "neutral", "skeptical", None),
            ("name", "Sarah Kim", "sarah kim", None)}  # the cell as typed; a CRM sync weighs its time (issue 13)
        assert acme.version > version  # cached maps of Acme are stale now


def test_reports_to_lines_reach_new_and_existing_contacts_in_any_order(runtime, demo):
    result = run_import(runtime, "account,name,title,reports_to\n"
                                 "Acme,Sarah Kim,,Ada Board\n"       # an existing contact under a new one
                                 "Acme,Ivy Intern,,Bo Lead\n"        # a report listed before its manager
                                 "Acme,Bo Lead,,CTO (name unknown)\n"
                                 "Acme,Ada Board,Chair,\n")
    assert (result.created, result.updated) == (3, 1)
    with runtime.db.session() as session:
        acme = find_account(session, TEAM, "Acme")
        person = {label: find_contact(session, acme, label) for label in ("Sarah Kim", "Ivy Intern", "Bo Lead",
                                                                          "Ada Board", "CTO")}
        assert person["Sarah Kim"].reports_to_id == person["Ada Board"].id
        assert person["Ivy Intern"].reports_to_id == person["Bo Lead"].id
        assert person["Bo Lead"].reports_to_id == person["CTO"].id


def test_bulk_inserts_change_the_map_version_too(runtime, demo):
    with runtime.db.session() as session:
        before = {a.name: a.version for a in session.scalars(select(Account))}
    run_import(runtime, "account,name\nGlobex,New Person\n")
    run_import(runtime, "account,contact,date,kind\nInitech,Bob Slydell,2026-03-09,call\n")
    with runtime.db.session() as session:
        after = {a.name: a.version for a in session.scalars(select(Account))}
    assert after["Globex"] > before["Globex"] and after["Initech"] > before["Initech"]
    assert after["Acme"] == before["Acme"]


# --- all or nothing -------------------------------------------------------------------------------------


def test_three_bad_rows_among_ten_thousand_import_nothing_and_are_named(runtime):
    run_import(runtime, "name\nBig\n")
    lines = ["account,name,type,level,email"]
    lines += [f"Big,Person {i},Champion,VP,p{i}@big.example" for i in range(10_000)]
    lines[1234] = "Big,Person X,Chief Vibes Officer,VP,x@big.example"
    lines[5000] = "Big,Person Y,Champion,VP,not-an-email"
    lines[9999] = "Big,Person Z,Champion,Galactic,z@big.example"
    with pytest.raises(ImportRejected) as rejected:
        run_import(runtime, "\n".join(lines) + "\n")
    problems = rejected.value.problems
    assert [p.line for p in problems] == [1235, 5001, 10000]
    assert "type: 'Chief Vibes Officer' is not one of: Champion" in str(problems[0])
    assert str(problems[1]) == "line 5001: email: That does not look like an e-mail address."
    assert "level: 'Galactic' is not one of" in str(problems[2])
    assert str(rejected.value) == "3 bad rows in this contacts file; nothing was imported."
    assert count(runtime, Contact) == 0


def test_every_kind_of_bad_row_is_named(runtime, demo):
    with pytest.raises(ImportRejected) as rejected:
        run_import(runtime, "account,name,title,reports_to\n"
                            "Nope,Ann,,\n"           # 2: unknown account
                            "Acme,,,\n"              # 3: neither name nor title
                            "Acme,Bea,,Nobody\n"     # 4: unknown manager
                            "Acme,Bea,,\n"           # 5: duplicate of line 4
                            "Acme,Cy,,Cy\n"          # 6: reports to themselves
                            "Acme,Tom Chen,,Dee\n"   # 7: Tom → Dee → Tom
                            "Acme,Dee,,Tom Chen\n")  # 8
    named = {p.line: p.message for p in rejected.value.problems}
    assert named[2] == "account: no account named 'Nope' in this workspace (import the accounts file first)."
    assert named[3].startswith("name: Give a name or")
    assert named[4] == "reports_to: no contact 'Nobody' at Acme."
    assert named[5] == "name: Bea at Acme is already on line 4."
    assert named[6] == "reports_to: a contact cannot report to themselves."
    assert "reports-to cycle" in named[7] and "reports-to cycle" in named[8]


def test_bad_touches_are_named(runtime, demo):
    with pytest.raises(ImportRejected) as rejected:
        run_import(runtime, "account,contact,date,kind\n"
                            "Acme,Tom Chen,2027-01-01,call\n"
                            "Acme,Nobody,2026-03-01,call\n"
                            "Acme,Tom Chen,yesterday,call\n"
                            "Acme,Tom Chen,2026-03-01,carrier pigeon\n"
                            "Acme,Tom Chen,,call\n")
    assert [str(p) for p in rejected.value.problems] == [
        "line 2: date: The touch date is in the future.",
        "line 3: contact: no contact 'Nobody' at Acme (import the contacts file first).",
        "line 4: date: 'yesterday' is not a date: use YYYY-MM-DD.",
        "line 5: kind: 'carrier pigeon' is not one of: call, meeting, email, QBR, Slack/chat, event, other",
        "line 6: date: This is required.",
    ]


# --- what people really have ----------------------------------------------------------------------------


SALESFORCE_CONTACTS = "First Name;Last Name;Title;Account Name;Email;Mailing City\nRenée;Dubois;DSI;Café Crème;r@cc.example;Lyon\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings_and_salesforce_headers(runtime, encoding):
    run_import(runtime, "Account Name,Annual Recurring Revenue,Currency ISO Code,Contract End Date\n"
                        "Café Crème,\"$120,000\",usd,06/30/2027\n".encode(encoding))
    result = run_import(runtime, SALESFORCE_CONTACTS.encode(encoding))
    assert result.kind == Kind.CONTACTS and result.created == 1 and result.ignored_columns == ("Mailing City",)
    with runtime.db.session() as session:
        account = find_account(session, TEAM, "café crème")
        assert (str(account.arr_amount), account.currency, account.renewal_date) == ("120000.00", "USD", date(2027, 6, 30))
        renee = find_contact(session, account, "Renée Dubois")
        assert (renee.title, renee.email, renee.type) == ("DSI", "r@cc.example", StakeholderType.INFLUENCER)


def test_tabs_semicolons_excel_sep_line_and_hubspot_touch_headers(runtime, demo):
    tabbed = "Company Name\tContact\tLast Activity Date\tActivity Type\tComments\nAcme\tCTO\t2026-03-09 14:22\tMeeting\tintro\n"
    assert run_import(runtime, tabbed).created == 1
    excel = "sep=;\naccount;contact;date;kind\nAcme;Lisa Park;09.03.2026;E-mail\n"
    assert run_import(runtime, excel).created == 1
    with runtime.db.session() as session:
        acme = find_account(session, TEAM, "Acme")
        cto = find_contact(session, acme, "CTO (name unknown)")
        kinds = session.scalars(select(Touch.kind).where(Touch.account_id == acme.id, Touch.occurred_on == date(2026, 3, 9)))
        assert sorted(kinds) == [TouchKind.EMAIL, TouchKind.MEETING]
        assert cto.status == ContactStatus.NOT_ENGAGED  # imported history does not re-rate the contact


def test_a_header_that_is_no_known_kind_is_one_sentence(runtime):
    with pytest.raises(StakemapError, match="Cannot tell what this file holds"):
        run_import(runtime, "colour,size\nred,9\n")
    with pytest.raises(StakemapError, match="neither UTF-8 nor Windows-1252"):
        run_import(runtime, b"name\n\x81\x8d\n")


def test_owner_emails_are_looked_up_in_slack(runtime, standin):
    standin.add_user("U0JANE", "jane")
    owners = slack_email_lookup(runtime.settings)
    run_import(runtime, "name,owner\nAcme,JANE@example.com\nGlobex,U0BOB\n", owners=owners)
    with runtime.db.session() as session:
        assert find_account(session, TEAM, "Acme").owner_user_id == "U0JANE"
        assert find_account(session, TEAM, "Globex").owner_user_id == "U0BOB"
    with pytest.raises(ImportRejected) as rejected:
        run_import(runtime, "name,owner\nInitech,nobody@example.com\nHooli,Jane Doe\n", owners=owners)
    assert [str(p) for p in rejected.value.problems] == [
        "line 2: owner: no Slack user has the e-mail nobody@example.com.",
        "line 3: owner: 'Jane Doe' is neither a Slack user id (U…) nor an e-mail address."]
    with pytest.raises(ImportRejected, match="1 bad row") as rejected:
        run_import(runtime, "name,owner\nInitech,jane@example.com\n", owners=None)
    assert "set SLACK_BOT_TOKEN" in str(rejected.value.problems[0])


def test_another_workspace_sees_none_of_it(runtime, demo):
    with pytest.raises(ImportRejected):
        run_import(runtime, "account,name\nAcme,Someone\n", team=OTHER)
    assert export_all(runtime, OTHER)[Kind.CONTACTS].count("\n") == 1  # the header only


# --- other formats ------------------------------------------------------------------------------------


def test_json_nests_contacts_and_touches_and_markdown_is_the_seed_layout(runtime, demo):
    with runtime.db.session() as session:
        accounts = chosen_accounts(session, TEAM, find_account(session, TEAM, "Acme"))
        data = json.loads(json.dumps(export_json(session, TEAM, accounts)))
        markdown = maps_markdown(export_assessments(session, TEAM, accounts, runtime.today()))
    [acme] = data["accounts"]
    assert acme["name"] == "Acme" and acme["arr"] == "120000.00"
    assert {c["name"] or c["title"] for c in acme["contacts"]} >= {"Tom Chen", "CTO", "Zoë \"Z\" O'Brien, Jr."}
    assert {t["contact"] for t in acme["touches"]} >= {"Tom Chen", "Sarah Kim"}
    assert markdown.startswith("## Stakeholder Map: Acme\n**Date:** Mar 10, 2026 | **ARR:** EUR 120,000")
    for heading in ("### Active Contacts", "### Known But Not Engaged", "### Coverage Assessment",
                    "### Single-Thread Risk", "### Multi-Threading Plan"):
        assert heading in markdown
