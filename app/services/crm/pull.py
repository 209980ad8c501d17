"""What every CRM pull shares (HubSpot: app.services.crm.hubspot, Salesforce: app.services.crm.salesforce).

Each CRM module reads its records and turns them into `IncomingAccount` / `IncomingContact`; this module
stores them: links to the CRM's records (CrmLink), accounts adopted by name or created, contacts adopted by
name or inserted in bulk, their roles (app.services.roles), history rows with "crm:<name>" as who changed it,
flags for records removed in the CRM (never a deletion), and the cursor per object.

Incremental pages move their object's cursor in the page's own transaction, so an interrupted sync resumes
where it stopped; a full listing moves it once it is through. Applying the same records twice changes nothing
(no history row, no new map version).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import Session

from app.core import crm
from app.core.crm import Counts
from app.core.domain import StakeholderType
from app.core.models import Account, Contact, ContactRole, CrmCursor, CrmLink, name_key
from app.services.accounts import touch_accounts
from app.services.history import apply_changes
from app.services.roles import replace_roles, roles_by_contact

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
          contact_id: int | None = None) -> None:
    session.add(CrmLink(team_id=pull.team_id, crm=pull.crm, object=object_name, external_id=external_id,
                        account_id=account_id, contact_id=contact_id, created_at=pull.now()))


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
    for item in page:
        link = found.get(item.external_id)
        _count(counts, _store_account(session, pull, item, linked.get(link.account_id) if link else None, by_name,
                                      taken, fresh))
    session.flush()
    for external_id, account in fresh:
        _link(session, pull, COMPANY, external_id, account.id)


def _accounts_by(session: Session, team_id: str, *conditions) -> dict[int, Account]:
    return {a.id: a for a in session.scalars(select(Account).where(Account.team_id == team_id, *conditions))}


def _store_account(session: Session, pull: Pull, item: IncomingAccount, account: Account | None,
                   by_name: dict[str, Account], taken: set[int], fresh: list[tuple[str, Account]]) -> str:
    """Apply one record; an unlinked one adopts the account of the same name or creates one (added to `fresh`)."""
    name, values, now = item.name, dict(item.values), pull.now()
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
        fresh.append((item.external_id, account))
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

    @property
    def key(self) -> str | None:
        name, title = self.values["name"], self.values["title"]
        return Contact.key_for(name, title) if name or title else None

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
    created: list[tuple[IncomingContact, dict]] = []
    for item in incoming:
        link = found.get(item.external_id)
        contact = linked.get(link.contact_id) if link else None
        if contact is not None and item.removed:
            outcome = "flagged" if flag([link], pull.now()) else "unchanged"
        elif contact is not None:
            changed = _update_contact(session, pull, contact, item.values, item.roles, held[contact.id])
            if link.removed_at is not None:  # back in the CRM
                link.removed_at = None
                changed = True
            outcome = "updated" if changed else "unchanged"
        elif item.removed or item.account_id is None or not item.key or (item.account_id, item.key) in {
                (row["account_id"], row["name_key"]) for _, row in created}:
            outcome = "skipped"  # removed, no known account, no name or title, or a namesake already in this page
        elif (existing := by_key.get((item.account_id, item.key))) is not None:  # typed in Slack, or imported
            _update_contact(session, pull, existing, item.values, item.roles, held[existing.id])
            _link(session, pull, CONTACT, item.external_id, existing.account_id, existing.id)
            outcome = "updated"
        else:
            created.append((item, item.new_contact(pull.team_id, pull.now())))
            outcome = "created"
        _count(counts, outcome)
    _insert_contacts(session, pull, created)


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
         "account_id": row["account_id"], "contact_id": contact_id, "removed_at": None, "created_at": now}
        for (item, row), contact_id in zip(created, ids, strict=True)])
    roles = [{"team_id": pull.team_id, "account_id": row["account_id"], "contact_id": contact_id, "type": kind,
              "source": pull.by, "created_at": now}
             for (item, row), contact_id in zip(created, ids, strict=True) for kind in item.roles - {row["type"]}]
    if roles:
        session.execute(insert(ContactRole.__table__), roles)
    touch_accounts(session, pull.team_id, {row["account_id"] for _, row in created}, now)


def _contacts_by(session: Session, team_id: str, *conditions) -> dict[int, Contact]:
    return {c.id: c for c in session.scalars(select(Contact).where(Contact.team_id == team_id, *conditions))}


def _update_contact(session: Session, pull: Pull, contact: Contact, values: dict, roles: set[StakeholderType],
                    held: list) -> bool:
    """The CRM's values and roles onto the contact, in history as "crm:<name>"; True when anything changed."""
    now = pull.now()
    primary, extra = crm.primary_and_extra(contact.type, roles)
    changes = {name: value for name, value in values.items() if value is not None}
    key = Contact.key_for(changes.get("name", contact.name), changes.get("title", contact.title))
    if key != contact.name_key and _contact_key_taken(session, contact, key):
        changes.pop("name", None)
        changes.pop("title", None)
        key = contact.name_key
    changed = bool(apply_changes(session, contact, {**changes, "type": primary}, pull.by, now))
    if key != contact.name_key:  # assigning even the same value would mark the contact (and its map) changed
        contact.name_key = key
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
