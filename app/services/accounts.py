"""Accounts: create, look up by name, suggest close matches, load the map of one."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from rapidfuzz import fuzz, process
from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.core.assessment import Assessment
from app.core.errors import InvalidInput, NotFound
from app.core.models import Account, AccountCreate, like_pattern, name_key
from app.core.portfolio import ranked_by_risk
from app.platform.runtime import Runtime
from app.services.capture_cache import CAPTURE_CACHE
from app.services.channel_links import account_channels, link_channel
from app.services.history import apply_account_changes
from app.services.portfolio import assess_accounts
from app.services.workspaces import ensure_workspace


def find_account(session: Session, team_id: str, text: str) -> Account | None:
    """The account named `text` in this workspace, ignoring case and surrounding spaces."""
    key = name_key(text)
    if not key:
        return None
    return session.scalar(select(Account).where(Account.team_id == team_id, Account.name_key == key))


def get_account(session: Session, team_id: str, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None or account.team_id != team_id:
        raise NotFound("That account no longer exists.")
    return account


def search_accounts(session: Session, team_id: str, query: str = "", limit: int = 100) -> list[Account]:
    """Accounts whose name contains `query` (any case), names starting with it first."""
    statement = select(Account).where(Account.team_id == team_id)
    key = name_key(query)
    order = [Account.name_key, Account.id]
    if key:
        statement = statement.where(Account.name_key.like(like_pattern(key), escape="\\"))
        order.insert(0, case((Account.name_key.like(like_pattern(key, start=True), escape="\\"), 0), else_=1))
    return list(session.scalars(statement.order_by(*order).limit(limit)))


def close_matches(session: Session, team_id: str, text: str, limit: int = 3) -> list[str]:
    """Names of this workspace's accounts that look like `text` (typos, prefixes, partial names)."""
    names = session.scalars(select(Account.name).where(Account.team_id == team_id)).all()
    found = process.extract(text.strip(), names, scorer=fuzz.WRatio, processor=str.casefold, limit=limit, score_cutoff=60)
    return [name for name, _score, _index in found]


def create_account(
    session: Session, team_id: str, data: AccountCreate, by: str | None, now: datetime, enterprise_id: str | None = None
) -> Account:
    """Store a new account; a taken name is a field error and nothing is written (a past renewal is refused
    by AccountCreate's validation)."""
    ensure_workspace(session, team_id, now, enterprise_id)
    if find_account(session, team_id, data.name) is not None:
        raise InvalidInput({"name": f"An account named {data.name} already exists."})
    account = Account(
        **data.model_dump(exclude={"owner_user_id", "channel_id"}),
        owner_user_id=data.owner_user_id or by,
        team_id=team_id,
        name_key=name_key(data.name),
        created_at=now,
        created_by=by,
        updated_at=now,
    )
    session.add(account)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise InvalidInput({"name": f"An account named {data.name} already exists."}) from None
    if data.channel_id:
        link_channel(session, account, data.channel_id, now, by=by)
    return account


EDITABLE = ("name", "arr_amount", "currency", "renewal_date", "owner_user_id", "domains", "capture_enabled")


def update_account(session: Session, team_id: str, account_id: int, data: AccountCreate, now: datetime,
                   by: str | None = None) -> Account:
    """Save the account modal's fields (linked channels are changed by `/stakemap link`/`unlink`); a name
    another account has is a field error. The CRM-fed fields that changed are kept in the account's history."""
    account = get_account(session, team_id, account_id)
    other = find_account(session, team_id, data.name)
    if other is not None and other.id != account.id:
        raise InvalidInput({"name": f"An account named {data.name} already exists."})
    apply_account_changes(session, account, {key: getattr(data, key) for key in EDITABLE}, by, now)
    account.name_key = name_key(data.name)
    touch_account(account, now)
    session.flush()
    return account


