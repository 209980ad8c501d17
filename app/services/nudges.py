"""Stale relationships per CSM, ranked (SPEC §2, §4): the one list the weekly digest and the App Home show,
and when each CSM gets their digest.

The database judges and ranks: one statement per local date (CSMs on the same date share it) applies
the assessment's own staleness rule — built from its cut-off functions (`due_before`, `overdue_before`,
`run_up_start`), so the two cannot drift — ranks each owner's stale relationships with a window
function, and returns only the first `shown` of each owner with the counts over all of them.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Boolean, Date, Integer, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from app.core.assessment import (
    RENEWAL_SENSITIVE,
    SNOOZE_DAYS,
    Staleness,
    Windows,
    days_since,
    due_before,
    overdue_before,
    staleness_window,
)
from app.core.clock import local_date, zone
from app.core.domain import (
    CADENCE_DAYS,
    RENEWAL_LOOKBACK_DAYS,
    TYPE_PROFILES,
    Cadence,
    ContactStatus,
    Priority,
    StakeholderType,
)
from app.core.models import Account, Contact, Touch, Workspace
from app.core.stale import StaleItem, StaleList
from app.core.workspace_settings import NudgeSchedule, windows_of

_PRIORITY_ORDER = {Priority.CRITICAL: 0, Priority.HIGH: 1}  # then the rest
# How late a digest may still go out (a restart or an outage around the send time). Later than this
# it would land next to the following week's: that week is skipped rather than sent twice in a row.
CATCH_UP = timedelta(hours=24)


def stale_relationships(session: Session, team_id: str, owner_user_id: str, today: date, shown: int) -> StaleList:
    """One CSM's stale relationships on their date `today`, ranked as everywhere (snoozed ones left out)."""
    return stale_by_owner(session, team_id, {owner_user_id: today}, shown)[owner_user_id]


def stale_by_owner(session: Session, team_id: str, today_of: Mapping[str, date], shown: int) -> dict[str, StaleList]:
    """Each owner's stale relationships, judged on the owner's own date: the first `shown`, and counts.

    The order (SPEC §4): overdue first; Critical types (champion, economic buyer), then High, then the
    rest; nearer renewals (none, or already past: last); bigger ARR; the type's own rank (champion before
    economic buyer); the longer silence; then the older account and contact, so the order is total.
    """
    found = {owner: StaleList(day) for owner, day in today_of.items()}
    if not today_of:
        return found
    windows = windows_of(session.get(Workspace, team_id))
    owners_on: dict[date, list[str]] = defaultdict(list)
    for owner, today in today_of.items():
        owners_on[today].append(owner)
    for today, owners in sorted(owners_on.items()):
        items: dict[str, list[StaleItem]] = defaultdict(list)
        for row in session.execute(_stale_statement(team_id, owners, today, windows, shown)):
            items[row.owner].append(_stale_item(row, windows, today))
            found[row.owner] = StaleList(today, tuple(items[row.owner]), row.total, row.overdue_total, row.accounts)
    return found


# --- the rule and the ranking, in SQL ---------------------------------------------------------------


def _stale_statement(team_id: str, owners: list[str], today: date, windows: Windows, shown: int):
    """ranked_stale_query; for one owner (the App Home, opened and refreshed all day long) built once per
    owner, day, windows and count and kept (a few dozen): building it took a twelfth of a busy server's time."""
    if len(owners) != 1:
        return ranked_stale_query(team_id, owners, today, windows, shown)
    return _one_owners_stale_statement(team_id, owners[0], today, tuple(sorted(windows.items())), shown)


@functools.lru_cache(maxsize=64)
def _one_owners_stale_statement(team_id: str, owner: str, today: date, windows: tuple, shown: int):
    return ranked_stale_query(team_id, [owner], today, dict(windows), shown)



def _date_function(name: str, doc: str, generic: Callable[[str], str], sqlite: Callable[[str], str]):
    """An SQL function of one value, typed Date: compiled as `generic(value)`, on SQLite as `sqlite(value)`."""
    function = type(name, (FunctionElement,), {"type": Date(), "inherit_cache": True, "name": name, "__doc__": doc})
    compiles(function)(lambda element, compiler, **kw: generic(compiler.process(element.clauses, **kw)))
    compiles(function, "sqlite")(lambda element, compiler, **kw: sqlite(compiler.process(element.clauses, **kw)))
    return function


day_of = _date_function("day_of", "The date of a timestamp, as Python's `datetime.date()` of the value read back.",
                        lambda value: f"CAST({value} AS DATE)", lambda value: f"date({value})")
run_up_start_of = _date_function(
    "run_up_start_of",
    "app.core.assessment.run_up_start in SQL: the renewal date minus RENEWAL_LOOKBACK_DAYS days.",
    lambda value: f"({value} - {int(RENEWAL_LOOKBACK_DAYS)})",
    lambda value: f"date({value}, '-{int(RENEWAL_LOOKBACK_DAYS)} days')")


