"""What every CRM pull shares (HubSpot: app.services.crm.hubspot, Salesforce: app.services.crm.salesforce).

Each CRM module reads its records and turns them into `IncomingAccount` / `IncomingContact`; this module
stores them: links to the CRM's records (CrmLink), accounts adopted by name or created, contacts adopted by
name or inserted in bulk, their roles (app.services.roles), history rows with "crm:<name>" as who changed it,
flags for records removed in the CRM (never a deletion), and the cursor per object.

Incremental pages move their object's cursor in the page's own transaction, so an interrupted sync resumes
where it stopped; a full listing moves it once it is through. Applying the same records twice changes nothing
(no history row, no new map version).

Conflicts: field by field, the newer change wins (app.services.crm.conflicts, app.core.crm.crm_change_wins): a
value stakemap changed after the CRM record's last change stays; a CRM that knows each field's own change time
(HubSpot's property history) is asked through `Pull.ask_accounts` / `Pull.ask_contacts` for just the records
modified after such a change, else the record's last-modified time decides. A CRM's role labels carry no change
time: CrmLink.roles keeps the roles the last sync read, and while the CRM still gives those, a type or role set
in stakemap stays. Every change taken from the CRM is in the history as "crm:<name>". Reports-to: each contact's
manager as the CRM names it (`IncomingContact.manager`) is linked once every contact of the sync is stored
(`link_crm_managers`, app.services.crm.reports_to).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import Session

from app.core import crm
from app.core.crm import Counts
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
from app.services.crm.reports_to import ManagerClaim, link_managers
from app.services.history import apply_account_changes, apply_changes
from app.services.roles import ROLES_FIELD, replace_roles, roles_by_contact

# Every column of a contact the CRM does not give, as the model defaults it (Core inserts skip the model).
CONTACT_DEFAULTS = {name: None if field.is_required() else field.get_default(call_default_factory=True)
                    for name, field in Contact.model_fields.items() if name in Contact.__table__.columns and name != "id"}
# CrmLink.object, whatever the CRM: the record that feeds an account (a HubSpot company, a Salesforce Account)
# and the one that feeds a contact (the push's outbox reads the same names: app.services.crm.outbox)
COMPANY, CONTACT = "company", "contact"

OpenSession = Callable[[], AbstractContextManager[Session]]
Progress = Callable[[str, int], None]  # (object, records done in this page)


@dataclass
class Pull:
    """One sync of one workspace from one CRM."""

    open_session: OpenSession
    crm: str  # "hubspot", "salesforce": CrmLink.crm and CrmCursor.crm
    team_id: str
    now: Callable[[], datetime]
    owner_lookup: Callable[[str], str] | None  # e-mail → Slack user id (users.lookupByEmail); LookupError: none
    progress: Progress | None
    # The CRM's own change time of each field, for records modified after a change made in stakemap (HubSpot's
    # property history); None: the record's last-modified time decides (app.services.crm.conflicts).
    ask_accounts: AskTimes | None = None
    ask_contacts: AskTimes | None = None
    claims: list[ManagerClaim] = field(default_factory=list)  # reports-to, linked once every contact is stored
    counted: set[int] = field(default_factory=set)  # contacts with a claim already counted as updated

    def __post_init__(self) -> None:
        self._slack_users: dict[str, str | None] = {}

    @property
    def by(self) -> str:
        """Who changed it, in history and on roles: "crm:hubspot"."""
        return crm.changed_by(self.crm)

    def slack_user(self, email: str | None) -> str | None:
        """The Slack user with this e-mail (asked once per sync); None when unknown or not looked up."""
        if not email or self.owner_lookup is None:
            return None
        if email not in self._slack_users:
            try:
                self._slack_users[email] = self.owner_lookup(email)
            except LookupError:
                self._slack_users[email] = None
        return self._slack_users[email]

    def done(self, object_name: str, count: int) -> None:
        if self.progress is not None:
            self.progress(object_name, count)


def cursors(session: Session, team_id: str, crm_name: str) -> dict[str, str]:
    return {c.object: c.modified_at for c in session.scalars(
        select(CrmCursor).where(CrmCursor.team_id == team_id, CrmCursor.crm == crm_name))}


def store_pages(pull: Pull, object_name: str, pages: Iterable[list[dict]], modified: Callable[[dict], str | None],
                cursor: str | None, full: bool, store: Callable[[Session, list[dict]], None]) -> None:
    """Store page after page. Incremental (oldest change first): the cursor moves with each page, in its
    transaction. Full (in id order): the cursor moves once every page is stored, so a full sync that stops
    half-way never makes the next incremental one skip the records it did not reach."""
    latest = cursor
    for page in pages:
        page_latest = max((modified(r) or "" for r in page), default="") or None
        newer = page_latest is not None and (latest is None or page_latest > latest)
        latest = page_latest if newer else latest
        with pull.open_session() as session:
            store(session, page)
            if newer and not full:
                save_cursor(session, pull, object_name, latest)
        pull.done(object_name, len(page))
    if full and latest is not None and latest != cursor:
        with pull.open_session() as session:
            save_cursor(session, pull, object_name, latest)


def save_cursor(session: Session, pull: Pull, object_name: str, modified_at: str) -> None:
    cursor = session.get(CrmCursor, (pull.team_id, pull.crm, object_name))
    if cursor is None:
        session.add(CrmCursor(team_id=pull.team_id, crm=pull.crm, object=object_name, modified_at=modified_at,
                              updated_at=pull.now()))
    elif cursor.modified_at != modified_at:
        cursor.modified_at, cursor.updated_at = modified_at, pull.now()


def links(session: Session, pull: Pull, object_name: str, external_ids: Iterable[str]) -> dict[str, CrmLink]:
    query = select(CrmLink).where(CrmLink.team_id == pull.team_id, CrmLink.crm == pull.crm,
                                  CrmLink.object == object_name, CrmLink.external_id.in_(list(external_ids)))
    return {link.external_id: link for link in session.scalars(query)}


def account_ids(session: Session, pull: Pull, external_ids: Iterable[str]) -> dict[str, int]:
    """The account each of these CRM account records feeds (those stakemap has)."""
    return {external: link.account_id for external, link in links(session, pull, COMPANY,
                                                                   external_ids).items()}


def _link(session: Session, pull: Pull, object_name: str, external_id: str, account_id: int,
          contact_id: int | None = None, roles: str | None = None) -> None:
    session.add(CrmLink(team_id=pull.team_id, crm=pull.crm, object=object_name, external_id=external_id,
                        account_id=account_id, contact_id=contact_id, created_at=pull.now(), roles=roles))


def _set(row, values: dict) -> bool:
    """Set the values that differ (None: the CRM has nothing, the value stays); True when any did."""
    changed = False
    for name, value in values.items():
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _count(counts: Counts, outcome: str) -> None:
    setattr(counts, outcome, getattr(counts, outcome) + 1)


# --- accounts ---------------------------------------------------------------------------------------


@dataclass
class IncomingAccount:
    """One CRM account record as stakemap reads it: its name and the account's values (None: not given)."""

    external_id: str
    name: str | None
    values: dict  # arr_amount, currency, renewal_date, owner_user_id
    modified_at: datetime | None = None  # the record's last-modified time in the CRM

    def differing(self, account: Account) -> set[str]:
        """The account fields this record brings another value for than the account has."""
        names = {name for name, value in self.values.items() if value is not None and value != getattr(account, name)}
        if self.name and name_key(self.name) != account.name_key:
            names.add("name")
        return names


