"""The HubSpot pull: companies → accounts, contacts → contacts, association labels → stakeholder roles.

Incremental by default: each object has a cursor (its last-modified time, app.core.models.CrmCursor) moved
forward after every page is stored, in the same transaction, so an interrupted sync resumes where it
stopped. `full` lists every record instead and flags linked contacts HubSpot no longer has. Nothing is
deleted: a contact archived or removed in HubSpot is flagged on the map (CrmLink.removed_at) for the CSM
to confirm. Applying the same records twice changes nothing (no history row, no new map version).

Conflicts: field by field, the newer change wins (app.services.crm.conflicts): a value stakemap changed after
HubSpot did stays; HubSpot's property history (`propertiesWithHistory`) is read only for the records modified in
HubSpot after such a change. Every change taken from HubSpot is in the history as "crm:hubspot". Reports-to: the
contact property HUBSPOT_REPORTS_TO_FIELD names the manager (app.services.crm.reports_to), linked once every
contact of the sync is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert, select
from sqlmodel import Session

from app.core import crm
from app.core.crm import HUBSPOT, HUBSPOT_SOURCE, ROLES_CONFIG_KEY, Counts, SyncReport
from app.core.domain import StakeholderType
from app.core.models import (
    Account,
    AccountChange,
    Contact,
    ContactChange,
    ContactRole,
    CrmCursor,
    CrmLink,
    Erasure,
    name_key,
)
from app.services.accounts import touch_accounts
from app.services.crm.conflicts import Arrival, AskTimes, kept_fields
from app.services.crm.reports_to import ManagerClaim, link_managers, manager_reference
from app.services.history import apply_account_changes, apply_changes
from app.services.roles import ROLES_FIELD, replace_roles, roles_by_contact
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
        self.claims: list[ManagerClaim] = []  # reports-to, linked once every contact is stored
        self.counted: set[int] = set()  # contacts with a claim already counted as updated

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
    _link_managers(pull, report.contacts)
    archived = _flag_archived(pull, report.contacts)
    if full:
        _flag_missing(pull, seen | archived, report.contacts)
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
          contact_id: int | None = None, roles: str | None = None) -> None:
    session.add(CrmLink(team_id=pull.team_id, crm=HUBSPOT, object=object_name, external_id=external_id,
                        account_id=account_id, contact_id=contact_id, created_at=pull.now(), roles=roles))


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
    targets = {str(r["id"]): linked[links[str(r["id"])].account_id] if str(r["id"]) in links else
               by_name.get(name_key(crm.text((r.get("properties") or {}).get("name")))) for r in page}
    kept = _kept_accounts(session, pull, page, targets)
    for record in page:
        link = links.get(str(record["id"]))
        outcome = _company(session, pull, record, linked.get(link.account_id) if link else None, by_name, taken, fresh,
                           kept.get(str(record["id"]), set()))
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    session.flush()
    for external_id, account in fresh:
        _link(session, pull, COMPANY, external_id, account.id)


def _accounts_by(session: Session, team_id: str, *conditions) -> dict[int, Account]:
    return {a.id: a for a in session.scalars(select(Account).where(Account.team_id == team_id, *conditions))}


def _company_values(pull: _Pull, props: dict) -> dict:
    """The account fields a company gives (None: HubSpot has nothing, or the property is not read)."""
    fields = pull.fields
    return {
        "arr_amount": crm.amount(props.get(fields.arr)) if fields.arr else None,
        "currency": crm.currency(props.get(fields.currency)) if fields.currency else None,
        "renewal_date": crm.day(props.get(fields.renewal)) if fields.renewal else None,
        "owner_user_id": pull.owner(props.get("hubspot_owner_id")),
    }


def _kept_accounts(session: Session, pull: _Pull, page: list[dict], targets: dict[str, Account | None]
                   ) -> dict[str, set[str]]:
    """Per company id: the account fields stakemap changed after HubSpot did (they keep stakemap's value)."""
    arrivals = []
    for record in page:
        account, props = targets.get(str(record["id"])), record.get("properties") or {}
        if account is None:
            continue
        values = _company_values(pull, props)
        differing = {field for field, value in values.items() if value is not None and value != getattr(account, field)}
        name = crm.text(props.get("name"))
        if name and name_key(name) != account.name_key:
            differing.add("name")
        arrivals.append(Arrival(str(record["id"]), account.id, frozenset(differing),
                                crm.instant(props.get(crm.MODIFIED_PROPERTY["companies"]))))
    return kept_fields(session, pull.team_id, AccountChange, arrivals,
                       _asker(pull, "companies", pull.fields.company_sources))


def _asker(pull: _Pull, object_type: str, sources: dict[str, tuple[str, ...]]) -> AskTimes:
    """HubSpot's per-property change times, by stakemap field (a field read from two properties: the later)."""
    def ask(record_ids: list[str], names: set[str]) -> dict[str, dict[str, datetime]]:
        properties = sorted({prop for name in names for prop in sources.get(name, ())})
        if not properties:
            return {}
        times = pull.source.changed_at(object_type, record_ids, properties)
        return {record_id: {name: max(found) for name in names
                            if (found := [at[prop] for prop in sources.get(name, ()) if prop in at])}
                for record_id, at in times.items()}
    return ask


def _company(session: Session, pull: _Pull, record: dict, account: Account | None, by_name: dict[str, Account],
             taken: set[int], fresh: list[tuple[str, Account]], kept: set[str]) -> str:
    """Apply one company; an unlinked one adopts the account of the same name or creates one (added to `fresh`).
    `kept`: the fields stakemap changed after HubSpot did; every other change is in the account's history."""
    props, now = record.get("properties") or {}, pull.now()
    name = crm.text(props.get("name"))
    values = {field: value for field, value in _company_values(pull, props).items() if field not in kept}
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
        else:
            _set_account(session, account, values, now)
        fresh.append((str(record["id"]), account))
        return "created" if created else "updated"
    if name and "name" not in kept and name_key(name) != account.name_key \
            and not _account_name_taken(session, account, name):
        values.update(name=name, name_key=name_key(name))
    if not _set_account(session, account, values, now):
        return "unchanged"
    account.updated_at = now
    return "updated"


def _set_account(session: Session, account: Account, values: dict, now: datetime) -> bool:
    """HubSpot's values onto an account stakemap has (None: nothing, the value stays), in its history."""
    return bool(apply_account_changes(session, account, {k: v for k, v in values.items() if v is not None},
                                      HUBSPOT_SOURCE, now))


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
    kept = _kept_contacts(session, pull, incoming, links, linked, by_key, held)
    created: list[tuple[_Incoming, dict]] = []
    for item in incoming:
        link = links.get(item.external_id)
        contact = linked.get(link.contact_id) if link else None
        item.kept = kept.get(item.external_id, set())
        if contact is not None:
            changed = _update_contact(session, contact, item, pull.now(), held[contact.id])
            if link.removed_at is not None:  # back in HubSpot
                link.removed_at = None
                changed = True
            if link.roles != item.roles_value:
                link.roles = item.roles_value
            outcome = "updated" if changed else "unchanged"
        elif item.account_id is None or not item.key or (item.account_id, item.key) in {
                (row["account_id"], row["name_key"]) for _, row in created}:
            outcome = "skipped"  # no known company, no name or title, or a namesake already in this page
        elif (existing := by_key.get((item.account_id, item.key))) is not None:  # typed in Slack, or imported
            _update_contact(session, existing, item, pull.now(), held[existing.id])
            _link(session, pull, CONTACT, item.external_id, existing.account_id, existing.id, item.roles_value)
            contact, outcome = existing, "updated"
        else:
            created.append((item, item.new_contact(pull.team_id, pull.now())))
            outcome = "created"
        setattr(counts, outcome, getattr(counts, outcome) + 1)
        if contact is not None:
            _claim_manager(pull, item, contact.id, counted=outcome == "updated")
    _insert_contacts(session, pull, created)


def _target(item: _Incoming, links: dict[str, CrmLink], linked: dict[int, Contact],
            by_key: dict[tuple[int, str], Contact]) -> Contact | None:
    """The contact a HubSpot contact lands on: the linked one, or the one of the same name it adopts."""
    link = links.get(item.external_id)
    if link is not None:
        return linked.get(link.contact_id)
    return by_key.get((item.account_id, item.key)) if item.account_id is not None and item.key else None


def _kept_contacts(session: Session, pull: _Pull, incoming: list[_Incoming], links: dict[str, CrmLink],
                   linked: dict[int, Contact], by_key: dict[tuple[int, str], Contact], held: dict[int, list]
                   ) -> dict[str, set[str]]:
    """Per HubSpot contact id: the fields (and "type", "roles") that keep stakemap's value. HubSpot's labels have no
    change time: while they are the ones the last sync read (CrmLink.roles), a type or role set in stakemap stays."""
    arrivals, labels_kept, targets = [], set(), {}
    for item in incoming:
        contact = _target(item, links, linked, by_key)
        if contact is None:
            continue
        targets[item.external_id] = contact.id
        link = links.get(item.external_id)
        same_labels = link is not None and link.roles == item.roles_value
        if same_labels:
            labels_kept.add(item.external_id)
        differing = item.differing(contact, held[contact.id], labels=not same_labels)
        arrivals.append(Arrival(item.external_id, contact.id, frozenset(differing), item.modified_at))
    kept = kept_fields(session, pull.team_id, ContactChange, arrivals,
                       _asker(pull, "contacts", pull.fields.contact_sources))
    for external_id in labels_kept:
        kept.setdefault(external_id, set()).update(("type", ROLES_FIELD))
    erased = set(session.scalars(select(Erasure.contact_id).where(Erasure.team_id == pull.team_id,
                                                                  Erasure.contact_id.in_(list(targets.values())))))
    for external_id in (e for e, contact_id in targets.items() if contact_id in erased):  # never filled in again
        kept.setdefault(external_id, set()).update(("name", "title", "email", "department"))
    return kept


def _claim_manager(pull: _Pull, item: _Incoming, contact_id: int, *, counted: bool, fresh: bool = False) -> None:
    if item.manager:
        pull.claims.append(ManagerClaim(contact_id, item.external_id, item.manager, item.modified_at, fresh=fresh))
        if counted:
            pull.counted.add(contact_id)


def _link_managers(pull: _Pull, counts: Counts) -> None:
    """Every contact of the sync stored: each one's manager as HubSpot names it (a contact only updated for it
    counts as updated)."""
    if not pull.claims:
        return
    with pull.open_session() as session:
        changed = link_managers(session, pull.team_id, HUBSPOT, pull.claims, HUBSPOT_SOURCE, pull.now(),
                                _asker(pull, "contacts", pull.fields.contact_sources))
    fresh = {claim.contact_id for claim in pull.claims if claim.fresh}
    counts.updated += len(changed - fresh - pull.counted)
    counts.unchanged -= len(changed - fresh - pull.counted)


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
         "account_id": row["account_id"], "contact_id": contact_id, "removed_at": None, "created_at": now,
         "roles": item.roles_value}
        for (item, row), contact_id in zip(created, ids, strict=True)])
    roles = [{"team_id": pull.team_id, "account_id": row["account_id"], "contact_id": contact_id, "type": kind,
              "source": HUBSPOT_SOURCE, "created_at": now}
             for (item, row), contact_id in zip(created, ids, strict=True) for kind in item.roles - {row["type"]}]
    for (item, _), contact_id in zip(created, ids, strict=True):
        _claim_manager(pull, item, contact_id, counted=False, fresh=True)
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
    manager: str | None = None  # the manager's HubSpot contact id or e-mail (HUBSPOT_REPORTS_TO_FIELD)
    modified_at: datetime | None = None  # HubSpot's last-modified time of the record
    kept: set[str] = field(default_factory=set)  # fields stakemap changed after HubSpot did: not taken

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
        manager = manager_reference(crm.text(props.get(fields.reports_to), 254)) if fields.reports_to else None
        return cls(str(record["id"]), account_id, values, crm.roles_for(labels, table), manager,
                   crm.instant(props.get(crm.MODIFIED_PROPERTY["contacts"])))

    def roles_on(self, contact: Contact) -> tuple[StakeholderType, set[StakeholderType]]:
        """The primary type and extra roles HubSpot gives this contact (its primary type kept while HubSpot still
        gives it, and kept outright when stakemap changed it after HubSpot did)."""
        primary, extra = crm.primary_and_extra(contact.type, self.roles)
        return (contact.type, extra - {contact.type}) if "type" in self.kept else (primary, extra)

    @property
    def roles_value(self) -> str:
        """The roles HubSpot gives, as CrmLink.roles keeps them."""
        return ",".join(sorted(kind.value for kind in self.roles))

    def differing(self, contact: Contact, held: list[ContactRole], *, labels: bool) -> set[str]:
        """The fields HubSpot brings another value for than the contact has ("type" and "roles" too with `labels`)."""
        names = {name for name, value in self.values.items() if value is not None and value != getattr(contact, name)}
        if not labels:
            return names
        primary, extra = crm.primary_and_extra(contact.type, self.roles)
        if primary != contact.type:
            names.add("type")
        if extra != {role.type for role in held if role.source == HUBSPOT_SOURCE}:
            names.add(ROLES_FIELD)
        return names

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


def _update_contact(session: Session, contact: Contact, item: _Incoming, now: datetime, held: list) -> bool:
    """HubSpot's values and roles onto the contact, in history "from HubSpot", but for the fields stakemap changed
    after HubSpot did (`item.kept`); True when anything changed."""
    primary, extra = item.roles_on(contact)
    changes = {name: value for name, value in item.values.items() if value is not None and name not in item.kept}
    key = Contact.key_for(changes.get("name", contact.name), changes.get("title", contact.title))
    if key != contact.name_key and _contact_key_taken(session, contact, key):
        changes.pop("name", None)
        changes.pop("title", None)
        key = contact.name_key
    changed = bool(apply_changes(session, contact, {**changes, "type": primary}, HUBSPOT_SOURCE, now))
    if key != contact.name_key:  # assigning even the same value would mark the contact (and its map) changed
        contact.name_key = key
    if ROLES_FIELD in item.kept:
        return changed
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

