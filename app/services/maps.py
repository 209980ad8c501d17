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

from sqlmodel import Session

from app.core.assessment import Assessment
from app.core.trends import TREND_DAYS, Trends, trends
from app.platform.runtime import Runtime
from app.services.accounts import assess_account, get_account, map_stamp
from app.services.history import account_history

Rendered = TypeVar("Rendered")


@dataclass(frozen=True)
class AccountMap:
    """What a map shows: the account's assessment and the trends of its contacts."""

    assessment: Assessment
    trends: Trends

    @property
    def account_id(self) -> int:
        return self.assessment.account.id


def account_map(session: Session, team_id: str, account_id: int, today: date) -> AccountMap:
    """The assessment and trends of the account on `today` (NotFound in another workspace)."""
    account = get_account(session, team_id, account_id)
    history = account_history(session, team_id, account.id, since=today - timedelta(days=TREND_DAYS))
    return AccountMap(assess_account(session, account, today), trends(history, today))


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
