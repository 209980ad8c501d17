"""The stakeholder assessment (SPEC §3, seed 000): pure functions, no I/O, no clock.

`assess()` turns one account's contacts, touches and open plan steps into an `Assessment` that every
surface renders: the Slack map, the terminal, the markdown export, the weekly nudges. The per-contact
rules (`staleness`, `is_engaged`) are public so the set-based nudge sweep applies the very same rules
to rows it reads in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from app.core.domain import (
    RENEWAL_LOOKBACK_DAYS,
    TYPE_PROFILES,
    Cadence,
    ContactStatus,
    Influence,
    Level,
    PlanTimeline,
    Quadrant,
    Relationship,
    Risk,
    Sentiment,
    StakeholderType,
    StrategyOrigin,
    TouchKind,
    quadrant_of,
)
from app.core.strategy import DEFAULT_TABLE, ProposalTable, Strategy, strategy_of

# --- inputs: anything shaped like the tables will do -------------------------------------------


class AccountLike(Protocol):
    name: str
    renewal_date: date | None


class ContactLike(Protocol):
    id: int | None
    name: str | None
    title: str | None
    type: StakeholderType
    department: str | None
    level: Level | None
    influence: Influence | None
    interest: Influence | None
    relationship: Relationship
    sentiment: Sentiment
    status: ContactStatus
    snoozed_until: date | None
    strategy_approach: str | None
    strategy_cadence: Cadence | None
    strategy_channel: TouchKind | None
    strategy_origin: StrategyOrigin | None
    # The roles held besides `type` (the map's Type column): a contact may be Economic Buyer and Decision Maker.
    also_types: tuple[StakeholderType, ...]
    # When the CRM archived or deleted the record this contact comes from (None: still there, or no CRM).
    crm_removed_at: datetime | None

    @property
    def display_name(self) -> str: ...

    @property
    def short_name(self) -> str: ...


class TouchLike(Protocol):
    contact_id: int
    occurred_on: date


class PlanStepLike(Protocol):
    contact_id: int | None
    target_role: str | None


Windows = Mapping[StakeholderType, int]
DEFAULT_WINDOWS: Windows = {kind: profile.window_days for kind, profile in TYPE_PROFILES.items()}


# --- per-contact rules ---------------------------------------------------------------------------


class Staleness(StrEnum):
    FRESH = "fresh"
    DUE = "due"  # past its window
    OVERDUE = "overdue"  # past 1.5 x its window, or a buyer untouched in the 90 days before renewal


RENEWAL_SENSITIVE = frozenset({StakeholderType.ECONOMIC_BUYER, StakeholderType.DECISION_MAKER})


def days_since(last_touch_on: date | None, added_on: date, today: date) -> int:
    """Days without a touch; a never-touched contact counts from the day it was added."""
    return (today - (last_touch_on or added_on)).days


# The staleness rule is stated as cut-off dates, so that the database applies it too (app/services/nudges.py
# builds its SQL from these very functions): a contact whose last touch — or, never touched, the day it
# was added — falls before `due_before` is past its window; before `overdue_before`, past 1.5x it.


def due_before(today: date, window_days: int) -> date:
    """Idle more than `window_days` days: last seen before this day."""
    return today - timedelta(days=window_days)


def overdue_before(today: date, window_days: int) -> date:
    """Idle more than 1.5 x `window_days` (idle * 2 > window * 3): last seen before this day."""
    return today - timedelta(days=window_days * 3 // 2)


def run_up_start(renewal_date: date) -> date:
    """The first day of the run-up to a renewal, in which its buyer must be touched."""
    return renewal_date - timedelta(days=RENEWAL_LOOKBACK_DAYS)


def missed_renewal_touch(
    kind: StakeholderType, last_touch_on: date | None, renewal_date: date | None, today: date
) -> bool:
    """An economic buyer / decision maker not touched since the 90-day run-up to the renewal began."""
    if kind not in RENEWAL_SENSITIVE or renewal_date is None:
        return False
    if not run_up_start(renewal_date) <= today <= renewal_date:
        return False
    return last_touch_on is None or last_touch_on < run_up_start(renewal_date)


def staleness_window(kind: StakeholderType, cadence: Cadence | None, windows: Windows = DEFAULT_WINDOWS) -> int | None:
    """The staleness window of a contact, in days: the cadence of its own (accepted or written) strategy,
    else its type's window (the workspace's, or the default). None: cadence "none", never stale from silence.

    Only a stored strategy has a cadence here: a proposal never changes the window until it is accepted.
    The nudge ranking, the map, the Home and the report all judge a contact through this one function.
    """
    if cadence is not None:
        return cadence.days
    return windows.get(kind, TYPE_PROFILES[kind].window_days)


def staleness(
    kind: StakeholderType,
    status: ContactStatus,
    last_touch_on: date | None,
    added_on: date,
    today: date,
    window_days: int | None,
    renewal_date: date | None,
) -> Staleness:
    """Only Active contacts go stale: due past the window, overdue past 1.5x it or before a renewal.

    Without a window (cadence "none") silence alone never makes a contact stale; the renewal rule for
    economic buyers and decision makers still does.
    """
    if status != ContactStatus.ACTIVE:
        return Staleness.FRESH
    if missed_renewal_touch(kind, last_touch_on, renewal_date, today):
        return Staleness.OVERDUE
    if window_days is None:
        return Staleness.FRESH
    last_seen = last_touch_on or added_on
    if last_seen < overdue_before(today, window_days):
        return Staleness.OVERDUE
    return Staleness.DUE if last_seen < due_before(today, window_days) else Staleness.FRESH


SNOOZE_DAYS = 14


def is_snoozed(snoozed_until: date | None, today: date) -> bool:
    """A snoozed contact is left out of the weekly digests until (not including) `snoozed_until`."""
    return snoozed_until is not None and today < snoozed_until


def is_engaged(status: ContactStatus, relationship: Relationship, stale: Staleness) -> bool:
    """Active, Strong or Adequate, and touched within its window."""
    return (
        status == ContactStatus.ACTIVE
        and relationship in (Relationship.STRONG, Relationship.ADEQUATE)
        and stale == Staleness.FRESH
    )


def roles_of(contact: ContactLike) -> frozenset[StakeholderType]:
    """Every stakeholder role the contact holds: its primary type and the extra ones. Coverage, risk factors
    and suggestions read roles only through here, so each role counts."""
    return frozenset((contact.type, *getattr(contact, "also_types", ())))


def type_text(contact: ContactLike) -> str:
    """The map's Type column: the primary type, then the others ("Economic Buyer (also Decision Maker)")."""
    also = [kind.label for kind in getattr(contact, "also_types", ()) if kind != contact.type]
    return f"{contact.type.label} (also {', '.join(also)})" if also else contact.type.label


