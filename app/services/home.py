"""The App Home of one user, as of their local date: their accounts ranked by risk and their stale
relationships, and — for the leads the settings name and workspace admins — the portfolio report.

Slack is asked about the user through `ask` (users.info's user object, None when Slack does not
answer), handed in by the caller: this service never imports Slack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import cache, partial
from typing import Any, NamedTuple

from app.core.admins import is_admin
from app.core.clock import local_date
from app.core.portfolio import Portfolio
from app.core.report import Report
from app.platform.runtime import Runtime
from app.services.portfolio import portfolio
from app.services.report import build_report, leader_settings
from app.services.slack_users import cached_users, remember_user, tz_is_stale

AskUser = Callable[[str], Mapping[str, Any] | None]


class Home(NamedTuple):
    portfolio: Portfolio
    report: Report | None  # the Portfolio section at the top, for a lead or a workspace admin


def home_of(runtime: Runtime, team_id: str, user_id: str, stale_shown: int, ask: AskUser) -> Home:
    """What the user's App Home shows now (Slack asked about the user at most once)."""
    user = cache(partial(ask, user_id))
    today = viewer_today(runtime, team_id, user_id, user)
    with runtime.db.reading() as session:
        mine = portfolio(session, team_id, user_id, today, stale_shown, runtime.assessments)
        leads = leader_settings(session, team_id).leads
    if user_id not in leads and not is_admin(user()):
        return Home(mine, None)
    with runtime.db.reading() as session:
        return Home(mine, build_report(session, team_id, runtime.today()))


def viewer_today(runtime: Runtime, team_id: str, user_id: str, user: Callable[[], Mapping[str, Any] | None]) -> date:
    """The user's local date, as their weekly digest judges it: their Slack time zone, cached with the
    sweep's (asked again when not cached or older than a week; UTC when Slack does not say)."""
    now = runtime.now()
    with runtime.db.reading() as session:
        cached = cached_users(session, team_id, [user_id]).get(user_id)
    if not tz_is_stale(cached, now):
        return local_date(now, cached.tz)
    answer = user()
    if answer is None:
        return local_date(now, cached.tz if cached else None)
    tz = answer.get("tz")
    with runtime.db.session() as session:
        remember_user(session, team_id, user_id, tz=tz, tz_checked_at=now)
    return local_date(now, tz)
