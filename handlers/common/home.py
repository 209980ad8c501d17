"""The App Home: published for a user on their local date, refreshed after a change, with the lead's section."""

from __future__ import annotations

import logging
from datetime import date

from slack_sdk.errors import SlackApiError, SlackClientError

from app.platform.runtime import Runtime
from app.services.nudges import local_date
from app.services.portfolio import portfolio
from app.services.report import build_report, leader_settings
from app.services.slack_users import cached_users, remember_user, tz_is_stale
from blocks.home import STALE_SHOWN, home_view
from blocks.report import (
    portfolio_home_section,
)
from handlers.common.permissions import is_workspace_admin

log = logging.getLogger(__name__)


def publish_home(runtime: Runtime, client, team_id: str, user_id: str, page: int = 0) -> None:
    """Render the user's Home (their accounts ranked by risk, their stale relationships) and publish it.

    Requests for one user while their Home is being published coalesce: the latest runs after it (it shows
    every change before it), the ones in between are skipped (app/platform/coalesce.py)."""
    runtime.homes.run((team_id, user_id), lambda: _publish_home(runtime, client, team_id, user_id, page))


def _publish_home(runtime: Runtime, client, team_id: str, user_id: str, page: int) -> None:
    today = viewer_today(runtime, client, team_id, user_id)
    with runtime.db.reading() as session:
        view = home_view(portfolio(session, team_id, user_id, today, STALE_SHOWN), page)
    view["blocks"] = lead_section(runtime, client, team_id, user_id) + view["blocks"]
    client.views_publish(user_id=user_id, view=view)


def viewer_today(runtime: Runtime, client, team_id: str, user_id: str) -> date:
    """The user's local date, as their weekly digest judges it: their Slack time zone, cached with the
    sweep's (users.info when not cached or older than a week; UTC when Slack does not say)."""
    now = runtime.now()
    with runtime.db.reading() as session:
        cached = cached_users(session, team_id, [user_id]).get(user_id)
    if not tz_is_stale(cached, now):
        return local_date(now, cached.tz)
    try:
        tz = client.users_info(user=user_id)["user"].get("tz")
    except (SlackClientError, OSError) as error:
        log.warning("users.info %s failed (%s): the App Home uses UTC this time", user_id, error)
        return local_date(now, cached.tz if cached else None)
    with runtime.db.session() as session:
        remember_user(session, team_id, user_id, tz=tz, tz_checked_at=now)
    return local_date(now, tz)


def refresh_home(runtime: Runtime, client, team_id: str, user_id: str | None) -> None:
    """Publish the user's Home again after a change they made; a failure is logged (the change is saved)."""
    if not user_id:
        return
    try:
        publish_home(runtime, client, team_id, user_id)
    except SlackApiError as error:
        log.warning("could not refresh the App Home: %s", error.response.get("error"))


def lead_section(runtime: Runtime, client, team_id: str, user_id: str) -> list[dict]:
    """The Portfolio section for the top of the App Home: for the leads the settings name and workspace admins."""
    with runtime.db.reading() as session:
        leads = leader_settings(session, team_id).leads
    if user_id not in leads and not is_workspace_admin(client, user_id):
        return []
    with runtime.db.reading() as session:
        report = build_report(session, team_id, runtime.today())
    return [block.to_dict() for block in portfolio_home_section(report)]