def removed_in_crm(contact: ContactLike) -> bool:
    """The CRM archived or deleted this contact's record: the map flags it until the CSM decides."""
    return getattr(contact, "crm_removed_at", None) is not None


def holds(contact: ContactLike, kind: StakeholderType) -> bool:
    return kind in roles_of(contact)


def is_detractor(contact: ContactLike) -> bool:
    return contact.status == ContactStatus.ACTIVE and (
        holds(contact, StakeholderType.DETRACTOR) or contact.sentiment == Sentiment.DETRACTOR
    )


# --- outputs -------------------------------------------------------------------------------------


class Coverage(StrEnum):
    COVERED = "✓"
    GAP = "⚠"
    MISSING = "✗"


@dataclass(frozen=True)
class ContactState:
    contact: ContactLike
    last_touch: TouchLike | None
    idle_days: int
    window_days: int | None  # None: no fixed cadence (never stale from silence)
    staleness: Staleness
    engaged: bool
    snoozed_until: date | None = None  # set while the contact is snoozed out of the digests
    strategy: Strategy | None = None  # its own, or the proposal (assess() always sets it)
    quadrant: Quadrant | None = None  # influence × interest; None when not rated

    @property
    def missed_promise(self) -> Strategy | None:
        """The stored strategy whose cadence this stale contact missed (None for a type window)."""
        strategy = self.strategy
        if self.staleness == Staleness.FRESH or strategy is None or strategy.proposed:
            return None
        return strategy


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    coverage: Coverage
    status: str  # "Active (Tom)", "Gap (Sarah not engaged)", "Missing"
    risk: Risk
    risk_note: str  # "renewal decision at risk"; "" when nothing to add

    @property
    def status_text(self) -> str:
        return f"{self.coverage.value} {self.status}"

    @property
    def risk_text(self) -> str:
        return f"{self.risk.label} -- {self.risk_note}" if self.risk_note else self.risk.label