def store_accounts(session: Session, pull: Pull, page: list[IncomingAccount], counts: Counts) -> None:
    """One page of accounts: the linked accounts and the namesakes read in two statements, new ones written at once."""
    found = links(session, pull, COMPANY, (item.external_id for item in page))
    linked = _accounts_by(session, pull.team_id, Account.id.in_([link.account_id for link in found.values()]))
    names = {name_key(item.name) for item in page if item.external_id not in found and item.name}
    by_name = {a.name_key: a for a in _accounts_by(session, pull.team_id, Account.name_key.in_(names)).values()}
    taken = set(session.scalars(select(CrmLink.account_id).where(  # namesakes another record of this CRM feeds
        CrmLink.team_id == pull.team_id, CrmLink.crm == pull.crm, CrmLink.object == COMPANY,
        CrmLink.account_id.in_([a.id for a in by_name.values()]))))
    fresh: list[tuple[str, Account]] = []
    targets = {item.external_id: linked.get(found[item.external_id].account_id) if item.external_id in found
               else by_name.get(name_key(item.name)) if item.name else None for item in page}
    kept = kept_fields(session, pull.team_id, AccountChange, (
        Arrival(item.external_id, account.id, frozenset(item.differing(account)), item.modified_at)
        for item in page if (account := targets[item.external_id]) is not None), pull.ask_accounts)
    for item in page:
        link = found.get(item.external_id)
        _count(counts, _store_account(session, pull, item, linked.get(link.account_id) if link else None, by_name,
                                      taken, fresh, kept.get(item.external_id, set())))
    session.flush()
    for external_id, account in fresh:
        _link(session, pull, COMPANY, external_id, account.id)


