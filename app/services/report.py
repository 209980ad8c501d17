"""The leader's report (SPEC §7): ARR renewing in the next 90 days and its coverage, now and 4 weeks ago;
accounts and ARR by risk; a table per CSM; the largest renewals at risk; the weekly trend.

A fixed number of statements whatever the portfolio's size: the live figures are each account's figures of
today (app.services.figures: stored where they still hold, the other accounts assessed in bulk), the past ones
from the weekly snapshots, aggregated per week and currency in the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Integer, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlmodel import Session

from app.core.domain import Risk, StakeholderType
from app.core.models import CoverageSnapshot, Touch, Workspace
from app.core.report import (
    COMPARE_WEEKS,
    HORIZON_DAYS,
    TOP_AT_RISK,
    AccountFigure,
    CsmRow,
    Headline,
    Money,
    Rates,
    RenewalAtRisk,
    Report,
    RiskRow,
    TrendPoint,
    add,
    iso_week,
    percent,
    renews_within,
    weeks_back,
)
from app.core.workspace_settings import LeaderSettings, settings_of
from app.platform.runtime import Runtime
from app.services.figures import account_figures
from app.services.portfolio import cycle_collection_paused
from app.services.workspaces import ensure_workspace

HEADLINES = (
    ("renewing", "ARR renewing in the next 90 days"),
    ("single_threaded", "Single-threaded"),
    ("no_economic_buyer", "Without an engaged economic buyer"),
    ("no_executive_sponsor", "Without an engaged executive sponsor"),
)
TREND_WEEKS = 12


class days_between(FunctionElement):  # noqa: N801 (an SQL function)
    """Whole days from the first date to the second, on SQLite and PostgreSQL."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"CAST(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}) AS INTEGER)"


def rates_of(workspace: Workspace | None) -> Rates:
    leader = settings_of(workspace).leader
    return Rates(leader.currency, dict(leader.rates))


# --- which accounts count for which headline -------------------------------------------------------


def headline_flags(figure: AccountFigure) -> dict[str, bool]:
    """For one account renewing within the horizon: which headline figures its ARR counts in."""
    return {
        "renewing": True,
        "single_threaded": figure.judged.single_threaded,
        "no_economic_buyer": not figure.covered(StakeholderType.ECONOMIC_BUYER),
        "no_executive_sponsor": not figure.covered(StakeholderType.EXECUTIVE_SPONSOR),
    }


# --- the report ----------------------------------------------------------------------------------


def build_report(session: Session, team_id: str, today: date, owner_user_id: str | None = None,
                 weeks: int = TREND_WEEKS) -> Report:
    """The report for a workspace, or one CSM's book (their accounts, their touches).

    Its "now" figures are today's, not this week's snapshot's: a snapshot is taken once a week (up to six days
    old) and would miss every touch, contact and plan change since; each account's figures of today are
    stored only while they hold (app.services.figures)."""
    with cycle_collection_paused:  # while accounts are assessed in bulk
        return _build_report(session, team_id, today, owner_user_id, weeks)


def _build_report(session: Session, team_id: str, today: date, owner_user_id: str | None, weeks: int) -> Report:
    workspace = session.get(Workspace, team_id)  # held: the figures read it again from the session, not the database
    rates = rates_of(workspace)
    accounts_now = account_figures(session, team_id, today, owner_user_id)
    mondays = weeks_back(today, max(weeks, COMPARE_WEEKS + 1))
    past = _trend(session, team_id, mondays, owner_user_id, rates)
    compared = past[-1 - COMPARE_WEEKS]
    now = _live_headlines(accounts_now, today, rates)
    headlines = []
    for key, label in HEADLINES:
        then = compared.figures.get(key) if compared.point.taken else None
        share = {} if key == "renewing" else percent(now[key], now["renewing"])
        share_then = None
        if then is not None and key != "renewing":
            share_then = percent(then, compared.figures["renewing"])
        headlines.append(Headline(key, label, now[key], then, share, share_then))
    currencies = {a.currency for a in accounts_now}
    return Report(
        team_id=team_id, owner_user_id=owner_user_id, today=today, week=iso_week(today),
        compared_week=compared.point.week, rates=rates, rates_used=rates.used(currencies),
        accounts=len(accounts_now), headlines=headlines, by_risk=_by_risk(accounts_now, rates),
        csms=_csms(session, team_id, today, owner_user_id, accounts_now, rates),
        at_risk=_at_risk(accounts_now, today, rates), trend=[p.point for p in past[-weeks:]],
    )