@dataclass(frozen=True)
class RiskFactor:
    key: str
    label: str
    risk: Risk
    rationale: str
    applies: bool


@dataclass(frozen=True)
class Suggestion:
    """A plan step the assessment proposes; `key` is stable so a button can accept it."""

    key: str
    target_label: str
    contact_id: int | None
    target_role: str | None
    path: str
    first_action: str
    timeline: PlanTimeline


@dataclass(frozen=True)
class Assessment:
    account: AccountLike
    today: date
    active: list[ContactState]
    not_engaged: list[ContactState]
    departed: list[ContactState]
    dimensions: list[Dimension]
    factors: list[RiskFactor]
    overall_risk: Risk
    single_thread_on: ContactLike | None
    single_thread_summary: str
    suggestions: list[Suggestion]
    plan_steps: list[PlanStepLike] = field(default_factory=list)

    @property
    def engaged(self) -> list[ContactState]:
        return [state for state in self.active if state.engaged]

    @property
    def applying_factors(self) -> list[RiskFactor]:
        return [factor for factor in self.factors if factor.applies]

    @property
    def gaps(self) -> list[Dimension]:
        return [dimension for dimension in self.dimensions if dimension.coverage != Coverage.COVERED]

    def state_of(self, contact_id: int) -> ContactState | None:
        for state in (*self.active, *self.not_engaged, *self.departed):
            if state.contact.id == contact_id:
                return state
        return None


# --- the assessment ------------------------------------------------------------------------------


def assess(
    account: AccountLike,
    contacts: Iterable[ContactLike],
    touches: Iterable[TouchLike],
    plan_steps: Iterable[PlanStepLike],
    today: date,
    windows: Windows = DEFAULT_WINDOWS,
    added_on: Mapping[int, date] | None = None,
    table: ProposalTable = DEFAULT_TABLE,
) -> Assessment:
    """Assess one account. `touches` may be all of them or only each contact's latest.

    `added_on` gives each contact's creation date (never-touched contacts go stale from it); when
    omitted it is read from `contact.created_at`. `table` proposes strategies (the workspace's).
    """
    latest = latest_touches(touches)
    states = [
        _state(contact, latest.get(contact.id), today, windows, account.renewal_date, added_on, table)
        for contact in contacts
    ]
    states.sort(key=_map_order)
    by_status = {status: [s for s in states if s.contact.status == status] for status in _STATUSES}
    steps = list(plan_steps)
    active = by_status[ContactStatus.ACTIVE]
    engaged = [state.contact for state in active if state.engaged]
    dimensions = _dimensions(states, engaged, steps, account.renewal_date, today)
    factors = _factors(engaged, active, steps)
    single = _single_thread_on(engaged, active)
    suggestions = _suggestions(states, engaged, steps, account.renewal_date, today)
    return Assessment(
        account=account,
        today=today,
        active=active,
        not_engaged=by_status[ContactStatus.NOT_ENGAGED],
        departed=by_status[ContactStatus.LEFT],
        dimensions=dimensions,
        factors=factors,
        overall_risk=overall_risk(factors),
        single_thread_on=single,
        single_thread_summary=_single_thread_summary(single, engaged, active, suggestions),
        suggestions=suggestions,
        plan_steps=steps,
    )


_STATUSES = tuple(ContactStatus)  # iterating the enum class itself is slow, and this runs per account


def latest_touches(touches: Iterable[TouchLike]) -> dict[int, TouchLike]:
    latest: dict[int, TouchLike] = {}
    for touch in touches:
        current = latest.get(touch.contact_id)
        if current is None or touch.occurred_on > current.occurred_on:
            latest[touch.contact_id] = touch
    return latest


