"""Contacts: the people at a customer account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Select, case, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.core.domain import ContactStatus, StakeholderType
from app.core.errors import InvalidInput, NotFound
from app.core.models import NAME_MAX, Account, Contact, ContactCreate, PlanStep, like_pattern, name_key
from app.core.outbox import PushKind
from app.platform.runtime import Runtime
from app.services.accounts import get_account, touch_account
from app.services.crm.outbox import queue_push
from app.services.history import apply_changes
from app.services.nudges import snooze

SEARCH_WORDS_MAX = 5
QUERY_MAX = 100  # characters of a type-ahead query searched for


def get_contact(session: Session, team_id: str, contact_id: int, account_id: int | None = None) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.team_id != team_id or (account_id is not None and contact.account_id != account_id):
        raise NotFound("That contact no longer exists.")
    return contact


def contact_on_account(session: Session, team_id: str, account_id: int, contact_id: int) -> tuple[Account, Contact]:
    """The account and one of its contacts; NotFound when either is gone (or another workspace's)."""
    account = get_account(session, team_id, account_id)
    return account, get_contact(session, team_id, contact_id, account.id)


def account_contacts(session: Session, account: Account) -> list[Contact]:
    """Every contact of the account (departed and unnamed ones too), in the order they were added."""
    query = select(Contact).where(Contact.team_id == account.team_id, Contact.account_id == account.id)
    return list(session.scalars(query.order_by(Contact.id)))


def contact_keys(label: str) -> tuple[str, ...]:
    """The name keys a typed contact label can mean: "Tom Chen", "CTO (name unknown)" or just "CTO"."""
    title = Contact.placeholder_title(label)
    if title is not None:
        return (Contact.key_for(None, title),)
    return (name_key(label), Contact.key_for(None, label))


def find_contact(session: Session, account: Account, label: str) -> Contact | None:
    """The account's contact named (or, for a placeholder, titled) `label`, ignoring case and spaces."""
    for key in contact_keys(label):
        query = select(Contact).where(Contact.account_id == account.id, Contact.name_key == key)
        found = session.scalar(query)
        if found is not None:
            return found
    return None


def _duplicate_error(name: str | None, title: str | None, account: Account) -> InvalidInput:
    who = name or f"A {title} placeholder"
    return InvalidInput({"name" if name else "title": f"{who} is already on the {account.name} map."})


def _key_taken(session: Session, account: Account, key: str, besides: int | None = None) -> bool:
    taken = select(Contact.id).where(Contact.account_id == account.id, Contact.name_key == key)
    if besides is not None:
        taken = taken.where(Contact.id != besides)
    return session.scalar(taken) is not None


def add_contact(session: Session, account: Account, data: ContactCreate, by: str | None, now: datetime) -> Contact:
    """Add a contact to the account; a duplicate or a foreign reports-to is a field error."""
    key = Contact.key_for(data.name, data.title)
    if _key_taken(session, account, key):
        raise _duplicate_error(data.name, data.title, account)
    if data.reports_to_id is not None:
        get_contact(session, account.team_id, data.reports_to_id, account.id)
    contact = Contact(
        **data.model_dump(), team_id=account.team_id, account_id=account.id, name_key=key,
        created_at=now, created_by=by, updated_at=now,
    )
    session.add(contact)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _duplicate_error(data.name, data.title, account) from None
    touch_account(account, now)
    return contact


def update_contact(session: Session, account: Account, contact: Contact, changes: dict, by: str | None,
                   now: datetime) -> list[str]:
    """Save only the given fields (history records the tracked ones); returns the fields that changed."""
    name, title = changes.get("name", contact.name), changes.get("title", contact.title)
    key = Contact.key_for(name, title)
    if key != contact.name_key and _key_taken(session, account, key, besides=contact.id):
        raise _duplicate_error(name, title, account)
    if changes.get("reports_to_id") is not None:
        _check_manager(session, contact, changes["reports_to_id"])
    changed = apply_changes(session, contact, changes, by, now)
    if not changed:
        return changed
    contact.name_key = key
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _duplicate_error(name, title, account) from None
    touch_account(account, now)
    if "type" in changed:
        queue_push(session, PushKind.ROLES, contact, now)
    return changed


def _check_manager(session: Session, contact: Contact, manager_id: int) -> None:
    """The manager is a colleague on the same account and not someone who (indirectly) reports to the contact."""
    manager = get_contact(session, contact.team_id, manager_id, contact.account_id)
    seen = set()
    while manager is not None and manager.id not in seen:
        if manager.id == contact.id:
            raise InvalidInput({"reports_to_id": f"{contact.display_name} cannot report to someone in their own team."})
        seen.add(manager.id)
        manager = session.get(Contact, manager.reports_to_id) if manager.reports_to_id else None


def remove_contact(session: Session, account: Account, contact: Contact, now: datetime) -> None:
    """Delete the contact; the database deletes its touches and history (ON DELETE CASCADE) and unlinks
    its reports. Open plan steps aimed at them keep the name as a role."""
    steps = select(PlanStep).where(PlanStep.team_id == contact.team_id, PlanStep.contact_id == contact.id,
                                   PlanStep.target_role.is_(None))
    for step in session.scalars(steps):
        step.target_role = contact.display_name[:NAME_MAX]
    session.delete(contact)
    touch_account(account, now)
    session.flush()


def _matching(statement: Select, query: str) -> Select:
    """Every word of the query appears in the name, the title or the stakeholder type."""
    for word in name_key(query).split()[:SEARCH_WORDS_MAX]:
        kinds = [kind for kind in StakeholderType if word in kind.label.casefold()]
        statement = statement.where(
            or_(Contact.name_key.like(like_pattern(word), escape="\\"), Contact.title.ilike(like_pattern(word), escape="\\"),
                Contact.type.in_(kinds))
        )
    return statement


def _relevance(query: str):
    """0: the name starts with the query; 1: a later word of the name does; 2: the title does; 3: the rest."""
    phrase = name_key(query)
    return case(
        (Contact.name_key.like(like_pattern(phrase, start=True), escape="\\"), 0),
        (Contact.name_key.like(like_pattern(" " + phrase), escape="\\"), 1),
        (Contact.title.ilike(like_pattern(phrase, start=True), escape="\\"), 2),
        else_=3,
    )


def search_contacts(
    session: Session, team_id: str, account_id: int, query: str = "", limit: int = 100, include_left: bool = False
) -> list[Contact]:
    """Contacts of one account matching every word of `query` (name, title or type, any case), best first."""
    statement = select(Contact).where(Contact.team_id == team_id, Contact.account_id == account_id)
    if not include_left:
        statement = statement.where(Contact.status != ContactStatus.LEFT)
    order = [Contact.name_key, Contact.id]
    if name_key(query):
        statement = _matching(statement, query)
        order.insert(0, _relevance(query))
    return list(session.scalars(statement.order_by(*order).limit(limit)))


def picker_contacts(session: Session, team_id: str, account_id: int, *, query: str = "", include_left: bool = False,
                    besides: int | None = None, limit: int = 100) -> list[Contact]:
    """What a contact picker offers: the account's contacts matching `query` (its first QUERY_MAX characters),
    best first, departed ones only with `include_left`, never `besides` (the contact being edited): at most
    `limit` (a picker asks for one more than it can show, to know when to switch to search)."""
    found = search_contacts(session, team_id, account_id, query[:QUERY_MAX], limit + (besides is not None),
                            include_left)
    return [contact for contact in found if contact.id != besides][:limit]


# --- what the contact surfaces ask, each in one unit of work ----------------------------------------

MayManage = Callable[[Account], bool]  # whether the person acting may manage the account's people (Slack says)


def contact_of(runtime: Runtime, team_id: str, contact_id: int) -> Contact:
    """One contact (get_contact), in a read of its own."""
    with runtime.db.reading() as session:
        return get_contact(session, team_id, contact_id)


def snooze_contact(runtime: Runtime, team_id: str, contact_id: int, by: str | None) -> tuple[Contact, date]:
    """The digest's Snooze button: leave the contact out of the digests from today (nudges.snooze), committed;
    the contact and the day it comes back. NotFound when the contact is gone."""
    with runtime.db.session() as session:
        contact = get_contact(session, team_id, contact_id)
        return contact, snooze(contact, by, runtime.today())


def contact_and_account(runtime: Runtime, team_id: str, contact_id: int) -> tuple[Contact, Account]:
    """A contact and its account (the map's contact menu); NotFound when gone or another workspace's."""
    with runtime.db.reading() as session:
        contact = get_contact(session, team_id, contact_id)
        return contact, get_account(session, team_id, contact.account_id)


class Removal(NamedTuple):
    account: Account
    contact_name: str
    removed: bool  # False: the person acting may not manage the account's people; nothing changed


def remove_from_account(runtime: Runtime, team_id: str, account_id: int, contact_id: int,
                        may_manage: MayManage) -> Removal:
    """Remove the contact from the account (remove_contact) when `may_manage(account)`; NotFound when gone."""
    with runtime.db.session() as session:
        account, contact = contact_on_account(session, team_id, account_id, contact_id)
        name = contact.display_name
        if not may_manage(account):
            return Removal(account, name, False)
        remove_contact(session, account, contact, runtime.now())
        return Removal(account, name, True)


def contact_search(runtime: Runtime, team_id: str, account_id: int, query: str, *, include_left: bool,
                   besides: int | None) -> list[Contact]:
    """The contact picker's type-ahead (picker_contacts)."""
    with runtime.db.reading() as session:
        return picker_contacts(session, team_id, account_id, query=query, include_left=include_left, besides=besides)


def account_and_people(runtime: Runtime, team_id: str, account_id: int) -> tuple[Account, list[Contact]]:
    """The account and every contact of it (the picture of the account); NotFound when it is gone."""
    with runtime.db.reading() as session:
        account = get_account(session, team_id, account_id)
        return account, account_contacts(session, account)