def _accounts_by(session: Session, team_id: str, *conditions) -> dict[int, Account]:
    return {a.id: a for a in session.scalars(select(Account).where(Account.team_id == team_id, *conditions))}


def _store_account(session: Session, pull: Pull, item: IncomingAccount, account: Account | None,
                   by_name: dict[str, Account], taken: set[int], fresh: list[tuple[str, Account]],
                   kept: set[str]) -> str:
    """Apply one record; an unlinked one adopts the account of the same name or creates one (added to `fresh`).
    `kept`: the fields stakemap changed after the CRM did; every other change is in the account's history."""
    name, now = item.name, pull.now()
    values = {column: value for column, value in item.values.items() if column not in kept}
    if account is None:
        if not name:
            return "skipped"
        account = by_name.get(name_key(name))
        if account is not None and (account.id in taken or any(adopted is account for _, adopted in fresh)):
            return "skipped"  # two CRM records of one name: the first keeps the account
        created = account is None
        if created:
            account = Account(team_id=pull.team_id, name=name, name_key=name_key(name), created_at=now,
                              updated_at=now)
            session.add(account)
            by_name[account.name_key] = account  # a namesake later in the page adopts it
            _set(account, values)
        else:
            _set_account(session, pull, account, values)
        fresh.append((item.external_id, account))
        return "created" if created else "updated"
    if name and "name" not in kept and name_key(name) != account.name_key \
            and not _account_name_taken(session, account, name):
        values.update(name=name, name_key=name_key(name))
    if not _set_account(session, pull, account, values):
        return "unchanged"
    account.updated_at = now
    return "updated"


def _set_account(session: Session, pull: Pull, account: Account, values: dict) -> bool:
    """The CRM's values onto an account stakemap has (None: nothing, the value stays), in its history."""
    return bool(apply_account_changes(session, account, {k: v for k, v in values.items() if v is not None},
                                      pull.by, pull.now()))


def _account_name_taken(session: Session, account: Account, name: str) -> bool:
    query = select(Account.id).where(Account.team_id == account.team_id, Account.name_key == name_key(name),
                                     Account.id != account.id)
    return session.scalar(query) is not None


# --- contacts with their roles ----------------------------------------------------------------------


