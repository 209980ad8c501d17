"""The current map of an account: its stamp (what a rendering depends on), its assessment and its trends.

The rendering is the caller's (blocks/map.py, called by handlers): `current_map` renders through the
runtime's map cache, once per version of the account, day and staleness windows, and reads the account
only when that rendering is not cached yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlmodel import Session

from app.core.maps import AccountMap
from app.core.models import Account, Workspace, name_key
from app.core.trends import TREND_DAYS, trends
from app.core.workspace_settings import assessment_stamp
from app.platform.runtime import Runtime
from app.services.accounts import assess_account, get_account
from app.services.history import account_history
from app.services.quiet import channel_pulses
from app.services.suggestions import account_seen

Rendered = TypeVar("Rendered")


@dataclass(frozen=True)
class MapStamp:
    """What an account's rendered map depends on besides the day: the account's version (bumped by every
    change on the map) and the workspace's staleness-window overrides and strategy table."""

    account_id: int
    version: int
    windows: str  # the window overrides and the strategy table, as canonical JSON


def map_stamp(session: Session, team_id: str, *, name: str | None = None, account_id: int | None = None
              ) -> MapStamp | None:
    """The stamp of the account with that name (any case) or id, in one light statement; None when absent."""
    query = (
        select(Account.id, Account.version, Workspace.config)
        .join(Workspace, Workspace.team_id == Account.team_id)
        .where(Account.team_id == team_id)
    )
    query = query.where(Account.name_key == name_key(name)) if name is not None else query.where(Account.id == account_id)
    row = session.execute(query).first()
    if row is None:
        return None
    return MapStamp(row.id, row.version, assessment_stamp(row.config))


def account_map(session: Session, team_id: str, account_id: int, today: date) -> AccountMap:
    """The assessment and trends of the account on `today` (NotFound in another workspace)."""
    account = get_account(session, team_id, account_id)
    assessment = assess_account(session, account, today)
    history = account_history(session, team_id, account.id, since=today - timedelta(days=TREND_DAYS))
    return AccountMap(assessment, trends(history, today),
                      channels=channel_pulses(session, team_id, account.id, today),
                      seen=account_seen(session, team_id, account.id))


def current_map(runtime: Runtime, session: Session, team_id: str, render: Callable[[AccountMap], Rendered], *,
                name: str | None = None, account_id: int | None = None) -> Rendered | None:
    """The rendered map of the account with that name or id, as it is now; None when there is no such account.

    Its trends come from the history, and every history row bumps the version too (app/core/models.py).
    """
    stamp = map_stamp(session, team_id, name=name, account_id=account_id)
    if stamp is None:
        return None
    today = runtime.today()
    key = ("map", stamp.account_id, today, stamp.windows)
    return runtime.maps.get_or_make(key, stamp.version,
                                    lambda: render(account_map(session, team_id, stamp.account_id, today)))


def map_now(runtime: Runtime, team_id: str, account_id: int, render: Callable[[AccountMap], Rendered]) -> Rendered:
    """The rendered map of that account as it is now (current_map, in a read of its own); NotFound when the
    account is gone or another workspace's."""
    with runtime.db.reading() as session:
        message = current_map(runtime, session, team_id, render, account_id=account_id)
        if message is None:
            get_account(session, team_id, account_id)  # gone: NotFound, as for every request naming it
        return message