def touch_account(account: Account, now: datetime) -> None:
    """Record when the account's map last changed (its version is bumped by the session itself); what capture
    remembers about the account (its contacts, owner, switches) is looked up again."""
    account.updated_at = now
    CAPTURE_CACHE.forget_account(account.team_id, account.id)


def changing_account(session: Session, team_id: str, account_id: int, now: datetime) -> Account:
    """The account a change is about to be made to, its map already marked as changed `now` (the change
    and the mark commit together); NotFound as get_account."""
    account = get_account(session, team_id, account_id)
    touch_account(account, now)
    return account


def touch_accounts(session: Session, team_id: str, account_ids: set[int], now: datetime) -> None:
    """Mark many accounts' maps as changed (version and time) after writes that bypass the ORM session
    (bulk imports), which the session's version bump does not see; 500 ids per statement."""
    ids = sorted(account_ids)
    for start in range(0, len(ids), 500):
        statement = (update(Account).where(Account.team_id == team_id, Account.id.in_(ids[start:start + 500]))
                     .values(version=Account.version + 1, updated_at=now))
        session.execute(statement, execution_options={"synchronize_session": False})


def assess_account(session: Session, account: Account, today: date) -> Assessment:
    """One account's assessment, read the same way as a whole portfolio's."""
    return assess_accounts(session, account.team_id, today, accounts=[account])[0]


# --- what the account surfaces ask, each in one unit of work ----------------------------------------


class SoughtAccount(NamedTuple):
    """The account a request names, or (no account has that name) the names that look like it."""

    account: Account | None
    matches: list[str]


def _sought(session: Session, team_id: str, name: str) -> SoughtAccount:
    account = find_account(session, team_id, name)
    return SoughtAccount(account, [] if account is not None else close_matches(session, team_id, name))


def sought_account(runtime: Runtime, team_id: str, name: str) -> SoughtAccount:
    """The account named `name` (any case), or the close matches to offer instead."""
    with runtime.db.reading() as session:
        return _sought(session, team_id, name)


def account_to_edit(runtime: Runtime, team_id: str, name: str) -> tuple[SoughtAccount, list[str]]:
    """The account the edit modal is prefilled with, and the ids of its linked channels (newest first)."""
    with runtime.db.reading() as session:
        sought = _sought(session, team_id, name)
        if sought.account is None:
            return sought, []
        links = account_channels(session, team_id, [sought.account.id]).get(sought.account.id, [])
        return sought, [link.channel_id for link in links]


def link_named_channel(runtime: Runtime, team_id: str, name: str, channel_id: str, by: str | None,
                       channel_name: str | None) -> tuple[SoughtAccount, list[str]]:
    """Link the channel to the account named `name` (link_channel); the names of the accounts it was taken
    from. Nothing is written when no account has that name."""
    with runtime.db.session() as session:
        sought = _sought(session, team_id, name)
        if sought.account is None:
            return sought, []
        return sought, link_channel(session, sought.account, channel_id, runtime.now(), by=by, name=channel_name)


def save_account(runtime: Runtime, team_id: str, account_id: int | None, data: AccountCreate, by: str | None,
                 enterprise_id: str | None) -> str:
    """The account modal's save: create the account (`account_id` None) or update it; its name."""
    with runtime.db.session() as session:
        if account_id is None:
            return create_account(session, team_id, data, by, runtime.now(), enterprise_id).name
        return update_account(session, team_id, account_id, data, runtime.now(), by).name


def account_choices(runtime: Runtime, team_id: str, query: str) -> list[Account]:
    """The account picker's type-ahead: search_accounts."""
    with runtime.db.reading() as session:
        return search_accounts(session, team_id, query)


def ranked_accounts(runtime: Runtime, team_id: str, owner_user_id: str | None) -> list[Assessment]:
    """`/stakemap list`: the owner's accounts (everyone's with None), assessed today, ranked by risk."""
    with runtime.db.reading() as session:
        return ranked_by_risk(assess_accounts(session, team_id, runtime.today(), owner_user_id,
                                              cache=runtime.assessments))