def overall_risk(factors: Sequence[RiskFactor]) -> Risk:
    """The highest High/Medium factor that applies; Low when none does."""
    worst = [f.risk for f in factors if f.applies and f.risk > Risk.LOW]
    return max(worst, default=Risk.LOW)


def _state(contact, last_touch, today, windows, renewal_date, added_on, table) -> ContactState:
    window = staleness_window(contact.type, contact.strategy_cadence, windows)
    created = added_on[contact.id] if added_on and contact.id in added_on else contact.created_at.date()
    touched_on = last_touch.occurred_on if last_touch else None
    stale = staleness(contact.type, contact.status, touched_on, created, today, window, renewal_date)
    return ContactState(
        contact=contact,
        last_touch=last_touch,
        idle_days=days_since(touched_on, created, today),
        window_days=window,
        staleness=stale,
        engaged=is_engaged(contact.status, contact.relationship, stale),
        snoozed_until=contact.snoozed_until if is_snoozed(contact.snoozed_until, today) else None,
        strategy=strategy_of(contact, table),
        quadrant=quadrant_of(contact.influence, contact.interest),
    )


def _map_order(state: ContactState) -> tuple:
    contact = state.contact
    return (TYPE_PROFILES[contact.type].rank, contact.display_name.casefold(), contact.id or 0)


# --- coverage dimensions -------------------------------------------------------------------------


def _names(contacts: Iterable[ContactLike]) -> str:
    return ", ".join(contact.short_name for contact in contacts)


def _type_coverage(states: Sequence[ContactState], kind: StakeholderType) -> tuple[Coverage, str]:
    active = [s for s in states if holds(s.contact, kind) and s.contact.status == ContactStatus.ACTIVE]
    engaged = [s.contact for s in active if s.engaged]
    if engaged:
        return Coverage.COVERED, f"Active ({_names(engaged)})"
    if active:
        return Coverage.GAP, f"Gap ({_names(s.contact for s in active)} not engaged)"
    return Coverage.MISSING, "Missing"


def _dimensions(states, engaged, steps, renewal_date, today) -> list[Dimension]:
    dimensions = [
        _champion_dimension(states, engaged),
        _type_dimension(
            states,
            StakeholderType.ECONOMIC_BUYER,
            gap=(Risk.HIGH, "renewal decision at risk"),
            missing=(Risk.HIGH, "the renewal is decided by someone you do not reach"),
        ),
    ]
    if any(holds(s.contact, StakeholderType.DECISION_MAKER) for s in states):
        near = _renewal_within(renewal_date, today, RENEWAL_LOOKBACK_DAYS)
        risk = (Risk.HIGH, "a commercial conversation is near") if near else (Risk.MEDIUM, "engage before any commercial conversation")
        dimensions.append(_type_dimension(states, StakeholderType.DECISION_MAKER, gap=risk, missing=risk))
    no_air_cover = (Risk.MEDIUM, "no strategic air cover")
    dimensions.append(_type_dimension(states, StakeholderType.EXECUTIVE_SPONSOR, gap=no_air_cover, missing=no_air_cover))
    dimensions.append(_breadth_dimension(engaged))
    dimensions.append(_depth_dimension(engaged))
    detractors = [s.contact for s in states if is_detractor(s.contact)]
    if detractors:
        dimensions.append(_detractor_dimension(detractors, steps))
    return dimensions


def _type_dimension(states, kind: StakeholderType, *, gap, missing) -> Dimension:
    coverage, status = _type_coverage(states, kind)
    risk, note = {Coverage.COVERED: (Risk.LOW, ""), Coverage.GAP: gap, Coverage.MISSING: missing}[coverage]
    return Dimension(kind.value, kind.label, coverage, status, risk, note)


def _champion_dimension(states, engaged) -> Dimension:
    dimension = _type_dimension(
        states,
        StakeholderType.CHAMPION,
        gap=(Risk.HIGH, "your advocate is drifting"),
        missing=(Risk.HIGH, "no one goes to bat for you internally"),
    )
    strong = [c for c in engaged if c.relationship == Relationship.STRONG]
    if dimension.coverage == Coverage.COVERED and len(strong) == 1 and holds(strong[0], StakeholderType.CHAMPION):
        return Dimension(
            dimension.key, dimension.label, dimension.coverage, dimension.status, Risk.LOW,
            "but single-threaded to one champion",
        )
    return dimension


