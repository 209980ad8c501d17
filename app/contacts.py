"""Contacts: the people at a customer account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.accounts import touch_account
from app.domain import ContactStatus, StakeholderType
from app.errors import InvalidInput, NotFound
from app.models import Account, Contact, ContactCreate, name_key


def get_contact(session: Session, team_id: str, contact_id: int, account_id: int | None = None) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.team_id != team_id or (account_id is not None and contact.account_id != account_id):
        raise NotFound("That contact no longer exists.")
    return contact


UNKNOWN_SUFFIX = " (name unknown)"


def contact_keys(label: str) -> tuple[str, ...]:
    """The name keys a typed contact label can mean: "Tom Chen", "CTO (name unknown)" or just "CTO"."""
    if label.endswith(UNKNOWN_SUFFIX):
        return (Contact.key_for(None, label.removesuffix(UNKNOWN_SUFFIX)),)
    return (name_key(label), Contact.key_for(None, label))


def find_contact(session: Session, account: Account, label: str) -> Contact | None:
    """The account's contact named (or, for a placeholder, titled) `label`, ignoring case and spaces."""
    for key in contact_keys(label):
        query = select(Contact).where(Contact.account_id == account.id, Contact.name_key == key)
        found = session.scalar(query)
        if found is not None:
            return found
    return None


def _duplicate_error(data: ContactCreate, account: Account) -> InvalidInput:
    who = data.name or f"A {data.title} placeholder"
    field = "name" if data.name else "title"
    return InvalidInput({field: f"{who} is already on the {account.name} map."})


def add_contact(session: Session, account: Account, data: ContactCreate, by: str | None, now: datetime) -> Contact:
    """Add a contact to the account; a duplicate or a foreign reports-to is a field error."""
    key = Contact.key_for(data.name, data.title)
    taken = select(Contact.id).where(Contact.account_id == account.id, Contact.name_key == key)
    if session.scalar(taken) is not None:
        raise _duplicate_error(data, account)
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
        raise _duplicate_error(data, account) from None
    touch_account(account, now)
    return contact


def search_contacts(
    session: Session, team_id: str, account_id: int, query: str = "", limit: int = 100, include_left: bool = False
) -> list[Contact]:
    """Contacts of one account whose name, title or type contains `query` (any case), by name."""
    statement = select(Contact).where(Contact.team_id == team_id, Contact.account_id == account_id)
    if not include_left:
        statement = statement.where(Contact.status != ContactStatus.LEFT)
    text = " ".join(query.split())
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        kinds = [kind for kind in StakeholderType if text.casefold() in kind.label.casefold()]
        statement = statement.where(
            or_(
                Contact.name.ilike(pattern, escape="\\"),
                Contact.title.ilike(pattern, escape="\\"),
                Contact.type.in_(kinds),
            )
        )
    return list(session.scalars(statement.order_by(Contact.name_key, Contact.id).limit(limit)))
