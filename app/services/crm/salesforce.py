"""The Salesforce pull: Accounts → accounts, Contacts → contacts, AccountContactRelation.Roles and
OpportunityContactRole.Role → stakeholder roles (through the same mapping table as HubSpot's labels).

Four SOQL streams, each ordered by SystemModstamp with its own cursor (app.core.models.CrmCursor, moved after
every page in the page's transaction, so an interrupted sync resumes where it stopped):
- Account — name, owner's e-mail (→ Slack user), the ARR / currency / renewal fields chosen in settings;
- Contact, through queryAll — a deleted contact (IsDeleted) is flagged, never deleted;
- AccountContactRelation and OpportunityContactRole — a role changed there does not touch the Contact's
  SystemModstamp, so the contacts they name are read again.
A contact is placed in its Account (Contact.AccountId); its roles are those of its relation to that Account
(multi-select, ';'-separated) and of that Account's opportunities; an inactive relation (IsActive = false)
flags it. `full` reads everything and flags linked contacts Salesforce no longer has at all. How records are
stored is shared with the HubSpot pull (app.services.crm.pull).

Conflicts: field by field, the newer change wins (app.services.crm.pull): a record's LastModifiedDate is when
Salesforce last changed its fields (Salesforce keeps no per-field time the pull could read cheaply: field
history tracking is per-object opt-in), and a contact's roles are as new as the relation and opportunity-role
records they come from. The roles the last sync read are kept on the link (CrmLink.roles): while Salesforce
still gives those, a type or role a CSM set in Slack stays. Reports-to: Contact.ReportsToId names the manager,
linked once every contact of the sync is stored (app.services.crm.reports_to).

Activities: Tasks and Events on a linked contact (WhoId) become touches (app.services.crm.activities, shared
with HubSpot) — a Task by its TaskSubtype (Call → call, Email / List Email → e-mail; else its Type: Call, Email,
Meeting; else "other"), dated ActivityDate; an Event a meeting, dated ActivityDate or StartDateTime. Two more
streams with a cursor each ("task", "event"); deleted ones (IsDeleted) are not read. A Task stakemap pushed
(app.services.crm.salesforce_push) is skipped: its id is the outbox row's, or its Subject carries the marker.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from app.core import crm
from app.core.crm import ROLES_CONFIG_KEY, SALESFORCE, ObjectMissing, SyncReport
from app.core.domain import StakeholderType, TouchKind
from app.services.crm.activities import IncomingActivity, store_activities
from app.services.crm.pull import (
    CONTACT,
    IncomingAccount,
    IncomingContact,
    OpenSession,
    Progress,
    Pull,
    account_ids,
    cursors,
    flag_missing,
    link_crm_managers,
    store_accounts,
    store_contacts,
    store_pages,
)
from app.services.crm.reports_to import manager_reference
from app.services.workspaces import ensure_workspace

ACCOUNT, RELATION, OPPORTUNITY_ROLE = "account", "relation", "opportunity_role"  # CrmCursor.object of each stream
MODIFIED = "SystemModstamp"  # the cursor's field (moves with system changes too, so nothing is missed)
CHANGED = "LastModifiedDate"  # when a user or integration last changed the record: the conflict rule's time
CONTACT_BATCH = 200  # contacts per page: their relations and opportunity roles are then read in one query each
IN_LIST = 200  # ids per `IN (…)` list (the query travels in the URL)
CONTACT_FIELDS = ["Id", "FirstName", "LastName", "Title", "Email", "Department", "ReportsToId", "AccountId",
                  "IsDeleted", CHANGED, MODIFIED]
ROLE_SOURCES = ((RELATION, "AccountContactRelation"), (OPPORTUNITY_ROLE, "OpportunityContactRole"))
NO_RELATIONS = ("AccountContactRelation is not available (turn on Contacts to Multiple Accounts, or give "
                "the integration user Read on it): roles came from opportunity contact roles only.")
TASK, EVENT = "task", "event"  # CrmCursor.object of the activity streams
TASK_FIELDS = ["Id", "WhoId", "ActivityDate", "TaskSubtype", "Type", "Subject", MODIFIED]
EVENT_FIELDS = ["Id", "WhoId", "ActivityDate", "StartDateTime", "Subject", MODIFIED]
TASK_KINDS = {"Call": TouchKind.CALL, "Email": TouchKind.EMAIL, "ListEmail": TouchKind.EMAIL}  # TaskSubtype
TYPE_KINDS = {"Call": TouchKind.CALL, "Email": TouchKind.EMAIL, "Meeting": TouchKind.MEETING}  # Task.Type
_RECORD_ID = re.compile(r"^[A-Za-z0-9]{15,18}$")


class SalesforceSource(Protocol):
    """What the pull reads (app.platform.salesforce.SalesforceClient; a test may hand another)."""

    def query(self, soql: str, *, include_deleted: bool = False, batch: int | None = None) -> Iterator[list[dict]]: ...


@dataclass(frozen=True)
class SalesforceFields:
    """The Account fields read besides the standard ones (None: not read); API names, checked in settings."""

    arr: str | None = None
    currency: str | None = None
    renewal: str | None = None

    @property
    def account(self) -> list[str]:
        return ["Id", "Name", "Owner.Email", *(f for f in (self.arr, self.currency, self.renewal) if f), CHANGED,
                MODIFIED]


@dataclass
class _Salesforce:
    """One Salesforce sync: the shared pull state, the source, the fields and the role table."""

    pull: Pull
    source: SalesforceSource
    fields: SalesforceFields
    table: dict[str, StakeholderType]
    report: SyncReport
    relations_readable: bool = True

    def accounts(self, session: Session, page: list[dict]) -> None:
        fields, incoming = self.fields, []
        for record in page:
            values = {
                "arr_amount": crm.amount(record.get(fields.arr)) if fields.arr else None,
                "currency": crm.currency(record.get(fields.currency)) if fields.currency else None,
                "renewal_date": crm.day(record.get(fields.renewal)) if fields.renewal else None,
                "owner_user_id": self.pull.slack_user(crm.email((record.get("Owner") or {}).get("Email"))),
            }
            incoming.append(IncomingAccount(str(record["Id"]), crm.text(record.get("Name")), values,
                                            crm.instant(record.get(CHANGED))))
        store_accounts(session, self.pull, incoming, self.report.accounts)

    def contacts(self, session: Session, page: list[dict], seen: set[str]) -> None:
        """One page of contacts with their relations and opportunity roles (one query each)."""
        seen.update(str(r["Id"]) for r in page)
        live = [str(r["Id"]) for r in page if not r.get("IsDeleted")]
        relations = self._by_contact(
            f"SELECT ContactId, AccountId, Roles, IsActive, {CHANGED} FROM AccountContactRelation",
            live) if self.relations_readable else {}
        opportunity_roles = self._by_contact(
            f"SELECT ContactId, Role, Opportunity.AccountId, {CHANGED} FROM OpportunityContactRole", live)
        accounts = account_ids(session, self.pull, {str(r["AccountId"]) for r in page if r.get("AccountId")})
        incoming = [self._incoming(r, relations.get(str(r["Id"]), []), opportunity_roles.get(str(r["Id"]), []),
                                   accounts) for r in page]
        store_contacts(session, self.pull, incoming, self.report.contacts)

    def contacts_named(self, session: Session, page: list[dict], seen: set[str]) -> None:
        """A page of relations or opportunity roles changed: their contacts not read yet in this sync, again."""
        ids = sorted({str(r["ContactId"]) for r in page if r.get("ContactId")} - seen)
        for chunk in _chunks(ids):
            query = f"SELECT {', '.join(CONTACT_FIELDS)} FROM Contact WHERE Id IN ({_in_list(chunk)})"
            for contacts in self.source.query(query):
                self.contacts(session, contacts, seen)

    def tasks(self, session: Session, page: list[dict]) -> None:
        incoming = [IncomingActivity(f"Task/{r['Id']}", task_kind(r), crm.day(r.get("ActivityDate")),
                                     _who(r), r.get("Subject")) for r in page]
        store_activities(session, self.pull.team_id, SALESFORCE, incoming, self.pull.now(), self.report.activities)

    def events(self, session: Session, page: list[dict]) -> None:
        incoming = [IncomingActivity(f"Event/{r['Id']}", TouchKind.MEETING,
                                     crm.day(r.get("ActivityDate") or r.get("StartDateTime")), _who(r),
                                     r.get("Subject")) for r in page]
        store_activities(session, self.pull.team_id, SALESFORCE, incoming, self.pull.now(), self.report.activities)

    def _by_contact(self, select: str, contact_ids: list[str]) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = defaultdict(list)
        try:
            for chunk in _chunks(contact_ids):
                for page in self.source.query(f"{select} WHERE ContactId IN ({_in_list(chunk)})"):
                    for record in page:
                        found[str(record["ContactId"])].append(record)
        except ObjectMissing:
            if "AccountContactRelation" not in select:
                raise
            self.without_relations()
        return found

    def without_relations(self) -> None:
        """The org has no AccountContactRelation (or the user may not read it): roles from opportunities only."""
        if self.relations_readable:
            self.relations_readable = False
            self.report.notes.append(NO_RELATIONS)

    def _incoming(self, record: dict, relations: list[dict], opportunity_roles: list[dict],
                  accounts: dict[str, int]) -> IncomingContact:
        """One Contact as stakemap reads it: its Account's account, values, roles, and whether it is removed
        (deleted, or its relation to its Account inactive)."""
        account = str(record.get("AccountId") or "")
        direct = [r for r in relations if str(r.get("AccountId")) == account]
        labels = [role for r in direct if r.get("IsActive") for role in (r.get("Roles") or "").split(";")]
        on_account = [r for r in opportunity_roles if str((r.get("Opportunity") or {}).get("AccountId")) == account]
        labels += [r.get("Role") for r in on_account]
        roles_changed = [t for t in (crm.instant(r.get(CHANGED)) for r in [*direct, *on_account]) if t is not None]
        values = {
            "name": crm.person_name(record.get("FirstName"), record.get("LastName")),
            "title": crm.text(record.get("Title")),
            "email": crm.email(record.get("Email")),
            "department": crm.text(record.get("Department"), 80),
        }
        removed = bool(record.get("IsDeleted")) or any(not r.get("IsActive") for r in direct)
        manager = crm.text(record.get("ReportsToId"), 18)
        return IncomingContact(str(record["Id"]), accounts.get(account), values, crm.roles_for(labels, self.table),
                               removed, manager=manager_reference(manager) if manager else None,
                               modified_at=crm.instant(record.get(CHANGED)),
                               roles_modified_at=max(roles_changed, default=None))


def sync_salesforce(open_session: OpenSession, source: SalesforceSource, team_id: str, fields: SalesforceFields,
                    now: Callable[[], datetime], owner_lookup: Callable[[str], str] | None = None, *,
                    full: bool = False, progress: Progress | None = None) -> SyncReport:
    """Pull one workspace's Accounts, Contacts, then the contacts whose roles changed; returns what changed."""
    pull = Pull(open_session, SALESFORCE, team_id, now, owner_lookup, progress)
    report = SyncReport(team_id, SALESFORCE)
    with open_session() as session:
        workspace = ensure_workspace(session, team_id, now())
        table = crm.role_map((workspace.config or {}).get(ROLES_CONFIG_KEY))
        cursor = cursors(session, team_id, SALESFORCE)
    salesforce = _Salesforce(pull, source, fields, table, report)
    _stream(salesforce, ACCOUNT, "Account", fields.account, cursor.get(ACCOUNT), full, salesforce.accounts)
    seen: set[str] = set()
    _stream(salesforce, CONTACT, "Contact", CONTACT_FIELDS, cursor.get(CONTACT), full,
            lambda session, page: salesforce.contacts(session, page, seen), deleted=True, batch=CONTACT_BATCH)
    for object_name, sobject in ROLE_SOURCES:
        if object_name == RELATION and not salesforce.relations_readable:
            continue
        try:
            _stream(salesforce, object_name, sobject, ["ContactId", MODIFIED], cursor.get(object_name), full,
                    lambda session, page: salesforce.contacts_named(session, page, seen), deleted=True)
        except ObjectMissing:
            if object_name != RELATION:
                raise
            salesforce.without_relations()
    link_crm_managers(pull, report.contacts)
    if full:
        flag_missing(pull, seen, report.contacts)
    _stream(salesforce, TASK, "Task", TASK_FIELDS, cursor.get(TASK), full, salesforce.tasks, live_only=True)
    _stream(salesforce, EVENT, "Event", EVENT_FIELDS, cursor.get(EVENT), full, salesforce.events, live_only=True)
    return report


