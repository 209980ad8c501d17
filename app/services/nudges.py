"""Stale relationships per CSM, ranked for the weekly digest (SPEC §2, §4), and when each CSM gets it.

A set-based read loads the owners' accounts, then every contact of them with its latest touch date:
three statements whatever the number of accounts, contacts or touches. The assessment's own
per-contact rules (`staleness`, `is_snoozed`) then decide what is stale. The App Home reads the
same list through `stale_relationships()`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlmodel import Session

from app.core.assessment import (
    SNOOZE_DAYS,
    Staleness,
    Windows,
    days_since,
    is_snoozed,
    staleness,
    staleness_window,
)
from app.core.domain import TYPE_PROFILES, Cadence, Priority, StakeholderType
from app.core.models import Account, Contact, Touch, Workspace
from app.core.workspace_settings import NudgeSchedule, windows_of

_PRIORITY_ORDER = {Priority.CRITICAL: 0, Priority.HIGH: 1}
# How late a digest may still go out (a restart or an outage around the send time). Later than this
# it would land next to the following week's: that week is skipped rather than sent twice in a row.
CATCH_UP = timedelta(hours=24)


@dataclass(frozen=True)
class StaleItem:
    """One stale relationship on a CSM's list."""

    contact_id: int
    account_id: int
    account_name: str
    contact_name: str  # display name: "Sarah Kim", "CTO (name unknown)"
    title: str | None  # a named contact's title (a placeholder's title is already in its name)
    type: StakeholderType
    staleness: Staleness
    idle_days: int
    window_days: int | None  # None: no fixed cadence (stale only by the renewal rule)
    last_touch_on: date | None  # None: never touched (stale since it was added)
    renewal_date: date | None
    arr_amount: Decimal | None
    currency: str
    promise: str | None = None  # the approach of the contact's own strategy, whose cadence was missed
    cadence: Cadence | None = None

    def rank(self, today: date) -> tuple:
        return (*urgency(self.staleness, self.type, self.renewal_date, self.arr_amount, self.idle_days, today),
                self.account_name.casefold(), self.contact_name.casefold(), self.contact_id)


def urgency(level: Staleness, kind: StakeholderType, renewal_date: date | None, arr_amount: Decimal | None,
            idle_days: int, today: date) -> tuple:
    """The order of stale relationships, in the digest and on the App Home: overdue first; Critical types
    (champion, economic buyer), then High, then the rest; nearer renewals (none, or already past: last);
    bigger ARR; then the type's own rank (champion before economic buyer) and the longer silence."""
    ahead = (renewal_date - today).days if renewal_date else -1
    profile = TYPE_PROFILES[kind]
    return (
        level != Staleness.OVERDUE,
        _PRIORITY_ORDER.get(profile.priority, 2),
        ahead if ahead >= 0 else float("inf"),
        -(arr_amount or 0),
        profile.rank,
        -idle_days,
    )


def stale_relationships(session: Session, team_id: str, owner_user_id: str, today: date) -> list[StaleItem]:
    """One CSM's stale relationships, ranked as in their weekly digest (snoozed ones left out)."""
    return stale_by_owner(session, team_id, {owner_user_id: today}).get(owner_user_id, [])


def stale_by_owner(session: Session, team_id: str, today_of: Mapping[str, date]) -> dict[str, list[StaleItem]]:
    """Each owner's ranked stale relationships, judged on the owner's own date; three statements in all."""
    if not today_of:
        return {}
    windows = windows_of(session.get(Workspace, team_id))
    owned = select(Account.id).where(Account.team_id == team_id, Account.owner_user_id.in_(list(today_of)))
    accounts = {row.id: row for row in session.execute(
        select(Account.id, Account.owner_user_id, Account.name, Account.renewal_date, Account.arr_amount,
               Account.currency).where(Account.id.in_(owned))
    )}
    found: dict[str, list[StaleItem]] = defaultdict(list)
    for row in session.execute(_contacts_with_last_touch(team_id, owned)):
        account = accounts[row.account_id]
        item = _stale_item(row, account, windows, today_of[account.owner_user_id])
        if item is not None:
            found[account.owner_user_id].append(item)
    return {owner: sorted(items, key=lambda i: i.rank(today_of[owner])) for owner, items in found.items()}


def _contacts_with_last_touch(team_id: str, account_ids):
    """The contacts of those accounts, each with its latest touch date (one index probe per contact)."""
    last_touch = (
        select(func.max(Touch.occurred_on)).where(Touch.contact_id == Contact.id).correlate(Contact).scalar_subquery()
    )
    return select(
        Contact.id, Contact.account_id, Contact.name, Contact.title, Contact.type, Contact.status, Contact.created_at,
        Contact.snoozed_until, Contact.strategy_approach, Contact.strategy_cadence, last_touch.label("last_on"),
    ).where(Contact.team_id == team_id, Contact.account_id.in_(account_ids))


def _stale_item(row, account, windows: Windows, today: date) -> StaleItem | None:
    if is_snoozed(row.snoozed_until, today):
        return None
    window = staleness_window(row.type, row.strategy_cadence, windows)
    added_on = row.created_at.date()
    level = staleness(row.type, row.status, row.last_on, added_on, today, window, account.renewal_date)
    if level == Staleness.FRESH:
        return None
    return StaleItem(
        contact_id=row.id, account_id=row.account_id, account_name=account.name,
        contact_name=Contact.label_for(row.name, row.title), title=row.title if row.name else None, type=row.type,
        staleness=level, idle_days=days_since(row.last_on, added_on, today), window_days=window,
        last_touch_on=row.last_on, renewal_date=account.renewal_date, arr_amount=account.arr_amount,
        currency=account.currency, promise=row.strategy_approach if row.strategy_cadence else None,
        cadence=row.strategy_cadence,
    )


# --- snooze ----------------------------------------------------------------------------------------


def snooze(contact: Contact, by: str | None, today: date, days: int = SNOOZE_DAYS) -> date:
    """Leave the contact out of the digests for `days` days; returns the day it comes back."""
    contact.snoozed_until = today + timedelta(days=days)
    contact.snoozed_by = by
    return contact.snoozed_until


# --- when: each CSM's week and send moment, in their own time zone ------------------------------------


@dataclass(frozen=True)
class LocalWeek:
    """A CSM's current ISO week and the moment their digest is due in it."""

    week: str  # "2026-W11": the ledger key
    today: date  # their local date: staleness is judged on it
    due_at: datetime  # the configured weekday and time, in their time zone
    now: datetime  # now, in their time zone

    @property
    def due(self) -> bool:
        """The send time has come, and not so long ago that the digest would be stale news."""
        return self.due_at <= self.now < self.due_at + CATCH_UP


def local_week(now: datetime, tz_name: str | None, schedule: NudgeSchedule) -> LocalWeek:
    """Where a CSM in `tz_name` (UTC when unknown) stands this week."""
    local = now.astimezone(zone(tz_name))
    year, week, weekday = local.isocalendar()
    day = local.date() + timedelta(days=schedule.weekday - (weekday - 1))
    due_at = datetime.combine(day, schedule.at, tzinfo=local.tzinfo)
    return LocalWeek(week=f"{year}-W{week:02d}", today=local.date(), due_at=due_at, now=local)


def zone(tz_name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