def rules_table(today: date, windows: Windows):
    """Per stakeholder type, on `today`: its staleness cut-offs and its place in the ranking."""
    rows = [
        select(literal(kind.value, String).label("type"),
               literal(due_before(today, windows[kind]), Date).label("due_before"),
               literal(overdue_before(today, windows[kind]), Date).label("overdue_before"),
               literal(kind in RENEWAL_SENSITIVE, Boolean).label("renewal_sensitive"),
               literal(_PRIORITY_ORDER.get(profile.priority, 2), Integer).label("priority_order"),
               literal(profile.rank, Integer).label("type_rank"))
        for kind, profile in TYPE_PROFILES.items()
    ]
    return union_all(*rows).subquery("stale_rules")


def cadence_table(today: date):
    """Per cadence, on `today`: the staleness cut-offs of a contact whose accepted strategy has it (none for
    "none": silence alone never makes it stale). app.core.assessment.staleness_window, in SQL."""
    rows = [
        select(literal(value, String).label("cadence"),
               literal(due_before(today, days) if days is not None else None, Date).label("due_before"),
               literal(overdue_before(today, days) if days is not None else None, Date).label("overdue_before"))
        for value, days in CADENCE_DAYS.items()
    ]
    return union_all(*rows).subquery("cadence_rules")


def ranked_stale_query(team_id: str, owners: list[str], today: date, windows: Windows, shown: int):
    """The first `shown` stale relationships of each owner, ranked, each row with its owner's counts."""
    last_on = (select(func.max(Touch.occurred_on)).where(Touch.contact_id == Contact.id)
               .correlate(Contact).scalar_subquery())
    watched = (  # the owners' Active, not snoozed (app.core.assessment.is_snoozed) contacts, with their latest touch
        select(Contact.id, Contact.account_id, Contact.name, Contact.title, Contact.type,
               Account.owner_user_id.label("owner"), Account.name.label("account_name"), Account.renewal_date,
               Account.arr_amount, Account.currency, last_on.label("last_on"),
               Contact.strategy_approach, Contact.strategy_cadence,
               day_of(Contact.created_at).label("added_on"))
        .join(Account, Account.id == Contact.account_id)
        .where(Account.team_id == team_id, Account.owner_user_id.in_(owners), Contact.team_id == team_id,
               Contact.status == ContactStatus.ACTIVE,
               or_(Contact.snoozed_until.is_(None), Contact.snoozed_until <= today))
        .cte("watched").prefix_with("MATERIALIZED")  # each latest touch looked up once, not once per use
    )
    rules, cadences = rules_table(today, windows), cadence_table(today)
    w = watched.c
    last_seen = func.coalesce(w.last_on, w.added_on)
    by_cadence = w.strategy_cadence.is_not(None)  # an accepted cadence replaces the type's window
    due_cut = case((by_cadence, cadences.c.due_before), else_=rules.c.due_before)
    overdue_cut = case((by_cadence, cadences.c.overdue_before), else_=rules.c.overdue_before)
    missed_renewal = and_(rules.c.renewal_sensitive, w.renewal_date.is_not(None),  # app.core.assessment.missed_renewal_touch
                          run_up_start_of(w.renewal_date) <= today, today <= w.renewal_date,
                          or_(w.last_on.is_(None), w.last_on < run_up_start_of(w.renewal_date)))
    overdue = or_(last_seen < overdue_cut, missed_renewal)  # app.core.assessment.staleness
    judged = (
        select(w, last_seen.label("last_seen"), case((overdue, 1), else_=0).label("is_overdue"),
               rules.c.priority_order, rules.c.type_rank)
        .join(rules, rules.c.type == w.type)
        .outerjoin(cadences, cadences.c.cadence == w.strategy_cadence)
        .where(or_(overdue, last_seen < due_cut))
        .subquery("judged")
    )
    j = judged.c
    renewal_ahead = j.renewal_date >= today
    owner = {"partition_by": j.owner}
    urgency = [
        j.is_overdue.desc(), j.priority_order, case((renewal_ahead, 0), else_=1), case((renewal_ahead, j.renewal_date)),
        func.coalesce(j.arr_amount, 0).desc(), j.type_rank, j.last_seen, j.account_id, j.id,
    ]
    ranked = select(
        j, func.row_number().over(**owner, order_by=urgency).label("place"),
        func.count().over(**owner).label("total"), func.sum(j.is_overdue).over(**owner).label("overdue_total"),
        (func.dense_rank().over(**owner, order_by=j.account_id)
         + func.dense_rank().over(**owner, order_by=j.account_id.desc()) - 1).label("accounts"),
    ).subquery("ranked")
    return select(ranked).where(ranked.c.place <= shown).order_by(ranked.c.owner, ranked.c.place)


def _stale_item(row, windows: Windows, today: date) -> StaleItem:
    kind = StakeholderType(row.type)
    cadence = Cadence(row.strategy_cadence) if row.strategy_cadence else None
    return StaleItem(
        contact_id=row.id, account_id=row.account_id, account_name=row.account_name,
        contact_name=Contact.label_for(row.name, row.title), title=row.title if row.name else None, type=kind,
        staleness=Staleness.OVERDUE if row.is_overdue else Staleness.DUE,
        idle_days=days_since(row.last_on, row.last_seen, today), window_days=staleness_window(kind, cadence, windows),
        last_touch_on=row.last_on, renewal_date=row.renewal_date, arr_amount=row.arr_amount,
        currency=row.currency, promise=row.strategy_approach if cadence else None, cadence=cadence,
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
    return LocalWeek(week=f"{year}-W{week:02d}", today=local_date(now, tz_name), due_at=due_at, now=local)


