"""Weekly coverage snapshots (SPEC §7): each account's coverage, read once per ISO week, kept for trends.

A pass (hourly) first refreshes every account's figures of the day (app.services.figures: the accounts
whose stored figures no longer hold are assessed in bulk, a fixed number of statements), then writes the
week's rows from them with one INSERT … ON CONFLICT DO NOTHING, so running it again in the same week —
another replica, a restart, `stakemap snapshot` by hand — changes no snapshot.

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

from app.core.models import Account, CoverageSnapshot
from app.core.report import AccountFigure, iso_week
from app.platform.db import insert_for
from app.services.figures import refresh_figures
from app.services.portfolio import cycle_collection_paused


@dataclass(frozen=True)
class SnapshotPass:
    team_id: str
    week: str
    taken: int  # accounts snapshotted by this pass (0: the week was already taken)

    def summary(self) -> str:
        if not self.taken:
            return f"Workspace {self.team_id}: week {self.week} was already taken."
        return f"Workspace {self.team_id}: took week {self.week} for {self.taken} account{'' if self.taken == 1 else 's'}."


def snapshot_values(figure: AccountFigure, team_id: str, week: str, today: date) -> dict:
    """The snapshot row of one account from its figures of `today`."""
    found = figure.judged
    return dict(
        team_id=team_id, account_id=figure.account_id, iso_week=week, taken_on=today,
        overall_risk=int(found.overall_risk), **found.coverage, single_threaded=found.single_threaded,
        engaged=found.engaged, active=found.active, stale=found.stale,
        arr_amount=figure.arr_amount, currency=figure.currency, renewal_date=figure.renewal_date,
        owner_user_id=figure.owner_user_id,
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
    """Every account's figures of `today` refreshed (app.services.figures: only those whose stored row no longer
    holds are assessed), then this ISO week's snapshot of every account that has none yet; idempotent, a fixed
    number of statements."""
    week = iso_week(today)
    with cycle_collection_paused:  # while accounts are assessed in bulk
        figures = refresh_figures(session, team_id, today)
    if not figures or week_is_taken(session, team_id, week):
        return SnapshotPass(team_id, week, 0)
    rows = [snapshot_values(figure, team_id, week, today) for figure in figures]
    statement = insert_for(session, CoverageSnapshot).on_conflict_do_nothing(
        index_elements=["team_id", "account_id", "iso_week"])
    taken = session.connection().execute(statement, rows).rowcount  # executemany: one statement
    return SnapshotPass(team_id, week, taken if taken >= 0 else len(rows))


def workspaces_with_accounts(session: Session) -> list[str]:
    return list(session.scalars(select(Account.team_id).distinct().order_by(Account.team_id)))