def departments(contacts: Iterable[ContactLike]) -> list[str]:
    """Distinct departments, compared without case, in first-seen spelling."""
    seen: dict[str, str] = {}
    for contact in contacts:
        if contact.department and contact.department.strip():
            seen.setdefault(contact.department.strip().casefold(), contact.department.strip())
    return list(seen.values())


def levels(contacts: Iterable[ContactLike]) -> list[Level]:
    return sorted({c.level for c in contacts if c.level}, key=lambda level: level.seniority)


def _breadth_dimension(engaged) -> Dimension:
    label = "Breadth (departments)"
    found = departments(engaged)
    if not engaged:
        return Dimension("breadth", label, Coverage.MISSING, "None (no engaged contacts)", Risk.MEDIUM, "no department is covered")
    if len(found) >= 2:
        return Dimension("breadth", label, Coverage.COVERED, f"Broad ({', '.join(found)})", Risk.LOW, "")
    if found:
        return Dimension(
            "breadth", label, Coverage.GAP, f"Narrow ({found[0]} only)", Risk.MEDIUM,
            f"a reorg in {found[0]} could sever the entire relationship",
        )
    return Dimension("breadth", label, Coverage.GAP, "Unknown (no departments recorded)", Risk.MEDIUM, "record departments to judge breadth")


def _depth_dimension(engaged) -> Dimension:
    label = "Depth (levels)"
    found = levels(engaged)
    if not engaged:
        return Dimension("depth", label, Coverage.MISSING, "None (no engaged contacts)", Risk.MEDIUM, "no level is covered")
    named = " + ".join(level.label for level in found)
    if Level.C_LEVEL in found:
        return Dimension("depth", label, Coverage.COVERED, f"Deep ({named})", Risk.LOW, "")
    status = f"Thin ({named}, no C-level)" if named else "Thin (no C-level)"
    return Dimension("depth", label, Coverage.GAP, status, Risk.MEDIUM, "no board-level awareness of value")


def _has_open_step(contact: ContactLike, steps: Iterable[PlanStepLike]) -> bool:
    return any(step.contact_id == contact.id for step in steps)


def _detractor_dimension(detractors, steps) -> Dimension:
    unmanaged = [c for c in detractors if not _has_open_step(c, steps)]
    if unmanaged:
        return Dimension(
            "detractors", "Detractors", Coverage.GAP, f"Unmanaged ({_names(unmanaged)})", Risk.MEDIUM,
            "unmanaged detractors become louder over time",
        )
    return Dimension("detractors", "Detractors", Coverage.COVERED, f"Managed ({_names(detractors)})", Risk.LOW, "")


# --- single-thread risk factors (seed 000's table) -------------------------------------------------


def _factors(engaged, active, steps) -> list[RiskFactor]:
    kinds = {kind for c in engaged for kind in roles_of(c)}
    found_departments = departments(engaged)
    unmanaged = [c for c in active if is_detractor(c.contact) and not _has_open_step(c.contact, steps)]
    return [
        RiskFactor(
            "one_contact",
            "Only 1 active contact" if engaged else "No active contact",
            Risk.HIGH,
            "Any disruption to that person strands the relationship",
            len(engaged) <= 1,
        ),
        RiskFactor(
            "no_economic_buyer",
            "No economic buyer engaged",
            Risk.HIGH,
            "Renewal will be decided without your input",
            StakeholderType.ECONOMIC_BUYER not in kinds,
        ),
        RiskFactor(
            "no_executive_sponsor",
            "No executive sponsor",
            Risk.MEDIUM,
            "Investment lacks strategic protection",
            StakeholderType.EXECUTIVE_SPONSOR not in kinds,
        ),
        RiskFactor(
            "one_department",
            "All contacts in one department",
            Risk.MEDIUM,
            "Departmental reorg could sever the entire relationship",
            bool(engaged) and len(found_departments) <= 1,
        ),
        RiskFactor(
            "unmanaged_detractor",
            "Active detractor exists with no engagement strategy",
            Risk.MEDIUM,
            "Unmanaged detractors become louder over time",
            bool(unmanaged),
        ),
        RiskFactor(
            "broad",
            "3+ active contacts across levels and functions",
            Risk.LOW,
            "Relationship is broad and resilient",
            len(engaged) >= 3 and len(levels(engaged)) >= 2 and len(found_departments) >= 2,
        ),
    ]


