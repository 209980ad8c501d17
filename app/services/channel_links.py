"""Channels linked to accounts (`/stakemap link Acme`, `/stakemap unlink`): several channels per account,
one account per channel. `/stakemap` alone in a linked channel shows its account; capture reads the
customer's messages in them; coverage changes go to the newest one.

Every change here also drops the process's capture cache (app/services/capture_cache.py), which keeps
channel → account in memory so a message event costs no look-up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from app.core.models import Account, AccountChannel
from app.platform.runtime import Runtime
from app.services.capture_cache import CAPTURE_CACHE


def linked_account(session: Session, team_id: str, channel_id: str | None) -> Account | None:
    """The account linked to this channel (a channel has at most one)."""
    if not channel_id:
        return None
    query = (select(Account).join(AccountChannel, AccountChannel.account_id == Account.id)
             .where(AccountChannel.team_id == team_id, AccountChannel.channel_id == channel_id))
    return session.scalar(query)


def link_channel(session: Session, account: Account, channel_id: str, now: datetime, *, by: str | None = None,
                 name: str | None = None) -> list[str]:
    """Link the channel to the account; a channel belongs to one account, so linking it again moves it.
    Returns the names of the accounts it was taken from (none, or one)."""
    link = session.get(AccountChannel, (account.team_id, channel_id))
    moved: list[str] = []
    if link is None:
        link = AccountChannel(team_id=account.team_id, channel_id=channel_id, account_id=account.id, linked_at=now)
        session.add(link)
    elif link.account_id != account.id:
        previous = session.get(Account, link.account_id)
        if previous is not None:
            moved.append(previous.name)
            previous.updated_at = now
        link.account_id, link.linked_at, link.backfilled_at, link.last_customer_message_at = account.id, now, None, None
    link.linked_by = by or link.linked_by
    link.name = name or link.name
    account.updated_at = now  # the map lists its channels (the session bumps its version)
    CAPTURE_CACHE.forget_channel(account.team_id, channel_id)
    CAPTURE_CACHE.forget_account(account.team_id, account.id)
    return moved


def unlink_channel(runtime: Runtime, team_id: str, channel_id: str) -> str | None:
    """Unlink the channel; the name of the account it was linked to (None: it was not linked)."""
    with runtime.db.session() as session:
        account = linked_account(session, team_id, channel_id)
        if account is None:
            return None
        session.execute(delete(AccountChannel).where(AccountChannel.team_id == team_id,
                                                     AccountChannel.channel_id == channel_id))
        account.updated_at = runtime.now()  # the map lists its channels (the session bumps its version)
        CAPTURE_CACHE.forget_channel(team_id, channel_id)
        return account.name


def linked_account_name(runtime: Runtime, team_id: str, channel_id: str | None) -> str | None:
    """The name of the account linked to the channel (`/stakemap` alone there shows it)."""
    with runtime.db.reading() as session:
        account = linked_account(session, team_id, channel_id)
        return account.name if account is not None else None


def account_channels(session: Session, team_id: str, account_ids: list[int]) -> dict[int, list[AccountChannel]]:
    """Each account's linked channels, the newest link first."""
    if not account_ids:
        return {}
    query = (select(AccountChannel).where(AccountChannel.team_id == team_id, AccountChannel.account_id.in_(account_ids))
             .order_by(AccountChannel.linked_at.desc(), AccountChannel.channel_id))
    found: dict[int, list[AccountChannel]] = defaultdict(list)
    for link in session.scalars(query):
        found[link.account_id].append(link)
    return dict(found)


def newest_channel(session: Session, team_id: str, account_id: int) -> str | None:
    """Where the account's coverage changes go: its most recently linked channel."""
    links = account_channels(session, team_id, [account_id]).get(account_id, [])
    return links[0].channel_id if links else None
