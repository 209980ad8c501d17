"""The HubSpot pull: companies → accounts, contacts → contacts, association labels → stakeholder roles.

Incremental by default: each object has a cursor (its last-modified time, app.core.models.CrmCursor) moved
forward after every page is stored, in the same transaction, so an interrupted sync resumes where it
stopped. `full` lists every record instead and flags linked contacts HubSpot no longer has. Nothing is
deleted: a contact archived or removed in HubSpot is flagged on the map (CrmLink.removed_at) for the CSM
to confirm. Applying the same records twice changes nothing (no history row, no new map version).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert, select
from sqlmodel import Session

from app.core import crm
from app.core.crm import HUBSPOT, HUBSPOT_SOURCE, ROLES_CONFIG_KEY, Counts, SyncReport
from app.core.domain import StakeholderType
from app.core.models import Account, Contact, ContactRole, CrmCursor, CrmLink, name_key
from app.platform.hubspot import HubSpotScopeMissing
from app.services.accounts import touch_accounts
from app.services.crm.hubspot_activities import ACTIVITIES, store_activities
from app.services.history import apply_changes
from app.services.roles import replace_roles, roles_by_contact
from app.services.workspaces import ensure_workspace

# Every column of a contact the CRM does not give, as the model defaults it (Core inserts skip the model).
CONTACT_DEFAULTS = {name: None if field.is_required() else field.get_default(call_default_factory=True)
                    for name, field in Contact.model_fields.items() if name in Contact.__table__.columns and name != "id"}
PRIMARY_COMPANY_TYPE_ID = 1  # HubSpot's "Primary" contact-to-company association (HUBSPOT_DEFINED)
COMPANY, CONTACT = "company", "contact"


class HubSpotSource(Protocol):
    """What the pull reads (app.platform.hubspot.HubSpotClient; a test may hand another)."""

    def search_modified(self, object_type: str, properties: list[str], since: str | None) -> Iterator[list[dict]]: ...
    def list_all(self, object_type: str, properties: list[str], archived: bool = False) -> Iterator[list[dict]]: ...
    def company_associations(self, contact_ids: list[str]) -> dict[str, list[dict]]: ...
    def owner_emails(self) -> dict[str, str]: ...
    def engagement_contacts(self, object_type: str, ids: list[str]) -> dict[str, list[str]]: ...


@dataclass(frozen=True)
class HubSpotFields:
    """The HubSpot properties read besides the standard ones (None: not read)."""

    arr: str | None = None
    currency: str | None = None
    renewal: str | None = None
    department: str | None = None

    @property
    def company(self) -> list[str]:
        return ["name", "hubspot_owner_id", *(p for p in (self.arr, self.currency, self.renewal) if p)]

    @property
    def contact(self) -> list[str]:
        return ["firstname", "lastname", "jobtitle", "email", *([self.department] if self.department else [])]


OpenSession = Callable[[], AbstractContextManager[Session]]
Progress = Callable[[str, int], None]  # (object, records done in this page)


@dataclass
class _Pull:
    open_session: OpenSession
    source: HubSpotSource
    team_id: str
    fields: HubSpotFields
    now: Callable[[], datetime]
    owner_lookup: Callable[[str], str] | None
    progress: Progress | None

    def __post_init__(self) -> None:
        self._owner_emails: dict[str, str] | None = None
        self._slack_users: dict[str, str | None] = {}

    def owner(self, owner_id: str | None) -> str | None:
        """The Slack user of a HubSpot owner (by e-mail, users.lookupByEmail); None when unknown."""
        if not owner_id or self.owner_lookup is None:
            return None
        if self._owner_emails is None:
            self._owner_emails = self.source.owner_emails()
        email = self._owner_emails.get(str(owner_id))
        if email and email not in self._slack_users:
            try:
                self._slack_users[email] = self.owner_lookup(email)
            except LookupError:
                self._slack_users[email] = None
        return self._slack_users.get(email) if email else None

    def done(self, object_name: str, count: int) -> None:
        if self.progress is not None:
            self.progress(object_name, count)


def sync_hubspot(open_session: OpenSession, source: HubSpotSource, team_id: str, fields: HubSpotFields,
                 now: Callable[[], datetime], owner_lookup: Callable[[str], str] | None = None, *,
                 full: bool = False, progress: Progress | None = None) -> SyncReport:
    """Pull one workspace's companies, then its contacts; returns what changed per object."""
    pull = _Pull(open_session, source, team_id, fields, now, owner_lookup, progress)
    report = SyncReport(team_id)
    with open_session() as session:
        workspace = ensure_workspace(session, team_id, now())
        table = crm.role_map((workspace.config or {}).get(ROLES_CONFIG_KEY))
        cursors = {c.object: c.modified_at for c in session.scalars(
            select(CrmCursor).where(CrmCursor.team_id == team_id, CrmCursor.crm == HUBSPOT))}
    _pages(pull, "companies", COMPANY, fields.company, cursors.get(COMPANY), full,
           lambda session, page: _companies(session, pull, page, report.companies))
    seen: set[str] = set()
    _pages(pull, "contacts", CONTACT, fields.contact, cursors.get(CONTACT), full,
           lambda session, page: _contacts(session, pull, page, table, report.contacts, seen))
    archived = _flag_archived(pull, report.contacts)
    if full:
        _flag_missing(pull, seen | archived, report.contacts)
    for object_type, (_, body) in ACTIVITIES.items():
        try:
            _pages(pull, object_type, object_type[:-1], ["hs_timestamp", body], cursors.get(object_type[:-1]), full,
                   lambda session, page, kind=object_type: store_activities(
                       session, team_id, kind, page, source.engagement_contacts(kind, [str(r["id"]) for r in page]),
                       now(), report.activities))
        except HubSpotScopeMissing:  # e-mails need sales-email-read: the rest of the pull stands
            report.unread.append(object_type)
    return report


