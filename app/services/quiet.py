"""Going dark: per linked channel, the customer's last message and whether the channel went quiet after
being active (the rule is app.core.presence.quiet_days). Read from AccountChannel and ChannelActivity,
which capture fills; three statements for any number of accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from app.core.models import Account, AccountChannel, ChannelActivity
from app.core.presence import QUIET_AFTER_DAYS, ChannelPulse, QuietAccount, quiet_days, window_start


@dataclass(frozen=True)
class _Link:
    account_id: int
    channel_id: str
    last_message_on: date | None
    messages_before: int  # customer messages in the 30 days up to the last one (counted only when it may be quiet)


def channel_pulses(session: Session, team_id: str, account_id: int, today: date) -> tuple[ChannelPulse, ...]:
    """The account's linked channels, in the order they were linked, as the map shows them."""
    return tuple(_pulse(link, today) for link in _links(session, team_id, [account_id], today))


def quiet_by_owner(session: Session, team_id: str, today_of: Mapping[str, date]) -> dict[str, tuple[QuietAccount, ...]]:
    """Each owner's accounts with a linked channel gone dark, judged on the owner's own date, longest quiet first."""
    if not today_of:
        return {}
    accounts = session.execute(
        select(Account.id, Account.name, Account.owner_user_id)
        .where(Account.team_id == team_id, Account.owner_user_id.in_(list(today_of)))
    ).all()
    by_id = {row.id: row for row in accounts}
    found: dict[str, list[QuietAccount]] = defaultdict(list)
    for link in _links(session, team_id, list(by_id), max(today_of.values())):
        account = by_id[link.account_id]
        days = _pulse(link, today_of[account.owner_user_id]).quiet_days
        if days is not None:
            found[account.owner_user_id].append(QuietAccount(account.id, account.name, link.channel_id, days))
    return {owner: tuple(sorted(items, key=lambda q: (-q.quiet_days, q.account_name.casefold(), q.channel_id)))
            for owner, items in found.items()}


def _pulse(link: _Link, today: date) -> ChannelPulse:
    return ChannelPulse(link.channel_id, link.last_message_on, quiet_days(link.last_message_on, link.messages_before, today))


def _links(session: Session, team_id: str, account_ids: list[int], latest_today: date) -> list[_Link]:
    """The accounts' linked channels with their last customer message and, for those quiet long enough by
    `latest_today` to be dark, the messages of the 30 days up to it."""
    if not account_ids:
        return []
    links = session.execute(
        select(AccountChannel.account_id, AccountChannel.channel_id, AccountChannel.last_customer_message_at)
        .where(AccountChannel.team_id == team_id, AccountChannel.account_id.in_(account_ids))
        .order_by(AccountChannel.account_id, AccountChannel.linked_at, AccountChannel.channel_id)
    ).all()
    if not links:
        return []
    channels = [link.channel_id for link in links]
    last_days = dict(session.execute(
        select(ChannelActivity.channel_id, func.max(ChannelActivity.day))
        .where(ChannelActivity.team_id == team_id, ChannelActivity.channel_id.in_(channels))
        .group_by(ChannelActivity.channel_id)
    ).all())
    last_on = {link.channel_id: _latest(last_days.get(link.channel_id), link.last_customer_message_at)
               for link in links}
    cut_off = latest_today - timedelta(days=QUIET_AFTER_DAYS)
    candidates = {channel: day for channel, day in last_on.items() if day is not None and day <= cut_off}
    before = _window_messages(session, team_id, candidates)
    return [_Link(link.account_id, link.channel_id, last_on[link.channel_id], before.get(link.channel_id, 0))
            for link in links]


def _latest(activity_day: date | None, last_message_at) -> date | None:
    days = [day for day in (activity_day, last_message_at.date() if last_message_at else None) if day is not None]
    return max(days) if days else None


def _window_messages(session: Session, team_id: str, last_on: Mapping[str, date]) -> dict[str, int]:
    """Per channel, its customer messages in the 30 days up to its last one."""
    if not last_on:
        return {}
    windows = [and_(ChannelActivity.channel_id == channel, ChannelActivity.day.between(window_start(day), day))
               for channel, day in last_on.items()]
    rows = session.execute(
        select(ChannelActivity.channel_id, func.sum(ChannelActivity.messages))
        .where(ChannelActivity.team_id == team_id, or_(*windows))
        .group_by(ChannelActivity.channel_id)
    ).all()
    return {channel: int(total or 0) for channel, total in rows}
