"""Many accounts at once: assessments loaded with a fixed number of statements, whatever the size.

`/stakemap list` and the App Home read through here, so every one of them applies the assessment's
own rules (app/core/assessment.py) to rows read in bulk — no second copy of the rules. The App Home's stale
relationships are the weekly digest's own list (app.services.nudges.stale_relationships).
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict, namedtuple
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import date

from sqlalchemy import Date, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlmodel import Session

from app.core.assessment import Assessment, assess
from app.core.domain import TYPE_PROFILES, PlanStatus, StakeholderType
from app.core.models import Account, Contact, ContactRole, CrmLink, PlanStep, Touch, Workspace
from app.core.portfolio import Portfolio, ranked_by_risk
from app.core.workspace_settings import assessment_stamp, table_of, windows_of
from app.platform.map_cache import VersionedCache
from app.services.nudges import stale_relationships

MAX_BOUND_IDS = 500  # ids bound as parameters at most in one statement


def accounts_query(team_id: str, owner_user_id: str | None = None):
    query = select(Account).where(Account.team_id == team_id)
    if owner_user_id is not None:
        query = query.where(Account.owner_user_id == owner_user_id)
    return query.order_by(Account.name_key)


def assess_accounts(
    session: Session, team_id: str, today: date, owner_user_id: str | None = None,
    accounts: Sequence[Account] | None = None, figures_only: bool = False, cache: VersionedCache | None = None,
) -> list[Assessment]:
    """Assess every account of a workspace (or one owner's, or the given ones — all of them that owner's when
    `owner_user_id` is given) in four statements.

    `figures_only`: for surfaces that read the assessment's judgements but never show a contact's details
    or its last touch (the leader's report, the weekly snapshots): each contact is read with only the
    columns the assessment looks at (`AssessedContact`) and its latest touch as its day alone
    (`LatestTouch`) — the same judgements, at a fraction of the reading cost; the cyclic collector is paused
    meanwhile (bulk, offline-style work). The surfaces a CSM waits for (Home, list) never pause it: in a busy
    server their overlapping calls would keep it off for good and cyclic garbage would pile up.

    `cache` (the runtime's `assessments`, for those surfaces): an account already assessed at its current
    version, on that day, under the same windows and strategy table, is neither read nor assessed again —
    a Home refreshed after a touch reads and assesses the one account the touch changed."""
    with cycle_collection_paused if figures_only else nullcontext():
        return _assess_accounts(session, team_id, today, owner_user_id, accounts, figures_only,
                                None if figures_only else cache)


def _assess_accounts(session, team_id, today, owner_user_id, accounts, figures_only, cache) -> list[Assessment]:
    query = accounts_query(team_id, owner_user_id)
    everyone = select(query.order_by(None).subquery().c.id)  # never a list of 10,000 bound parameters
    if accounts is None:
        rows = query.with_only_columns(*Account.__table__.columns)  # plain rows: read-only, no ORM bookkeeping
        accounts = [AccountRow._make(row) for row in session.execute(rows)]
        ids = everyone
    else:  # a few: their ids; many: every account's (those given among them), rather than thousands of parameters
        ids = [account.id for account in accounts] if len(accounts) <= MAX_BOUND_IDS else everyone
    if not accounts:
        return []
    workspace = session.get(Workspace, team_id)
    if cache is None:
        return _read_and_assess(session, team_id, today, accounts, ids, workspace, figures_only)
    stamp = assessment_stamp(workspace.config if workspace else None)

    def key(account) -> tuple:
        return "assessment", team_id, account.id, today, stamp

    found = {account.id: cache.get(key(account), account.version) for account in accounts}
    missing = [account for account in accounts if found[account.id] is None]
    if missing:
        if len(missing) < len(accounts) and len(missing) <= MAX_BOUND_IDS:
            ids = [account.id for account in missing]
        for account, assessment in zip(missing, _read_and_assess(session, team_id, today, missing, ids, workspace,
                                                                 figures_only), strict=True):
            cache.put(key(account), account.version, assessment)
            found[account.id] = assessment
    return [found[account.id] for account in accounts]


def _read_and_assess(session, team_id, today, accounts, ids, workspace, figures_only) -> list[Assessment]:
    """Assess `accounts`, reading the contacts, latest touches and open plan steps of the accounts `ids` names
    (those, or more)."""
    windows, table = windows_of(workspace), table_of(workspace)
    added_on = None  # read from each contact's created_at
    if figures_only:
        contacts, touches, added_on = _contacts_and_latest_days(session, team_id, ids)
    else:
        contacts, touches = _contacts_and_latest_touches(session, team_id, ids)
    steps: dict[int, list[PlanStep]] = defaultdict(list)
    open_steps = select(PlanStep).where(
        PlanStep.team_id == team_id, PlanStep.account_id.in_(ids), PlanStep.status == PlanStatus.OPEN
    ).order_by(PlanStep.created_at, PlanStep.id)
    for step in session.scalars(open_steps):
        steps[step.account_id].append(step)
    return [
        assess(account, contacts[account.id], touches[account.id], steps[account.id], today, windows,
               added_on=added_on, table=table)
        for account in accounts
    ]


class _CycleCollectionPause:
    """Python's cyclic garbage collector paused while bulk assessments run (in any thread), resumed when the
    last one ends — unless it was off before the first began.

    Assessing 10,000 accounts allocates about a million small objects, none of them in a reference cycle
    (reference counting frees them all); meanwhile the collector would walk the growing heap again and again
    for nothing: 40% of the leader's report's time on the benchmark database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0  # bulk assessments under way
        self._resume = False  # whether to switch the collector back on after the last one

    def __enter__(self) -> None:
        with self._lock:
            if self._running == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._running += 1

    def __exit__(self, *_exc) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0 and self._resume:
                gc.enable()


cycle_collection_paused = _CycleCollectionPause()


def _contacts_and_latest_touches(session: Session, team_id: str, account_ids):
    """Every contact of those accounts with its latest touch (ties: the newest row), in one statement.

    The latest touch is found per contact through the (contact_id, occurred_on) index, which both SQLite
    and PostgreSQL answer with one index probe per contact. Both are read as plain column rows
    (`ContactRow`, `TouchRow`: the models' attribute names, read-only), not as ORM entities: at 100,000
    contacts the ORM's identity map and change tracking cost more than the assessment itself.
    """
    latest_id = (
        select(Touch.id)
        .where(Touch.contact_id == Contact.id)
        .order_by(Touch.occurred_on.desc(), Touch.id.desc())
        .limit(1)
        .correlate(Contact)
        .scalar_subquery()
    )
    also_types = _also_types()
    crm_removed_at = (
        select(CrmLink.removed_at)
        .where(CrmLink.contact_id == Contact.id, CrmLink.removed_at.is_not(None))
        .limit(1)
        .correlate(Contact)
        .scalar_subquery()
    )
    contact_columns, touch_columns = (*Contact.__table__.columns, also_types, crm_removed_at), Touch.__table__.columns
    query = (
        select(*contact_columns, *touch_columns)
        .select_from(Contact)
        .outerjoin(Touch, Touch.id == latest_id)
        .where(Contact.team_id == team_id, Contact.account_id.in_(account_ids))
        .order_by(Contact.account_id, Contact.id)
    )
    split = len(contact_columns)
    make_contact, make_touch = ContactRow._make, TouchRow._make
    contacts: dict[int, list[ContactRow]] = defaultdict(list)
    touches: dict[int, list[TouchRow]] = defaultdict(list)
    for row in session.execute(query):
        contact = make_contact((*row[:split - 2], parse_roles(row[split - 2]), row[split - 1]))
        contacts[contact.account_id].append(contact)
        if row[split] is not None:
            touches[contact.account_id].append(make_touch(row[split:]))
    return contacts, touches


def _also_types():
    """A contact's extra roles in one column ("decision_maker,influencer"; NULL for none): parse_roles reads it."""
    return (
        select(func.aggregate_strings(ContactRole.type, ","))
        .where(ContactRole.contact_id == Contact.id)
        .correlate(Contact)
        .scalar_subquery()
    )


def _contacts_and_latest_days(session: Session, team_id: str, account_ids):
    """Every contact of those accounts, only the columns the assessment reads, with the (UTC) day it was added
    and the day of its latest touch (one index probe per contact on (contact_id, occurred_on)), in one
    statement. Read as Core rows: no ORM loading machinery, and no timestamp parsed for a day."""
    latest_day = (
        select(func.max(Touch.occurred_on)).where(Touch.contact_id == Contact.id).correlate(Contact).scalar_subquery()
    )
    query = (
        select(*(getattr(Contact, name) for name in AssessedContact._fields[:-1]), _also_types(),
               utc_day(Contact.created_at), latest_day)
        .where(Contact.team_id == team_id, Contact.account_id.in_(account_ids))
        .order_by(Contact.account_id, Contact.id)
    )
    make_contact = AssessedContact._make
    contacts: dict[int, list[AssessedContact]] = defaultdict(list)
    touches: dict[int, list[LatestTouch]] = defaultdict(list)
    added_on: dict[int, date] = {}
    for *columns, also, added, day in session.connection().execute(query).all():  # fetched at once: faster
        contact = make_contact((*columns, parse_roles(also)))
        contacts[contact.account_id].append(contact)
        added_on[contact.id] = added
        if day is not None:
            touches[contact.account_id].append(LatestTouch(contact.id, day))
    return contacts, touches, added_on


class utc_day(FunctionElement):  # noqa: N801 (an SQL function)
    """The UTC calendar day of a timestamp stored in UTC (what `created_at.date()` gives in Python)."""

    type = Date()
    inherit_cache = True


@compiles(utc_day)
def _utc_day_default(element, compiler, **kw):  # PostgreSQL: timestamptz, in UTC whatever the session's zone
    return f"CAST(timezone('UTC', {compiler.process(list(element.clauses)[0], **kw)}) AS DATE)"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):  # SQLite: the UTC timestamp's text
    return f"date({compiler.process(list(element.clauses)[0], **kw)})"


class AccountRow(namedtuple("AccountRow", Account.__table__.columns.keys())):
    """An account read for assessment: every column of `Account` under the same name, read-only."""

    __slots__ = ()


def parse_roles(joined: str | None) -> tuple[StakeholderType, ...]:
    """The extra roles as read in one column ("decision_maker,influencer"), in the map's order of types."""
    if not joined:
        return ()
    kinds = {StakeholderType(value) for value in joined.split(",") if value}
    return tuple(sorted(kinds, key=lambda kind: TYPE_PROFILES[kind].rank))


class ContactRow(namedtuple("ContactRow", [*Contact.__table__.columns.keys(), "also_types", "crm_removed_at"])):
    """A contact read for assessment: every column of `Contact` under the same name, its extra roles
    (`also_types`) and when the CRM removed it (`crm_removed_at`, None while it is there), read-only."""

    __slots__ = ()
    # the model's own naming rules, not a copy of them
    label_for = staticmethod(Contact.label_for)
    display_name = Contact.__dict__["display_name"]
    short_name = Contact.__dict__["short_name"]


class AssessedContact(namedtuple("AssessedContact", (
    "id", "account_id", "name", "title", "type", "department", "level", "influence", "interest", "relationship",
    "sentiment", "status", "snoozed_until", "strategy_approach", "strategy_cadence", "strategy_channel",
    "strategy_origin", "also_types",
))):
    """A contact read for the assessment's figures: the columns `assess` reads (app.core.assessment.ContactLike
    and its strategy; the day it was added is passed beside it), under the model's names, and its extra roles
    (`also_types`, as ContactRow's), read-only."""

    __slots__ = ()
    label_for = staticmethod(Contact.label_for)
    display_name = Contact.__dict__["display_name"]
    short_name = Contact.__dict__["short_name"]


class LatestTouch(namedtuple("LatestTouch", ("contact_id", "occurred_on"))):
    """A contact's latest touch, as far as the assessment's figures need it: its day."""

    __slots__ = ()


class TouchRow(namedtuple("TouchRow", Touch.__table__.columns.keys())):
    """A touch read for assessment: every column of `Touch` under the same name, read-only."""

    __slots__ = ()


# --- the portfolio: accounts ranked by risk, stale relationships ranked by urgency ---------------


def portfolio(session: Session, team_id: str, owner_user_id: str, today: date, stale_shown: int,
              cache: VersionedCache | None = None) -> Portfolio:
    """One owner's accounts ranked by risk and their first `stale_shown` stale relationships, judged on the
    owner's local date `today`, in five statements (fewer with the assessments in `cache`)."""
    assessments = assess_accounts(session, team_id, today, owner_user_id, cache=cache)
    return Portfolio(ranked_by_risk(assessments),
                     stale_relationships(session, team_id, owner_user_id, today, stale_shown))
