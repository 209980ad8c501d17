"""Weekly coverage snapshots (SPEC §7): each account's coverage, read once per ISO week, kept for trends.

A pass assesses every account of the workspace in bulk (app.services.portfolio.assess_accounts: a fixed
number of statements) and writes the rows with one INSERT … ON CONFLICT DO NOTHING, so running it again
in the same week — another replica, a restart, `stakemap snapshot` by hand — changes nothing.

Which week a snapshot belongs to: the ISO week (UTC) of the run that took it. The first run in a week
takes that week, however late in the week it comes (a server down on Monday is caught up on Tuesday:
taken late, not skipped). A week during which nothing ran at all has no snapshot: its state can no
longer be read, and inventing it from today's state would put a false point on the trend — the
report shows that week as a gap instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlmodel import Session

from app.core.assessment import Assessment, Coverage
from app.core.domain import StakeholderType
from app.core.models import Account, CoverageSnapshot
from app.core.portfolio import stale_count
from app.core.report import iso_week
from app.platform.db import insert_for
from app.services.portfolio import assess_accounts, cycle_collection_paused

COVERAGE_WORDS = {Coverage.COVERED: "covered", Coverage.GAP: "gap", Coverage.MISSING: "missing"}
DIMENSION_COLUMNS = {  # Dimension.key → column
    StakeholderType.CHAMPION.value: "champion",
    StakeholderType.ECONOMIC_BUYER.value: "economic_buyer",
    StakeholderType.DECISION_MAKER.value: "decision_maker",
    StakeholderType.EXECUTIVE_SPONSOR.value: "executive_sponsor",
    "breadth": "breadth",
    "depth": "depth",
    "detractors": "detractors",
}


@dataclass(frozen=True)
class SnapshotPass:
    team_id: str
    week: str
    taken: int  # accounts snapshotted by this pass (0: the week was already taken)

    def summary(self) -> str:
        if not self.taken:
            return f"Workspace {self.team_id}: week {self.week} was already taken."
        return f"Workspace {self.team_id}: took week {self.week} for {self.taken} account{'' if self.taken == 1 else 's'}."


def is_single_threaded(assessment: Assessment) -> bool:
    """At most one engaged contact: the seed's "Only 1 active contact" factor (none at all counts too)."""
    return len(assessment.engaged) <= 1


def snapshot_values(assessment: Assessment, team_id: str, week: str) -> dict:
    """The snapshot row of one assessed account."""
    account = assessment.account
    coverage = {column: None for column in DIMENSION_COLUMNS.values()}
    for dimension in assessment.dimensions:
        if dimension.key in DIMENSION_COLUMNS:
            coverage[DIMENSION_COLUMNS[dimension.key]] = COVERAGE_WORDS[dimension.coverage]
    return dict(
        team_id=team_id, account_id=account.id, iso_week=week, taken_on=assessment.today,
        overall_risk=int(assessment.overall_risk), **coverage,
        single_threaded=is_single_threaded(assessment), engaged=len(assessment.engaged),
        active=len(assessment.active), stale=stale_count(assessment),
        arr_amount=account.arr_amount, currency=account.currency, renewal_date=account.renewal_date,
        owner_user_id=account.owner_user_id,
    )


def week_is_taken(session: Session, team_id: str, week: str) -> bool:
    """True when every account of the workspace has this week's snapshot (one statement)."""
    missing = select(Account.id).where(
        Account.team_id == team_id,
        ~exists().where(CoverageSnapshot.team_id == team_id, CoverageSnapshot.iso_week == week,
                        CoverageSnapshot.account_id == Account.id),
    ).limit(1)
    return session.scalar(missing) is None


def take_snapshots(session: Session, team_id: str, today: date) -> SnapshotPass:
    """This ISO week's snapshot of every account that has none yet; idempotent, a fixed number of statements."""
    week = iso_week(today)
    if week_is_taken(session, team_id, week):
        return SnapshotPass(team_id, week, 0)
    with cycle_collection_paused:  # while every account's assessment is held
        rows = [snapshot_values(a, team_id, week) for a in assess_accounts(session, team_id, today, figures_only=True)]
    if not rows:
        return SnapshotPass(team_id, week, 0)
    statement = insert_for(session, CoverageSnapshot).on_conflict_do_nothing(
        index_elements=["team_id", "account_id", "iso_week"])
    taken = session.connection().execute(statement, rows).rowcount  # executemany: one statement
    return SnapshotPass(team_id, week, taken if taken >= 0 else len(rows))


def workspaces_with_accounts(session: Session) -> list[str]:
    return list(session.scalars(select(Account.team_id).distinct().order_by(Account.team_id)))
