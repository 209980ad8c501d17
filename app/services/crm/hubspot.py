"""The HubSpot pull: companies → accounts, contacts → contacts, association labels → stakeholder roles.

Incremental by default: each object has a cursor (its last-modified time, app.core.models.CrmCursor) moved
forward after every page is stored, in the same transaction, so an interrupted sync resumes where it
stopped. `full` lists every record instead and flags linked contacts HubSpot no longer has. Nothing is
deleted: a contact archived or removed in HubSpot is flagged on the map (CrmLink.removed_at) for the CSM
to confirm. How records are stored is shared with the Salesforce pull (app.services.crm.pull).

Conflicts: field by field, the newer change wins (app.services.crm.pull, app.services.crm.conflicts): a value
stakemap changed after HubSpot did stays; HubSpot's property history (`propertiesWithHistory`) is read only for
the records modified in HubSpot after such a change. Reports-to: the contact property HUBSPOT_REPORTS_TO_FIELD
names the manager (their HubSpot contact id or e-mail; app.services.crm.reports_to), linked once every contact
of the sync is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from app.core import crm
from app.core.crm import HUBSPOT, ROLES_CONFIG_KEY, Counts, SyncReport
from app.platform.hubspot import HubSpotScopeMissing
from app.services.crm.conflicts import AskTimes
from app.services.crm.hubspot_activities import ACTIVITIES, store_activities
from app.services.crm.pull import (
    COMPANY,
    CONTACT,
    IncomingAccount,
    IncomingContact,
    OpenSession,
    Progress,
    Pull,
    account_ids,
    cursors,
    flag_contacts,
    flag_missing,
    link_crm_managers,
    store_accounts,
    store_contacts,
    store_pages,
)
from app.services.crm.reports_to import manager_reference
from app.services.workspaces import ensure_workspace

PRIMARY_COMPANY_TYPE_ID = 1  # HubSpot's "Primary" contact-to-company association (HUBSPOT_DEFINED)


class HubSpotSource(Protocol):
    """What the pull reads (app.platform.hubspot.HubSpotClient; a test may hand another)."""

    def search_modified(self, object_type: str, properties: list[str], since: str | None) -> Iterator[list[dict]]: ...
    def list_all(self, object_type: str, properties: list[str], archived: bool = False) -> Iterator[list[dict]]: ...
    def company_associations(self, contact_ids: list[str]) -> dict[str, list[dict]]: ...
    def owner_emails(self) -> dict[str, str]: ...
    def engagement_contacts(self, object_type: str, ids: list[str]) -> dict[str, list[str]]: ...
    def changed_at(self, object_type: str, ids: list[str], properties: list[str]) -> dict[str, dict[str, datetime]]: ...


@dataclass(frozen=True)
class HubSpotFields:
    """The HubSpot properties read besides the standard ones (None: not read)."""

    arr: str | None = None
    currency: str | None = None
    renewal: str | None = None
    department: str | None = None
    reports_to: str | None = None  # the manager's HubSpot contact id or e-mail

    @property
    def company(self) -> list[str]:
        return [p for props in self.company_sources.values() for p in props]

    @property
    def contact(self) -> list[str]:
        return [p for props in self.contact_sources.values() for p in props]

    @property
    def company_sources(self) -> dict[str, tuple[str, ...]]:
        """Each account field and the company properties it is read from."""
        optional = {"arr_amount": self.arr, "currency": self.currency, "renewal_date": self.renewal}
        return {"name": ("name",), "owner_user_id": ("hubspot_owner_id",),
                **{name: (prop,) for name, prop in optional.items() if prop}}

    @property
    def contact_sources(self) -> dict[str, tuple[str, ...]]:
        """Each contact field and the contact properties it is read from."""
        optional = {"department": self.department, "reports_to_id": self.reports_to}
        return {"name": ("firstname", "lastname"), "title": ("jobtitle",), "email": ("email",),
                **{name: (prop,) for name, prop in optional.items() if prop}}


@dataclass
class _HubSpot:
    """One HubSpot sync: the shared pull state, where HubSpot is read from and which properties."""

    pull: Pull
    source: HubSpotSource
    fields: HubSpotFields

    def __post_init__(self) -> None:
        self._owner_emails: dict[str, str] | None = None

    def owner(self, owner_id: str | None) -> str | None:
        """The Slack user of a HubSpot owner (by e-mail, users.lookupByEmail); None when unknown."""
        if not owner_id or self.pull.owner_lookup is None:
            return None
        if self._owner_emails is None:
            self._owner_emails = self.source.owner_emails()
        return self.pull.slack_user(self._owner_emails.get(str(owner_id)))


def sync_hubspot(open_session: OpenSession, source: HubSpotSource, team_id: str, fields: HubSpotFields,
                 now: Callable[[], datetime], owner_lookup: Callable[[str], str] | None = None, *,
                 full: bool = False, progress: Progress | None = None) -> SyncReport:
    """Pull one workspace's companies, then its contacts; returns what changed per object."""
    pull = Pull(open_session, HUBSPOT, team_id, now, owner_lookup, progress,
                ask_accounts=_asker(source, "companies", fields.company_sources),
                ask_contacts=_asker(source, "contacts", fields.contact_sources))
    hubspot = _HubSpot(pull, source, fields)
    report = SyncReport(team_id, HUBSPOT)
    with open_session() as session:
        workspace = ensure_workspace(session, team_id, now())
        table = crm.role_map((workspace.config or {}).get(ROLES_CONFIG_KEY))
        cursor = cursors(session, team_id, HUBSPOT)
    _pages(hubspot, "companies", COMPANY, fields.company, cursor.get(COMPANY), full,
           lambda session, page: _companies(session, hubspot, page, report.accounts))
    seen: set[str] = set()
    _pages(hubspot, "contacts", CONTACT, fields.contact, cursor.get(CONTACT), full,
           lambda session, page: _contacts(session, hubspot, page, table, report.contacts, seen))
    link_crm_managers(pull, report.contacts)
    archived = _flag_archived(hubspot, report.contacts)
    if full:
        flag_missing(pull, seen | archived, report.contacts)
    for object_type, (_, body) in ACTIVITIES.items():
        try:
            _pages(hubspot, object_type, object_type[:-1], ["hs_timestamp", body], cursor.get(object_type[:-1]), full,
                   lambda session, page, kind=object_type: store_activities(
                       session, team_id, kind, page, source.engagement_contacts(kind, [str(r["id"]) for r in page]),
                       now(), report.activities))
        except HubSpotScopeMissing:  # e-mails need sales-email-read: the rest of the pull stands
            report.unread.append(object_type)
    return report