def _pages(pull: _Pull, object_type: str, object_name: str, properties: list[str], cursor: str | None, full: bool,
           store: Callable[[Session, list[dict]], None]) -> None:
    """Store page after page. Incremental (oldest change first): the cursor moves with each page, in its
    transaction. Full (in id order): the cursor moves once every page is stored, so a full sync that stops
    half-way never makes the next incremental one skip the records it did not reach."""
    modified = crm.MODIFIED_PROPERTY[object_type]
    pages = pull.source.list_all(object_type, [*properties, modified]) if full else pull.source.search_modified(
        object_type, properties, cursor)
    latest = cursor
    for page in pages:
        page_latest = max((r["properties"].get(modified) or "" for r in page), default="") or None
        newer = page_latest is not None and (latest is None or page_latest > latest)
        latest = page_latest if newer else latest
        with pull.open_session() as session:
            store(session, page)
            if newer and not full:
                _save_cursor(session, pull, object_name, latest)
        pull.done(object_name, len(page))
    if full and latest is not None and latest != cursor:
        with pull.open_session() as session:
            _save_cursor(session, pull, object_name, latest)


def _save_cursor(session: Session, pull: _Pull, object_name: str, modified_at: str) -> None:
    cursor = session.get(CrmCursor, (pull.team_id, HUBSPOT, object_name))
    if cursor is None:
        session.add(CrmCursor(team_id=pull.team_id, crm=HUBSPOT, object=object_name, modified_at=modified_at,
                              updated_at=pull.now()))
    elif cursor.modified_at != modified_at:
        cursor.modified_at, cursor.updated_at = modified_at, pull.now()


def _links(session: Session, team_id: str, object_name: str, external_ids: Iterable[str]) -> dict[str, CrmLink]:
    query = select(CrmLink).where(CrmLink.team_id == team_id, CrmLink.crm == HUBSPOT, CrmLink.object == object_name,
                                  CrmLink.external_id.in_(list(external_ids)))
    return {link.external_id: link for link in session.scalars(query)}