def _arr(figure: AccountFigure) -> Money:
    return {figure.currency: figure.arr_amount or Decimal(0)}


def _sum(accounts_now: Sequence[AccountFigure], rates: Rates) -> Money:
    total: Money = {}
    for account in accounts_now:
        add(total, account.currency, account.arr_amount)
    return rates.convert(total)


def _live_headlines(accounts_now: Sequence[AccountFigure], today: date, rates: Rates) -> dict[str, Money]:
    figures: dict[str, list[AccountFigure]] = {key: [] for key, _ in HEADLINES}
    for account in accounts_now:
        if renews_within(account.renewal_date, today):
            for key, counts in headline_flags(account).items():
                if counts:
                    figures[key].append(account)
    return {key: _sum(found, rates) for key, found in figures.items()}


def _by_risk(accounts_now: Sequence[AccountFigure], rates: Rates) -> list[RiskRow]:
    return [RiskRow(risk, len(found), _sum(found, rates))
            for risk in sorted(Risk, reverse=True)
            for found in [[a for a in accounts_now if a.overall_risk == risk]]]


def _csms(session: Session, team_id: str, today: date, owner_user_id: str | None,
          accounts_now: Sequence[AccountFigure], rates: Rates) -> list[CsmRow]:
    books: dict[str | None, list[AccountFigure]] = defaultdict(list)
    for account in accounts_now:
        books[account.owner_user_id].append(account)
    touches = _touches_by_user(session, team_id, today, owner_user_id)
    people = set(books) | set(touches) | ({owner_user_id} if owner_user_id else set())
    rows = []
    for user in people:
        book = books.get(user, [])
        recent = touches.get(user, (0, 0))
        rows.append(CsmRow(
            user_id=user, accounts=len(book), arr=_sum(book, rates),
            high_risk_arr=_sum([a for a in book if a.overall_risk == Risk.HIGH], rates),
            overdue=sum(a.judged.overdue for a in book), touches_7=recent[0], touches_30=recent[1],
        ))
    return sorted(rows, key=lambda r: (r.user_id is None, -r.accounts, r.user_id or ""))


def _touches_by_user(session: Session, team_id: str, today: date, owner_user_id: str | None) -> dict[str, tuple[int, int]]:
    """Per user who logged them: touches that happened in the last 7 and in the last 30 days (one statement)."""
    week_ago, month_ago = today - timedelta(days=6), today - timedelta(days=29)
    query = (
        select(Touch.logged_by, func.sum(case((Touch.occurred_on >= week_ago, 1), else_=0)), func.count())
        .where(Touch.team_id == team_id, Touch.occurred_on >= month_ago, Touch.occurred_on <= today,
               Touch.logged_by.is_not(None))
        .group_by(Touch.logged_by)
    )
    if owner_user_id is not None:
        query = query.where(Touch.logged_by == owner_user_id)
    return {user: (int(last_week or 0), int(last_month)) for user, last_week, last_month in session.execute(query)}


def _at_risk(accounts_now: Sequence[AccountFigure], today: date, rates: Rates) -> list[RenewalAtRisk]:
    """The largest renewals within the horizon whose overall risk is high or medium, biggest ARR first."""
    found = [
        RenewalAtRisk(a.account_id, a.name, a.owner_user_id, a.renewal_date,
                      rates.convert(_arr(a)), a.overall_risk, a.judged.main_reason)
        for a in accounts_now
        if renews_within(a.renewal_date, today) and a.overall_risk > Risk.LOW
    ]
    found.sort(key=lambda r: (-max(r.arr.values(), default=Decimal(0)), -r.risk, r.renewal_date, r.name.casefold()))
    return found[:TOP_AT_RISK]