def _single_thread_on(engaged, active) -> ContactLike | None:
    """The one person the account hangs on: the only engaged contact, or the only strong relationship."""
    if len(engaged) == 1:
        return engaged[0]
    strong = [s.contact for s in active if s.contact.relationship == Relationship.STRONG and s.engaged]
    return strong[0] if len(strong) == 1 else None


def _single_thread_summary(single, engaged, active, suggestions) -> str:
    if not engaged:
        return "No one at the account is engaged: there is no thread to hang on. Re-engage the contacts below first."
    if single is None:
        return (
            f"No: {len(engaged)} engaged contacts across {len(departments(engaged)) or 'unrecorded'} "
            f"department(s) and {len(levels(engaged)) or 'unrecorded'} level(s)."
        )
    why = "the only engaged contact" if len(engaged) == 1 else "the only strong relationship"
    role = single.type.label.lower()
    sentence = f"Yes: the account depends on {single.display_name} ({role}), {why}. If {single.short_name} leaves, the relationship is at immediate risk."
    if suggestions:
        targets = ", ".join(s.target_label for s in suggestions[:3])
        sentence += f" Mitigation: multi-thread to {targets} (plan below)."
    return sentence


# --- suggested plan steps --------------------------------------------------------------------------


def _renewal_within(renewal_date: date | None, today: date, days: int) -> bool:
    return renewal_date is not None and 0 <= (renewal_date - today).days <= days


def _first_of(states, kind: StakeholderType, *statuses: ContactStatus) -> ContactLike | None:
    for state in states:
        if holds(state.contact, kind) and state.contact.status in statuses:
            return state.contact
    return None


def _target_label(contact: ContactLike) -> str:
    if contact.name and contact.title:
        return f"{contact.name} ({contact.title})"
    return contact.name or contact.title or "Contact"


def _suggestions(states, engaged, steps, renewal_date, today) -> list[Suggestion]:
    bridges = [c for c in engaged if c.relationship == Relationship.STRONG] or list(engaged)
    bridge = bridges[0] if bridges else None
    soon = PlanTimeline.THIS_WEEK if _renewal_within(renewal_date, today, RENEWAL_LOOKBACK_DAYS) else PlanTimeline.THIS_MONTH
    engaged_kinds = {kind for c in engaged for kind in roles_of(c)}
    proposals: list[Suggestion] = []
    if StakeholderType.CHAMPION not in engaged_kinds:
        proposals.append(_champion_step(states, bridge))
    if StakeholderType.ECONOMIC_BUYER not in engaged_kinds:
        proposals.append(_economic_buyer_step(states, bridge, soon))
    if StakeholderType.EXECUTIVE_SPONSOR not in engaged_kinds:
        proposals.append(_executive_sponsor_step(states, engaged))
    proposals.extend(_detractor_step(s.contact) for s in states if is_detractor(s.contact))
    if len(departments(engaged)) == 1:
        targeted = {p.contact_id for p in proposals if p is not None}
        proposals.append(_breadth_step(states, engaged, bridge, targeted))
    return [p for p in proposals if p is not None and not _already_planned(p, steps)]


def _already_planned(suggestion: Suggestion, steps: Iterable[PlanStepLike]) -> bool:
    for step in steps:
        if suggestion.contact_id is not None and step.contact_id == suggestion.contact_id:
            return True
        same_role = step.target_role and suggestion.target_role and (
            step.target_role.casefold() == suggestion.target_role.casefold()
        )
        if suggestion.contact_id is None and same_role:
            return True
    return False


def _through(bridge: ContactLike | None, what: str) -> str:
    return f"Through {bridge.short_name} ({what})" if bridge else "Direct outreach"