def _link(session: Session, pull: _Pull, object_name: str, external_id: str, account_id: int,
          contact_id: int | None = None) -> None:
    session.add(CrmLink(team_id=pull.team_id, crm=HUBSPOT, object=object_name, external_id=external_id,
                        account_id=account_id, contact_id=contact_id, created_at=pull.now()))


def _set(row, values: dict) -> bool:
    """Set the values that differ (None: HubSpot has nothing, the value stays); True when any did."""
    changed = False
    for name, value in values.items():
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


# --- companies → accounts -------------------------------------------------------------------------


def _companies(session: Session, pull: _Pull, page: list[dict], counts: Counts) -> None:
    """One page of companies: the linked accounts and the namesakes read in two statements, new ones written at once."""
    links = _links(session, pull.team_id, COMPANY, (str(r["id"]) for r in page))
    linked = _accounts_by(session, pull.team_id, Account.id.in_([link.account_id for link in links.values()]))
    names = {name_key(crm.text((r.get("properties") or {}).get("name"))) for r in page if str(r["id"]) not in links}
    by_name = {a.name_key: a for a in _accounts_by(session, pull.team_id, Account.name_key.in_(names)).values()}
    taken = set(session.scalars(select(CrmLink.account_id).where(  # namesakes another HubSpot company feeds
        CrmLink.team_id == pull.team_id, CrmLink.crm == HUBSPOT, CrmLink.object == COMPANY,
        CrmLink.account_id.in_([a.id for a in by_name.values()]))))
    fresh: list[tuple[str, Account]] = []
    for record in page:
        link = links.get(str(record["id"]))
        outcome = _company(session, pull, record, linked.get(link.account_id) if link else None, by_name, taken, fresh)
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    session.flush()
    for external_id, account in fresh:
        _link(session, pull, COMPANY, external_id, account.id)


def _accounts_by(session: Session, team_id: str, *conditions) -> dict[int, Account]:
    return {a.id: a for a in session.scalars(select(Account).where(Account.team_id == team_id, *conditions))}


def _company(session: Session, pull: _Pull, record: dict, account: Account | None, by_name: dict[str, Account],
             taken: set[int], fresh: list[tuple[str, Account]]) -> str:
    """Apply one company; an unlinked one adopts the account of the same name or creates one (added to `fresh`)."""
    props, fields, now = record.get("properties") or {}, pull.fields, pull.now()
    name = crm.text(props.get("name"))
    values = {
        "arr_amount": crm.amount(props.get(fields.arr)) if fields.arr else None,
        "currency": crm.currency(props.get(fields.currency)) if fields.currency else None,
        "renewal_date": crm.day(props.get(fields.renewal)) if fields.renewal else None,
        "owner_user_id": pull.owner(props.get("hubspot_owner_id")),
    }
    if account is None:
        if not name:
            return "skipped"
        account = by_name.get(name_key(name))
        if account is not None and (account.id in taken or any(adopted is account for _, adopted in fresh)):
            return "skipped"  # two HubSpot companies of one name: the first keeps the account
        created = account is None
        if created:
            account = Account(team_id=pull.team_id, name=name, name_key=name_key(name), created_at=now,
                              updated_at=now)
            session.add(account)
            by_name[account.name_key] = account  # a namesake later in the page adopts it
        _set(account, values)
        fresh.append((str(record["id"]), account))
        return "created" if created else "updated"
    if name and name_key(name) != account.name_key and not _account_name_taken(session, account, name):
        values.update(name=name, name_key=name_key(name))
    if not _set(account, values):
        return "unchanged"
    account.updated_at = now
    return "updated"


def _account_name_taken(session: Session, account: Account, name: str) -> bool:
    query = select(Account.id).where(Account.team_id == account.team_id, Account.name_key == name_key(name),
                                     Account.id != account.id)
    return session.scalar(query) is not None