@dataclass
class IncomingContact:
    """One CRM contact as stakemap reads it: its account (None: stakemap has none for it), values and roles.
    `removed`: deleted, archived or inactive in the CRM — a linked contact is flagged, an unknown one skipped."""

    external_id: str
    account_id: int | None
    values: dict  # name, title, email, department
    roles: set[StakeholderType]
    removed: bool = False
    manager: str | None = None  # the manager's CRM contact id or e-mail (reports_to.manager_reference)
    modified_at: datetime | None = None  # the record's last-modified time in the CRM
    # When the CRM last changed the records the roles come from, where those are not the contact's own record
    # (Salesforce's AccountContactRelation, OpportunityContactRole); None: the contact's time stands for them
    roles_modified_at: datetime | None = None
    kept: set[str] = field(default_factory=set)  # fields stakemap changed after the CRM did: not taken

    @property
    def key(self) -> str | None:
        name, title = self.values["name"], self.values["title"]
        return Contact.key_for(name, title) if name or title else None

    @property
    def roles_value(self) -> str:
        """What CrmLink.roles keeps of this record: the roles the CRM gives ("champion,decision_maker")."""
        return ",".join(sorted(kind.value for kind in self.roles))

    def roles_on(self, contact: Contact) -> tuple[StakeholderType, set[StakeholderType]]:
        """The primary type and extra roles the CRM gives this contact (its primary type kept while the CRM still
        gives it, and kept outright when stakemap changed it after the CRM did)."""
        primary, extra = crm.primary_and_extra(contact.type, self.roles)
        return (contact.type, extra - {contact.type}) if "type" in self.kept else (primary, extra)

    def differing(self, contact: Contact, held: list[ContactRole], by: str, *, labels: bool) -> set[str]:
        """The fields the CRM brings another value for than the contact has ("type" and "roles" too with
        `labels`; `by`: the CRM's roles are those held with this source)."""
        names = {name for name, value in self.values.items() if value is not None and value != getattr(contact, name)}
        if not labels:
            return names
        primary, extra = crm.primary_and_extra(contact.type, self.roles)
        if primary != contact.type:
            names.add("type")
        if extra != {role.type for role in held if role.source == by}:
            names.add(ROLES_FIELD)
        return names

    def new_contact(self, team_id: str, now: datetime) -> dict:
        """The new contact's row (every column: it is inserted without the ORM)."""
        primary = crm.primary_and_extra(None, self.roles)[0]
        return {**CONTACT_DEFAULTS, **self.values, "team_id": team_id, "account_id": self.account_id,
                "name_key": self.key, "type": primary, "created_at": now, "updated_at": now}


def store_contacts(session: Session, pull: Pull, incoming: list[IncomingContact], counts: Counts) -> None:
    """One page of contacts, read and written with a fixed number of statements (plus one per changed row)."""
    found = links(session, pull, CONTACT, (item.external_id for item in incoming))
    linked = _contacts_by(session, pull.team_id, Contact.id.in_([link.contact_id for link in found.values()]))
    unlinked = [i for i in incoming if i.external_id not in found and i.account_id is not None and i.key]
    by_key = {(c.account_id, c.name_key): c for c in _contacts_by(
        session, pull.team_id, Contact.account_id.in_({i.account_id for i in unlinked}),
        Contact.name_key.in_({i.key for i in unlinked})).values()}
    held = roles_by_contact(session, pull.team_id, [*linked, *(c.id for c in by_key.values())])
    kept = _kept_contacts(session, pull, [i for i in incoming if not i.removed], found, linked, by_key, held)
    created: list[tuple[IncomingContact, dict]] = []
    for item in incoming:
        link = found.get(item.external_id)
        contact = linked.get(link.contact_id) if link else None
        item.kept = kept.get(item.external_id, set())
        if contact is not None and item.removed:
            outcome = "flagged" if flag([link], pull.now()) else "unchanged"
            contact = None  # a flagged contact's manager is left as it is
        elif contact is not None:
            changed = _update_contact(session, pull, contact, item, held[contact.id])
            if link.removed_at is not None:  # back in the CRM
                link.removed_at = None
                changed = True
            if link.roles != item.roles_value:
                link.roles = item.roles_value
            outcome = "updated" if changed else "unchanged"
        elif item.removed or item.account_id is None or not item.key or (item.account_id, item.key) in {
                (row["account_id"], row["name_key"]) for _, row in created}:
            outcome = "skipped"  # removed, no known account, no name or title, or a namesake already in this page
        elif (existing := by_key.get((item.account_id, item.key))) is not None:  # typed in Slack, or imported
            _update_contact(session, pull, existing, item, held[existing.id])
            _link(session, pull, CONTACT, item.external_id, existing.account_id, existing.id, item.roles_value)
            contact, outcome = existing, "updated"
        else:
            created.append((item, item.new_contact(pull.team_id, pull.now())))
            outcome = "created"
        _count(counts, outcome)
        if contact is not None:
            _claim_manager(pull, item, contact.id, counted=outcome == "updated")
    _insert_contacts(session, pull, created)


