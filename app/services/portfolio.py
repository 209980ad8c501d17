"""Many accounts at once: assessments loaded with a fixed number of statements, whatever the size.

`/stakemap list` and the App Home read through here, so every one of them applies the assessment's
own rules (app/core/assessment.py) to rows read in bulk — no second copy of the rules. The App Home's stale
relationships are the weekly digest's own list (app.services.nudges.stale_relationships).
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from app.core.assessment import Assessment, assess
from app.core.domain import TYPE_PROFILES, PlanStatus, StakeholderType
from app.core.models import Account, Contact, ContactRole, CrmLink, PlanStep, Touch, Workspace
from app.core.portfolio import Portfolio, ranked_by_risk
from app.core.workspace_settings import table_of, windows_of
from app.services.nudges import stale_relationships


def accounts_query(team_id: str, owner_user_id: str | None = None):
    query = select(Account).where(Account.team_id == team_id)
    if owner_user_id is not None:
        query = query.where(Account.owner_user_id == owner_user_id)
    return query.order_by(Account.name_key)


def assess_accounts(
    session: Session, team_id: str, today: date, owner_user_id: str | None = None,
    accounts: Sequence[Account] | None = None,
) -> list[Assessment]:
    """Assess every account of a workspace (or one owner's, or the given ones) in four statements."""
    if accounts is None:
        query = accounts_query(team_id, owner_user_id)
        rows = query.with_only_columns(*Account.__table__.columns)  # plain rows: read-only, no ORM bookkeeping
        accounts = [AccountRow._make(row) for row in session.execute(rows)]
        ids = select(query.order_by(None).subquery().c.id)  # never a list of 10,000 bound parameters
    else:
        ids = [account.id for account in accounts]
    if not accounts:
        return []
    workspace = session.get(Workspace, team_id)
    windows, table = windows_of(workspace), table_of(workspace)
    contacts, touches = _contacts_and_latest_touches(session, team_id, ids)
    steps: dict[int, list[PlanStep]] = defaultdict(list)
    open_steps = select(PlanStep).where(
        PlanStep.team_id == team_id, PlanStep.account_id.in_(ids), PlanStep.status == PlanStatus.OPEN
    ).order_by(PlanStep.created_at, PlanStep.id)
    for step in session.scalars(open_steps):
        steps[step.account_id].append(step)
    return [
        assess(account, contacts[account.id], touches[account.id], steps[account.id], today, windows,
               table=table)
        for account in accounts
    ]


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
    also_types = (
        select(func.aggregate_strings(ContactRole.type, ","))
        .where(ContactRole.contact_id == Contact.id)
        .correlate(Contact)
        .scalar_subquery()
    )
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


class AccountRow(namedtuple("AccountRow", Account.__table__.columns.keys())):
    """An account read for assessment: every column of `Account` under the same name, read-only."""

    __slots__ = ()


def parse_roles(joined: str | None) -> tuple[StakeholderType, ...]:
    """The extra roles as read in one column ("decision_maker,influencer"), in the map's order of types."""
    kinds = {StakeholderType(value) for value in (joined or "").split(",") if value}
    return tuple(sorted(kinds, key=lambda kind: TYPE_PROFILES[kind].rank))


class ContactRow(namedtuple("ContactRow", [*Contact.__table__.columns.keys(), "also_types", "crm_removed_at"])):
    """A contact read for assessment: every column of `Contact` under the same name, its extra roles
    (`also_types`) and when the CRM removed it (`crm_removed_at`, None while it is there), read-only."""

    __slots__ = ()
    # the model's own naming rules, not a copy of them
    label_for = staticmethod(Contact.label_for)
    display_name = Contact.__dict__["display_name"]
    short_name = Contact.__dict__["short_name"]


class TouchRow(namedtuple("TouchRow", Touch.__table__.columns.keys())):
    """A touch read for assessment: every column of `Touch` under the same name, read-only."""

    __slots__ = ()


# --- the portfolio: accounts ranked by risk, stale relationships ranked by urgency ---------------


def portfolio(session: Session, team_id: str, owner_user_id: str, today: date, stale_shown: int) -> Portfolio:
    """One owner's accounts ranked by risk and their first `stale_shown` stale relationships, judged on the
    owner's local date `today`, in five statements."""
    assessments = assess_accounts(session, team_id, today, owner_user_id)
    return Portfolio(ranked_by_risk(assessments),
                     stale_relationships(session, team_id, owner_user_id, today, stale_shown))