def _champion_step(states, bridge) -> Suggestion:
    drifting = _first_of(states, StakeholderType.CHAMPION, ContactStatus.ACTIVE)
    if drifting:
        return Suggestion(
            f"champion:{drifting.id}", _target_label(drifting), drifting.id, None, "Direct",
            f"Book a call with {drifting.short_name} to rebuild the relationship", PlanTimeline.THIS_WEEK,
        )
    path = _through(bridge, "strongest relationship")
    departed = _first_of(states, StakeholderType.CHAMPION, ContactStatus.LEFT)
    if departed:
        return Suggestion(
            "champion:new", "New champion (to identify)", None, "Champion", path,
            f"Identify a new champion to replace {departed.display_name}: find who gains most from the product",
            PlanTimeline.THIS_WEEK,
        )
    return Suggestion(
        "champion:new", "Champion (to identify)", None, "Champion", path,
        "Find who gains most from the product and cultivate them as champion", PlanTimeline.THIS_MONTH,
    )


def _economic_buyer_step(states, bridge, soon: PlanTimeline) -> Suggestion:
    buyer = _first_of(states, StakeholderType.ECONOMIC_BUYER, ContactStatus.ACTIVE, ContactStatus.NOT_ENGAGED)
    via = bridge.short_name if bridge else None
    if buyer:
        action = f"Ask {via} to introduce {buyer.display_name}" if via else f"Request a meeting with {buyer.display_name}"
        path = _through(bridge, "champion introduction" if bridge and holds(bridge, StakeholderType.CHAMPION) else "introduction")
        return Suggestion(f"economic_buyer:{buyer.id}", _target_label(buyer), buyer.id, None, path, action, soon)
    action = f"Ask {via} who owns the budget for the renewal" if via else "Find out who owns the budget for the renewal"
    return Suggestion(
        "economic_buyer:new", "Economic buyer (to identify)", None, "Economic buyer", _through(bridge, "introduction"), action, soon,
    )


def _executive_sponsor_step(states, engaged) -> Suggestion:
    sponsor = _first_of(states, StakeholderType.EXECUTIVE_SPONSOR, ContactStatus.ACTIVE, ContactStatus.NOT_ENGAGED)
    buyer = _first_of(states, StakeholderType.ECONOMIC_BUYER, ContactStatus.ACTIVE)
    champion = _first_of(states, StakeholderType.CHAMPION, ContactStatus.ACTIVE)
    via = [c.short_name for c in (champion, buyer) if c is not None] or [c.short_name for c in engaged[:2]]
    path = f"Through {' or '.join(via)}" if via else "Direct outreach"
    if sponsor and sponsor.name:
        action = f"Propose an executive alignment meeting with {sponsor.display_name}"
    else:
        action = "Identify the executive sponsor, then propose an executive alignment meeting"
    if sponsor:
        return Suggestion(
            f"executive_sponsor:{sponsor.id}", sponsor.name or sponsor.title or "Executive sponsor", sponsor.id, None,
            path, action, PlanTimeline.THIS_QUARTER,
        )
    return Suggestion(
        "executive_sponsor:new", "Executive sponsor (to identify)", None, "Executive sponsor", path, action,
        PlanTimeline.THIS_QUARTER,
    )


def _detractor_step(detractor: ContactLike) -> Suggestion:
    return Suggestion(
        f"detractor:{detractor.id}", _target_label(detractor), detractor.id, None, "Direct, with your strongest ally briefed",
        f"Meet {detractor.display_name} to hear their objections", PlanTimeline.THIS_MONTH,
    )


def _breadth_step(states, engaged, bridge, targeted: set[int | None]) -> Suggestion | None:
    covered = {d.casefold() for d in departments(engaged)}
    outside = [
        s.contact for s in states
        if s.contact.status in (ContactStatus.ACTIVE, ContactStatus.NOT_ENGAGED)
        and not s.engaged
        and s.contact.id not in targeted
        and s.contact.department
        and s.contact.department.strip().casefold() not in covered
    ]
    if not outside:
        return None
    target = outside[0]
    return Suggestion(
        f"breadth:{target.id}", _target_label(target), target.id, None, _through(bridge, "internal referral"),
        f"Show {target.department} what the product does for them and invite {target.short_name} to a demo",
        PlanTimeline.THIS_QUARTER,
    )