def _target(item: IncomingContact, found: dict[str, CrmLink], linked: dict[int, Contact],
            by_key: dict[tuple[int, str], Contact]) -> Contact | None:
    """The contact a CRM contact lands on: the linked one, or the one of the same name it adopts."""
    link = found.get(item.external_id)
    if link is not None:
        return linked.get(link.contact_id)
    return by_key.get((item.account_id, item.key)) if item.account_id is not None and item.key else None


def _kept_contacts(session: Session, pull: Pull, incoming: list[IncomingContact], found: dict[str, CrmLink],
                   linked: dict[int, Contact], by_key: dict[tuple[int, str], Contact], held: dict[int, list]
                   ) -> dict[str, set[str]]:
    """Per CRM contact id: the fields (and "type", "roles") that keep stakemap's value. Role labels have no change
    time: while they are the ones the last sync read (CrmLink.roles), a type or role set in stakemap stays."""
    arrivals, labels_kept, targets = [], set(), {}
    for item in incoming:
        contact = _target(item, found, linked, by_key)
        if contact is None:
            continue
        targets[item.external_id] = contact.id
        link = found.get(item.external_id)
        same_labels = link is not None and link.roles == item.roles_value
        if same_labels:
            labels_kept.add(item.external_id)
        differing = item.differing(contact, held[contact.id], pull.by, labels=not same_labels)
        roles_at = {} if item.roles_modified_at is None else {"type": item.roles_modified_at,
                                                              ROLES_FIELD: item.roles_modified_at}
        arrivals.append(Arrival(item.external_id, contact.id, frozenset(differing), item.modified_at, roles_at))
    kept = kept_fields(session, pull.team_id, ContactChange, arrivals, pull.ask_contacts)
    for external_id in labels_kept:
        kept.setdefault(external_id, set()).update(("type", ROLES_FIELD))
    erased = set(session.scalars(select(Erasure.contact_id).where(Erasure.team_id == pull.team_id,
                                                                  Erasure.contact_id.in_(list(targets.values())))))
    for external_id in (e for e, contact_id in targets.items() if contact_id in erased):  # never filled in again
        kept.setdefault(external_id, set()).update(("name", "title", "email", "department"))
    return kept


def _claim_manager(pull: Pull, item: IncomingContact, contact_id: int, *, counted: bool, fresh: bool = False) -> None:
    if item.manager:
        pull.claims.append(ManagerClaim(contact_id, item.external_id, item.manager, item.modified_at, fresh=fresh))
        if counted:
            pull.counted.add(contact_id)


def link_crm_managers(pull: Pull, counts: Counts) -> None:
    """Every contact of the sync stored: each one's manager as the CRM names it (a contact only updated for it
    counts as updated). Each CRM's pull calls it once, after its contacts."""
    if not pull.claims:
        return
    with pull.open_session() as session:
        changed = link_managers(session, pull.team_id, pull.crm, pull.claims, pull.by, pull.now(), pull.ask_contacts)
    fresh = {claim.contact_id for claim in pull.claims if claim.fresh}
    counts.updated += len(changed - fresh - pull.counted)
    counts.unchanged -= len(changed - fresh - pull.counted)
    pull.claims.clear()


