"""The leader's report (SPEC §7) as plain values: what blocks/ and app/render draw, what services compute.

ARR is kept per currency (`Money`); a workspace's exchange rates (LeaderSettings.rates) fold the
currencies they name into the reporting currency, and the report lists the rates it used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.core.assessment import Assessment, Coverage, Staleness
from app.core.domain import Risk, StakeholderType
from app.core.portfolio import main_reason, stale_count

HORIZON_DAYS = 90  # renewals within today + 90 days, inclusive
COMPARE_WEEKS = 4  # each headline's change is against this many weeks earlier
TOP_AT_RISK = 10

Money = dict[str, Decimal]  # currency → amount, every currency present (possibly 0)


# --- weeks ---------------------------------------------------------------------------------------


def iso_week(day: date) -> str:
    """"2026-W11": the ISO week a day belongs to."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(day: date) -> date:
    """The Monday of the day's ISO week."""
    return day - timedelta(days=day.weekday())


def weeks_back(today: date, count: int) -> list[date]:
    """The Mondays of the last `count` ISO weeks, oldest first, ending with this week's."""
    monday = week_start(today)
    return [monday - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def renews_within(renewal: date | None, today: date, days: int = HORIZON_DAYS) -> bool:
    """Renewal from today to today + `days`, both included (day 90 in, day 91 out)."""
    return renewal is not None and 0 <= (renewal - today).days <= days


# --- money in several currencies -----------------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    """Exchange rates into one reporting currency; `used` names only the ones this report needed."""

    currency: str | None = None
    to_reporting: Mapping[str, Decimal] = field(default_factory=dict)

    def converts(self, currency: str) -> bool:
        return self.currency is not None and (currency == self.currency or currency in self.to_reporting)

    def convert(self, money: Money) -> Money:
        """Convertible currencies summed into the reporting currency; the others kept as they are."""
        out: Money = {}
        for currency, amount in money.items():
            if self.converts(currency):
                rate = Decimal(1) if currency == self.currency else Decimal(self.to_reporting[currency])
                add(out, self.currency, amount * rate)
            else:
                add(out, currency, amount)
        return {currency: amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
                for currency, amount in sorted(out.items()) if amount}

    def used(self, currencies: Iterable[str]) -> list[tuple[str, Decimal]]:
        """The rates applied to these currencies: [("USD", 0.92)] (the reporting currency itself is not a rate)."""
        return sorted((c, Decimal(self.to_reporting[c])) for c in set(currencies)
                      if c != self.currency and self.converts(c))


def add(money: Money, currency: str, amount: Decimal | None) -> None:
    money[currency] = money.get(currency, Decimal(0)) + (amount or Decimal(0))


def minus(now: Money, then: Money) -> Money:
    return {c: now.get(c, Decimal(0)) - then.get(c, Decimal(0)) for c in sorted(set(now) | set(then))}


def percent(part: Money, whole: Money) -> dict[str, Decimal]:
    """Per currency, `part` as a whole-number-ish percent of `whole` (currencies with no whole left out)."""
    return {c: (part.get(c, Decimal(0)) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
            for c, total in sorted(whole.items()) if total}


# --- one account's figures: all the report and the snapshots read of its assessment ---------------

COVERAGE_WORDS = {Coverage.COVERED: "covered", Coverage.GAP: "gap", Coverage.MISSING: "missing"}
DIMENSION_COLUMNS = {  # Dimension.key → column (of CoverageSnapshot and AccountFigures)
    StakeholderType.CHAMPION.value: "champion",
    StakeholderType.ECONOMIC_BUYER.value: "economic_buyer",
    StakeholderType.DECISION_MAKER.value: "decision_maker",
    StakeholderType.EXECUTIVE_SPONSOR.value: "executive_sponsor",
    "breadth": "breadth",
    "depth": "depth",
    "detractors": "detractors",
}


@dataclass(frozen=True)
class Judged:
    """What an account's assessment says, as far as the leader's figures go (`judged`); kept per account and
    day (AccountFigures) so that a report need not assess every account again."""

    overall_risk: Risk
    coverage: Mapping[str, str | None]  # DIMENSION_COLUMNS' columns → COVERAGE_WORDS' words (None: not on the map)
    single_threaded: bool
    engaged: int
    active: int
    stale: int
    overdue: int  # active relationships overdue
    main_reason: str


def is_single_threaded(assessment: Assessment) -> bool:
    """At most one engaged contact: the seed's "Only 1 active contact" factor (none at all counts too)."""
    return len(assessment.engaged) <= 1


def judged(assessment: Assessment) -> Judged:
    coverage: dict[str, str | None] = {column: None for column in DIMENSION_COLUMNS.values()}
    for dimension in assessment.dimensions:
        if dimension.key in DIMENSION_COLUMNS:
            coverage[DIMENSION_COLUMNS[dimension.key]] = COVERAGE_WORDS[dimension.coverage]
    return Judged(
        overall_risk=assessment.overall_risk, coverage=coverage, single_threaded=is_single_threaded(assessment),
        engaged=len(assessment.engaged), active=len(assessment.active), stale=stale_count(assessment),
        overdue=sum(1 for state in assessment.active if state.staleness == Staleness.OVERDUE),
        main_reason=main_reason(assessment),
    )


@dataclass(frozen=True)
class AccountFigure:
    """One account (its own columns the report reads) with its judged figures."""

    account_id: int
    name: str
    owner_user_id: str | None
    currency: str
    arr_amount: Decimal | None
    renewal_date: date | None
    judged: Judged

    @property
    def overall_risk(self) -> Risk:
        return self.judged.overall_risk

    def covered(self, kind: StakeholderType) -> bool:
        return self.judged.coverage[DIMENSION_COLUMNS[kind.value]] == COVERAGE_WORDS[Coverage.COVERED]


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """One of the 90-day renewal figures, now and 4 weeks earlier (None: no snapshot of that week)."""

    key: str  # "renewing", "single_threaded", "no_economic_buyer", "no_executive_sponsor"
    label: str
    now: Money
    then: Money | None
    share: dict[str, Decimal]  # % of the renewing ARR, per currency (empty for the total itself)
    share_then: dict[str, Decimal] | None = None

    @property
    def change(self) -> Money | None:
        return None if self.then is None else minus(self.now, self.then)


@dataclass(frozen=True)
class RiskRow:
    risk: Risk
    accounts: int
    arr: Money


@dataclass(frozen=True)
class CsmRow:
    user_id: str | None  # None: accounts without an owner
    accounts: int
    arr: Money
    high_risk_arr: Money
    overdue: int  # overdue relationships on their accounts
    touches_7: int  # touches they logged that happened in the last 7 days
    touches_30: int


@dataclass(frozen=True)
class RenewalAtRisk:
    account_id: int
    name: str
    owner_user_id: str | None
    renewal_date: date
    arr: Money  # the account's ARR (converted when a rate applies)
    risk: Risk
    reason: str  # app.services.portfolio.main_reason


@dataclass(frozen=True)
class TrendPoint:
    """One ISO week from the snapshots; `taken` False when no snapshot exists for that week (a gap)."""

    week: str
    monday: date
    taken: bool
    accounts: int = 0
    engaged: int = 0
    renewing: Money = field(default_factory=dict)
    single_threaded: Money = field(default_factory=dict)
    high_risk: Money = field(default_factory=dict)

    @property
    def single_threaded_percent(self) -> dict[str, Decimal]:
        return percent(self.single_threaded, self.renewing)

    @property
    def engaged_per_account(self) -> Decimal | None:
        if not self.accounts:
            return None
        return (Decimal(self.engaged) / self.accounts).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Report:
    team_id: str
    owner_user_id: str | None  # None: the whole workspace
    today: date
    week: str
    compared_week: str  # COMPARE_WEEKS earlier
    rates: Rates
    rates_used: list[tuple[str, Decimal]]
    accounts: int
    headlines: list[Headline]  # renewing first
    by_risk: list[RiskRow]  # high first
    csms: list[CsmRow]
    at_risk: list[RenewalAtRisk]  # the largest renewals at risk within the horizon
    trend: list[TrendPoint]  # oldest week first

    @property
    def horizon_end(self) -> date:
        return self.today + timedelta(days=HORIZON_DAYS)

    def headline(self, key: str) -> Headline:
        return next(h for h in self.headlines if h.key == key)


# --- wording shared by every surface (Slack blocks, terminal, chart) ------------------------------


def money_text(money: Money) -> str:
    """"EUR 120,000 + USD 40,000"; "0" when there is none."""
    parts = [f"{currency} {amount:,.0f}" for currency, amount in sorted(money.items()) if amount]
    return " + ".join(parts) or "0"


def signed_money(money: Money) -> str:
    parts = [f"{'+' if amount > 0 else '−'}{currency} {abs(amount):,.0f}"
             for currency, amount in sorted(money.items()) if amount]
    return " ".join(parts) or "±0"


def percent_text(share: dict[str, Decimal]) -> str:
    if len(share) == 1:
        return f"{next(iter(share.values()))}%"
    return ", ".join(f"{value}% of {currency}" for currency, value in share.items()) or "–"


def change_text(headline: Headline) -> str:
    """"+EUR 40,000 (25.0% → 40.0%) vs 2026-W07", or why there is nothing to compare with."""
    if headline.change is None:
        return "no snapshot 4 weeks ago"
    text = signed_money(headline.change)
    if headline.share_then is not None:
        text += f" ({percent_text(headline.share_then)} → {percent_text(headline.share)})"
    return text


def rates_text(report: Report) -> str:
    if not report.rates_used:
        if report.rates.currency:
            return f"Reporting currency {report.rates.currency}; no exchange rate was needed."
        return "ARR is summed per currency (no exchange rates set)."
    rates = ", ".join(f"1 {currency} = {rate} {report.rates.currency}" for currency, rate in report.rates_used)
    return f"Exchange rates used: {rates}."


def accounts_text(count: int) -> str:
    return f"{count} account{'' if count == 1 else 's'}"