# --- the past, from the snapshots ----------------------------------------------------------------


class _Week:
    def __init__(self, point: TrendPoint, figures: dict[str, Money]):
        self.point = point
        self.figures = figures


def _trend(session: Session, team_id: str, mondays: Sequence[date], owner_user_id: str | None,
           rates: Rates) -> list[_Week]:
    """Each week's totals from its snapshots, aggregated per week and currency in one statement."""
    S = CoverageSnapshot
    within = (days_between(S.taken_on, S.renewal_date) >= 0) & (days_between(S.taken_on, S.renewal_date) <= HORIZON_DAYS)
    arr = func.coalesce(S.arr_amount, 0)

    def arr_where(condition):
        return func.sum(case((condition, arr), else_=0))

    query = (
        select(S.iso_week, S.currency, func.count(), func.sum(S.engaged),
               arr_where(within), arr_where(within & S.single_threaded),
               arr_where(within & (func.coalesce(S.economic_buyer, "") != "covered")),
               arr_where(within & (func.coalesce(S.executive_sponsor, "") != "covered")),
               arr_where(S.overall_risk == int(Risk.HIGH)))
        .where(S.team_id == team_id, S.iso_week.in_([iso_week(m) for m in mondays]))
        .group_by(S.iso_week, S.currency)
    )
    if owner_user_id is not None:
        query = query.where(S.owner_user_id == owner_user_id)
    totals: dict[str, dict] = {}
    for week, currency, accounts, engaged, *sums in session.execute(query):
        entry = totals.setdefault(week, {"accounts": 0, "engaged": 0, "figures": {k: {} for k, _ in HEADLINES},
                                         "high": {}})
        entry["accounts"] += accounts
        entry["engaged"] += int(engaged or 0)
        for (key, _), amount in zip(HEADLINES, sums[:4], strict=True):
            add(entry["figures"][key], currency, Decimal(amount or 0))
        add(entry["high"], currency, Decimal(sums[4] or 0))
    weeks = []
    for monday in mondays:
        week = iso_week(monday)
        entry = totals.get(week)
        if entry is None:
            weeks.append(_Week(TrendPoint(week, monday, taken=False), {}))
            continue
        figures = {key: rates.convert(money) for key, money in entry["figures"].items()}
        point = TrendPoint(week, monday, True, entry["accounts"], entry["engaged"], figures["renewing"],
                           figures["single_threaded"], rates.convert(entry["high"]))
        weeks.append(_Week(point, figures))
    return weeks


# --- the leader settings ---------------------------------------------------------------------------


def save_leader_settings(session: Session, team_id: str, now, **changes) -> LeaderSettings:
    """Change some of the workspace's leader settings (digest channel and time, leads, rates); returns them."""
    workspace = session.get(Workspace, team_id, with_for_update=True) or ensure_workspace(session, team_id, now)
    current = settings_of(workspace).leader
    updated = LeaderSettings.model_validate({**current.model_dump(), **changes})
    workspace.config = {**(workspace.config or {}), "leader": updated.model_dump(mode="json")}
    return updated


def leader_settings(session: Session, team_id: str) -> LeaderSettings:
    return settings_of(session.get(Workspace, team_id)).leader


def report_now(runtime: Runtime, team_id: str, owner_user_id: str | None = None) -> Report:
    """build_report for today, in a read of its own."""
    with runtime.db.reading() as session:
        return build_report(session, team_id, runtime.today(), owner_user_id)


def change_leader_settings(runtime: Runtime, team_id: str, **changes) -> LeaderSettings:
    """save_leader_settings, committed."""
    with runtime.db.session() as session:
        return save_leader_settings(session, team_id, runtime.now(), **changes)