def _insert_contacts(session: Session, pull: Pull, created: list[tuple[IncomingContact, dict]]) -> None:
    """New contacts, their links and roles in three statements (the ORM would cost more than the rest of the
    sync); the accounts' map versions are bumped here, as the session does not see these rows."""
    if not created:
        return
    now = pull.now()
    statement = insert(Contact.__table__).returning(Contact.__table__.c.id, sort_by_parameter_order=True)
    ids = session.scalars(statement, [row for _, row in created]).all()
    session.execute(insert(CrmLink.__table__), [
        {"team_id": pull.team_id, "crm": pull.crm, "object": CONTACT, "external_id": item.external_id,
         "account_id": row["account_id"], "contact_id": contact_id, "removed_at": None, "created_at": now,
         "roles": item.roles_value}
        for (item, row), contact_id in zip(created, ids, strict=True)])
    roles = [{"team_id": pull.team_id, "account_id": row["account_id"], "contact_id": contact_id, "type": kind,
              "source": pull.by, "created_at": now}
             for (item, row), contact_id in zip(created, ids, strict=True) for kind in item.roles - {row["type"]}]
    for (item, _), contact_id in zip(created, ids, strict=True):
        _claim_manager(pull, item, contact_id, counted=False, fresh=True)
    if roles:
        session.execute(insert(ContactRole.__table__), roles)
    touch_accounts(session, pull.team_id, {row["account_id"] for _, row in created}, now)


def _contacts_by(session: Session, team_id: str, *conditions) -> dict[int, Contact]:
    return {c.id: c for c in session.scalars(select(Contact).where(Contact.team_id == team_id, *conditions))}


def _update_contact(session: Session, pull: Pull, contact: Contact, item: IncomingContact, held: list) -> bool:
    """The CRM's values and roles onto the contact, in history as "crm:<name>", but for the fields stakemap changed
    after the CRM did (`item.kept`); True when anything changed."""
    now = pull.now()
    primary, extra = item.roles_on(contact)
    changes = {name: value for name, value in item.values.items() if value is not None and name not in item.kept}
    key = Contact.key_for(changes.get("name", contact.name), changes.get("title", contact.title))
    if key != contact.name_key and _contact_key_taken(session, contact, key):
        changes.pop("name", None)
        changes.pop("title", None)
        key = contact.name_key
    changed = bool(apply_changes(session, contact, {**changes, "type": primary}, pull.by, now))
    if key != contact.name_key:  # assigning even the same value would mark the contact (and its map) changed
        contact.name_key = key
    if ROLES_FIELD in item.kept:
        return changed
    return replace_roles(session, contact, extra, pull.by, now, source=pull.by, only_source=True,
                         held=held) or changed


def _contact_key_taken(session: Session, contact: Contact, key: str) -> bool:
    query = select(Contact.id).where(Contact.account_id == contact.account_id, Contact.name_key == key,
                                     Contact.id != contact.id)
    return session.scalar(query) is not None


# --- removed in the CRM: flagged, never deleted -------------------------------------------------------


def flag(found: Iterable[CrmLink], now: datetime) -> int:
    flagged = 0
    for link in found:
        if link.removed_at is None and link.contact_id is not None:
            link.removed_at = now
            flagged += 1
    return flagged


def flag_contacts(pull: Pull, external_ids: Iterable[str], counts: Counts) -> None:
    """Flag the linked contacts of these CRM records (archived, deleted)."""
    with pull.open_session() as session:
        counts.flagged += flag(links(session, pull, CONTACT, external_ids).values(), pull.now())


def flag_missing(pull: Pull, present: set[str], counts: Counts) -> None:
    """A full sync: linked contacts the CRM lists nowhere any more (deleted for good) are flagged too."""
    with pull.open_session() as session:
        query = select(CrmLink).where(CrmLink.team_id == pull.team_id, CrmLink.crm == pull.crm,
                                      CrmLink.object == CONTACT, CrmLink.removed_at.is_(None))
        gone = [link for link in session.scalars(query) if link.external_id not in present]
        counts.flagged += flag(gone, pull.now())