# --- contacts → contacts with their roles -----------------------------------------------------------


def _contacts(session: Session, pull: _Pull, page: list[dict], table, counts: Counts, seen: set[str]) -> None:
    """One page of contacts, read and written with a fixed number of statements (plus one per changed row)."""
    ids = [str(r["id"]) for r in page]
    seen.update(ids)
    associations = pull.source.company_associations(ids)
    company_ids = {str(a["toObjectId"]) for found in associations.values() for a in found}
    accounts = {external: link.account_id for external, link in _links(session, pull.team_id, COMPANY, company_ids).items()}
    links = _links(session, pull.team_id, CONTACT, ids)
    linked = _contacts_by(session, pull.team_id, Contact.id.in_([link.contact_id for link in links.values()]))
    incoming = [_Incoming.of(record, associations.get(str(record["id"]), []), accounts, table, pull.fields)
                for record in page]
    unlinked = [i for i in incoming if i.external_id not in links and i.account_id is not None and i.key]
    by_key = {(c.account_id, c.name_key): c for c in _contacts_by(
        session, pull.team_id, Contact.account_id.in_({i.account_id for i in unlinked}),
        Contact.name_key.in_({i.key for i in unlinked})).values()}
    held = roles_by_contact(session, pull.team_id, [*linked, *(c.id for c in by_key.values())])
    created: list[tuple[_Incoming, dict]] = []
    for item in incoming:
        link = links.get(item.external_id)
        contact = linked.get(link.contact_id) if link else None
        if contact is not None:
            changed = _update_contact(session, contact, item.values, item.roles, pull.now(), held[contact.id])
            if link.removed_at is not None:  # back in HubSpot
                link.removed_at = None
                changed = True
            outcome = "updated" if changed else "unchanged"
        elif item.account_id is None or not item.key or (item.account_id, item.key) in {
                (row["account_id"], row["name_key"]) for _, row in created}:
            outcome = "skipped"  # no known company, no name or title, or a namesake already in this page
        elif (existing := by_key.get((item.account_id, item.key))) is not None:  # typed in Slack, or imported
            _update_contact(session, existing, item.values, item.roles, pull.now(), held[existing.id])
            _link(session, pull, CONTACT, item.external_id, existing.account_id, existing.id)
            outcome = "updated"
        else:
            created.append((item, item.new_contact(pull.team_id, pull.now())))
            outcome = "created"
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    _insert_contacts(session, pull, created)


def _insert_contacts(session: Session, pull: _Pull, created: list[tuple[_Incoming, dict]]) -> None:
    """New contacts, their links and roles in three statements (the ORM would cost more than the rest of the
    sync); the accounts' map versions are bumped here, as the session does not see these rows."""
    if not created:
        return
    now = pull.now()
    statement = insert(Contact.__table__).returning(Contact.__table__.c.id, sort_by_parameter_order=True)
    ids = session.scalars(statement, [row for _, row in created]).all()
    session.execute(insert(CrmLink.__table__), [
        {"team_id": pull.team_id, "crm": HUBSPOT, "object": CONTACT, "external_id": item.external_id,
         "account_id": row["account_id"], "contact_id": contact_id, "removed_at": None, "created_at": now}
        for (item, row), contact_id in zip(created, ids, strict=True)])
    roles = [{"team_id": pull.team_id, "account_id": row["account_id"], "contact_id": contact_id, "type": kind,
              "source": HUBSPOT_SOURCE, "created_at": now}
             for (item, row), contact_id in zip(created, ids, strict=True) for kind in item.roles - {row["type"]}]
    if roles:
        session.execute(insert(ContactRole.__table__), roles)
    touch_accounts(session, pull.team_id, {row["account_id"] for _, row in created}, now)


def _contacts_by(session: Session, team_id: str, *conditions) -> dict[int, Contact]:
    return {c.id: c for c in session.scalars(select(Contact).where(Contact.team_id == team_id, *conditions))}