def _stream(salesforce: _Salesforce, object_name: str, sobject: str, fields: list[str], cursor: str | None,
            full: bool, store: Callable[[Session, list[dict]], None], *, deleted: bool = False,
            batch: int | None = None, live_only: bool = False) -> None:
    """Every record (full), or those modified since the cursor; oldest change first either way. `live_only`:
    records in the recycle bin (IsDeleted) left out."""
    conditions = [f"{MODIFIED} >= {soql_time(cursor)}" if cursor and not full else "",
                  "IsDeleted = false" if live_only else ""]
    where = " WHERE " + " AND ".join(c for c in conditions if c) if any(conditions) else ""
    query = f"SELECT {', '.join(fields)} FROM {sobject}{where} ORDER BY {MODIFIED}, Id"
    pages = salesforce.source.query(query, include_deleted=deleted, batch=batch)
    store_pages(salesforce.pull, object_name, pages, lambda record: record.get(MODIFIED), cursor, full, store)


def task_kind(record: dict) -> TouchKind:
    """The touch a Task is: by its TaskSubtype, else its Type, else "other"."""
    return TASK_KINDS.get(record.get("TaskSubtype") or "") or TYPE_KINDS.get(record.get("Type") or "", TouchKind.OTHER)


def _who(record: dict) -> tuple[str, ...]:
    """The contact an activity is on (WhoId; a Lead's id simply links to no contact)."""
    return (str(record["WhoId"]),) if record.get("WhoId") else ()


def soql_time(stamp: str) -> str:
    """A SystemModstamp as Salesforce sends it ("2026-03-01T09:00:01.000+0000") as a SOQL dateTime literal,
    to the second ("2026-03-01T09:00:01Z"): `>=` then reads that second again, never skips it."""
    moment = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    """Salesforce record ids in lists of IN_LIST; anything that is not a record id is left out (never put into
    a query)."""
    valid = [record_id for record_id in ids if _RECORD_ID.match(record_id)]
    return (valid[start:start + IN_LIST] for start in range(0, len(valid), IN_LIST))


def _in_list(ids: list[str]) -> str:
    return ", ".join(f"'{record_id}'" for record_id in ids)
