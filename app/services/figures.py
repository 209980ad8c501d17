"""Each account's figures for the leader's report and the weekly snapshots (SPEC §7): read from AccountFigures
where the stored row still holds, assessed live otherwise.

A stored row holds while the account's map version, the day and the workspace's staleness windows are those
it was assessed with — nothing else goes into an account's figures: Account.version changes with anything on
its map (contacts, touches, roles, open plan steps, the account itself; app/core/models.py, and the bulk writes
bump it themselves), the day moves every contact's staleness, the windows set where staleness starts. So a
stored row says exactly what assessing the account again would say. The hourly snapshot pass writes the rows
whose key changed (`refresh_figures`); a report in between assesses only the accounts changed since. A fixed
number of statements either way.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from app.core.domain import Risk
from app.core.models import Account, AccountFigures, Workspace
from app.core.report import DIMENSION_COLUMNS, AccountFigure, Judged, judged
from app.core.workspace_settings import windows_of
from app.platform.db import insert_for
from app.services.portfolio import AccountRow, accounts_query, assess_accounts

JUDGED_COLUMNS = ("overall_risk", *DIMENSION_COLUMNS.values(), "single_threaded", "engaged", "active", "stale",
                  "overdue", "main_reason")


def windows_key(workspace: Workspace | None) -> str:
    """The workspace's staleness windows as a short stable key: stored figures hold only under the same windows."""
    windows = windows_of(workspace)
    text = ",".join(f"{kind.value}={windows[kind]}" for kind in sorted(windows, key=lambda kind: kind.value))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def account_figures(session: Session, team_id: str, today: date, owner_user_id: str | None = None) -> list[AccountFigure]:
    """Every account's figures on `today` (or one owner's accounts'), in the order of the account list."""
    return _figures(session, team_id, today, owner_user_id)[0]


def refresh_figures(session: Session, team_id: str, today: date) -> list[AccountFigure]:
    """Every account's figures on `today`, storing those that were assessed (their stored row did not hold) in
    one statement; returns them all."""
    found, assessed, key = _figures(session, team_id, today, None)
    if assessed:
        rows = [_stored_values(figure, team_id, version, today, key) for figure, version in assessed]
        statement = insert_for(session, AccountFigures)
        statement = statement.on_conflict_do_update(
            index_elements=["team_id", "account_id"],
            set_={name: statement.excluded[name] for name in ("version", "as_of", "windows_key", *JUDGED_COLUMNS)})
        session.connection().execute(statement, rows)  # executemany: one statement
    return found


def _figures(session: Session, team_id: str, today: date, owner_user_id: str | None):
    """(every account's figures, [(figure, account version)] of those assessed now, the windows' key).

    The accounts and the stored figures of the day are read in two plain statements and matched here, not
    joined in SQL: right after a pass rewrote the table, PostgreSQL's statistics of it are stale and its plan for
    such a join compared every account with every row (33 s on the benchmark database)."""
    workspace = session.get(Workspace, team_id)  # held: the assessment reads it again from the session
    key = windows_key(workspace)
    accounts_of = accounts_query(team_id, owner_user_id)
    accounts = [AccountRow._make(row) for row in
                session.connection().execute(accounts_of.with_only_columns(*Account.__table__.columns)).all()]
    stored = AccountFigures
    query = select(stored.account_id, stored.version, *(getattr(stored, name) for name in JUDGED_COLUMNS)).where(
        stored.team_id == team_id, stored.as_of == today, stored.windows_key == key)
    if owner_user_id is not None:
        query = query.where(stored.account_id.in_(select(accounts_of.order_by(None).subquery().c.id)))
    kept = {account_id: (version, values) for account_id, version, *values in session.connection().execute(query)}
    unheld = [account for account in accounts if kept.get(account.id, (None,))[0] != account.version]
    assessed = {a.account.id: judged(a)
                for a in assess_accounts(session, team_id, today, owner_user_id, accounts=unheld, figures_only=True)}
    found = [_figure(account, assessed[account.id] if account.id in assessed else _judged_from(kept[account.id][1]))
             for account in accounts]
    return found, [(figure, account.version) for figure, account in zip(found, accounts, strict=True)
                   if figure.account_id in assessed], key


def _judged_from(values) -> Judged:
    risk, *rest = values
    coverage = dict(zip(DIMENSION_COLUMNS.values(), rest[:len(DIMENSION_COLUMNS)], strict=True))
    single_threaded, engaged, active, stale, overdue, reason = rest[len(DIMENSION_COLUMNS):]
    return Judged(Risk(risk), coverage, bool(single_threaded), engaged, active, stale, overdue, reason)


def _figure(account, found: Judged) -> AccountFigure:
    return AccountFigure(account.id, account.name, account.owner_user_id, account.currency, account.arr_amount,
                         account.renewal_date, found)


def _stored_values(figure: AccountFigure, team_id: str, version: int, today: date, key: str) -> dict:
    found = figure.judged
    return dict(
        team_id=team_id, account_id=figure.account_id, version=version, as_of=today, windows_key=key,
        overall_risk=int(found.overall_risk), **found.coverage, single_threaded=found.single_threaded,
        engaged=found.engaged, active=found.active, stale=found.stale, overdue=found.overdue,
        main_reason=found.main_reason,
    )