@dataclass
class _Incoming:
    """One HubSpot contact as stakemap reads it: its account (its primary company's), values and roles."""

    external_id: str
    account_id: int | None
    values: dict
    roles: set[StakeholderType]

    @property
    def key(self) -> str | None:
        name, title = self.values["name"], self.values["title"]
        return Contact.key_for(name, title) if name or title else None

    @classmethod
    def of(cls, record: dict, found: list[dict], accounts: dict[str, int], table, fields: HubSpotFields) -> _Incoming:
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
        return cls(str(record["id"]), account_id, values, crm.roles_for(labels, table))

    def new_contact(self, team_id: str, now: datetime) -> dict:
        """The new contact's row (every column: it is inserted without the ORM)."""
        primary = crm.primary_and_extra(None, self.roles)[0]
        return {**CONTACT_DEFAULTS, **self.values, "team_id": team_id, "account_id": self.account_id,
                "name_key": self.key, "type": primary, "created_at": now, "updated_at": now}


def _company_of(found: list[dict], accounts: dict[str, int]) -> dict | None:
    """The association with a company stakemap has an account for: the primary company first."""
    known = [a for a in found if str(a["toObjectId"]) in accounts]
    primary = [a for a in known if any(t.get("typeId") == PRIMARY_COMPANY_TYPE_ID for t in a.get("associationTypes", []))]
    return (primary or known or [None])[0]


def _update_contact(session: Session, contact: Contact, values: dict, roles: set[StakeholderType],
                    now: datetime, held: list) -> bool:
    """HubSpot's values and roles onto the contact, in history "from HubSpot"; True when anything changed."""
    primary, extra = crm.primary_and_extra(contact.type, roles)
    changes = {name: value for name, value in values.items() if value is not None}
    key = Contact.key_for(changes.get("name", contact.name), changes.get("title", contact.title))
    if key != contact.name_key and _contact_key_taken(session, contact, key):
        changes.pop("name", None)
        changes.pop("title", None)
        key = contact.name_key
    changed = bool(apply_changes(session, contact, {**changes, "type": primary}, HUBSPOT_SOURCE, now))
    if key != contact.name_key:  # assigning even the same value would mark the contact (and its map) changed
        contact.name_key = key
    return replace_roles(session, contact, extra, HUBSPOT_SOURCE, now, source=HUBSPOT_SOURCE,
                         only_source=True, held=held) or changed


def _contact_key_taken(session: Session, contact: Contact, key: str) -> bool:
    query = select(Contact.id).where(Contact.account_id == contact.account_id, Contact.name_key == key,
                                     Contact.id != contact.id)
    return session.scalar(query) is not None


# --- removed in HubSpot: flagged, never deleted -----------------------------------------------------


def _flag(links: Iterable[CrmLink], now: datetime) -> int:
    flagged = 0
    for link in links:
        if link.removed_at is None and link.contact_id is not None:
            link.removed_at = now
            flagged += 1
    return flagged


def _flag_archived(pull: _Pull, counts: Counts) -> set[str]:
    """Flag the linked contacts HubSpot archived; returns the archived ids."""
    archived: set[str] = set()
    for page in pull.source.list_all("contacts", ["email"], archived=True):
        ids = {str(r["id"]) for r in page}
        archived |= ids
        with pull.open_session() as session:
            counts.flagged += _flag(_links(session, pull.team_id, CONTACT, ids).values(), pull.now())
    return archived


def _flag_missing(pull: _Pull, present: set[str], counts: Counts) -> None:
    """A full sync: linked contacts HubSpot lists neither live nor archived (deleted for good) are flagged too."""
    with pull.open_session() as session:
        query = select(CrmLink).where(CrmLink.team_id == pull.team_id, CrmLink.crm == HUBSPOT,
                                      CrmLink.object == CONTACT, CrmLink.removed_at.is_(None))
        gone = [link for link in session.scalars(query) if link.external_id not in present]
        counts.flagged += _flag(gone, pull.now())