def _pages(hubspot: _HubSpot, object_type: str, object_name: str, properties: list[str], cursor: str | None,
           full: bool, store: Callable[[Session, list[dict]], None]) -> None:
    """Every record in id order (full), or those modified since the cursor, oldest change first."""
    modified = crm.MODIFIED_PROPERTY[object_type]
    source = hubspot.source
    pages = source.list_all(object_type, [*properties, modified]) if full else source.search_modified(
        object_type, properties, cursor)
    store_pages(hubspot.pull, object_name, pages, lambda record: record["properties"].get(modified), cursor, full,
                store)


def _asker(source: HubSpotSource, object_type: str, sources: dict[str, tuple[str, ...]]) -> AskTimes:
    """HubSpot's per-property change times, by stakemap field (a field read from two properties: the later)."""
    def ask(record_ids: list[str], names: set[str]) -> dict[str, dict[str, datetime]]:
        properties = sorted({prop for name in names for prop in sources.get(name, ())})
        if not properties:
            return {}
        times = source.changed_at(object_type, record_ids, properties)
        return {record_id: {name: max(found) for name in names
                            if (found := [at[prop] for prop in sources.get(name, ()) if prop in at])}
                for record_id, at in times.items()}
    return ask


def _companies(session: Session, hubspot: _HubSpot, page: list[dict], counts: Counts) -> None:
    fields = hubspot.fields
    incoming = []
    for record in page:
        props = record.get("properties") or {}
        incoming.append(IncomingAccount(str(record["id"]), crm.text(props.get("name")), {
            "arr_amount": crm.amount(props.get(fields.arr)) if fields.arr else None,
            "currency": crm.currency(props.get(fields.currency)) if fields.currency else None,
            "renewal_date": crm.day(props.get(fields.renewal)) if fields.renewal else None,
            "owner_user_id": hubspot.owner(props.get("hubspot_owner_id")),
        }, crm.instant(props.get(crm.MODIFIED_PROPERTY["companies"]))))
    store_accounts(session, hubspot.pull, incoming, counts)


def _contacts(session: Session, hubspot: _HubSpot, page: list[dict], table, counts: Counts, seen: set[str]) -> None:
    """One page of contacts with their company associations (one batch read) and the roles their labels give."""
    ids = [str(r["id"]) for r in page]
    seen.update(ids)
    associations = hubspot.source.company_associations(ids)
    accounts = account_ids(session, hubspot.pull, {str(a["toObjectId"]) for found in associations.values()
                                                   for a in found})
    incoming = [_incoming(record, associations.get(str(record["id"]), []), accounts, table, hubspot.fields)
                for record in page]
    store_contacts(session, hubspot.pull, incoming, counts)


def _incoming(record: dict, found: list[dict], accounts: dict[str, int], table, fields: HubSpotFields
              ) -> IncomingContact:
    """One HubSpot contact as stakemap reads it: its account (its primary company's), values and roles."""
    props = record.get("properties") or {}
    company = _company_of(found, accounts)
    labels = [t.get("label") for t in (company or {}).get("associationTypes", [])]
    values = {
        "name": crm.person_name(props.get("firstname"), props.get("lastname")),
        "title": crm.text(props.get("jobtitle")),
        "email": crm.email(props.get("email")),
        "department": crm.text(props.get(fields.department), 80) if fields.department else None,
    }
    account_id = accounts[str(company["toObjectId"])] if company else None
    manager = manager_reference(crm.text(props.get(fields.reports_to), 254)) if fields.reports_to else None
    return IncomingContact(str(record["id"]), account_id, values, crm.roles_for(labels, table), manager=manager,
                           modified_at=crm.instant(props.get(crm.MODIFIED_PROPERTY["contacts"])))


def _company_of(found: list[dict], accounts: dict[str, int]) -> dict | None:
    """The association with a company stakemap has an account for: the primary company first."""
    known = [a for a in found if str(a["toObjectId"]) in accounts]
    primary = [a for a in known if any(t.get("typeId") == PRIMARY_COMPANY_TYPE_ID for t in a.get("associationTypes", []))]
    return (primary or known or [None])[0]


def _flag_archived(hubspot: _HubSpot, counts: Counts) -> set[str]:
    """Flag the linked contacts HubSpot archived; returns the archived ids."""
    archived: set[str] = set()
    for page in hubspot.source.list_all("contacts", ["email"], archived=True):
        ids = {str(r["id"]) for r in page}
        archived |= ids
        flag_contacts(hubspot.pull, ids, counts)
    return archived
