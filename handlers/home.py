"""The App Home: published when the user opens it, a page at a time, and again after each change they make."""

from __future__ import annotations

import logging
import re
from datetime import date

from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackClientError

from app.platform.runtime import Runtime
from app.services.nudges import local_date
from app.services.portfolio import portfolio
from app.services.slack_users import cached_users, remember_user, tz_is_stale
from blocks import ids
from blocks.home import STALE_SHOWN, home_view
from handlers.errors import after_ack, guarded
from handlers.payloads import action_value, int_or_none
from handlers.report import lead_section

log = logging.getLogger(__name__)


def publish_home(runtime: Runtime, client, team_id: str, user_id: str, page: int = 0) -> None:
    """Render the user's Home (their accounts ranked by risk, their stale relationships) and publish it."""
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


def register(app: App, runtime: Runtime) -> None:
    @app.event("app_home_opened")
    @guarded
    def home_opened(ack, body, event, client, context, respond):
        ack()
        if event.get("tab") == "home":
            after_ack(runtime, publish_home, runtime, client, context.team_id, context.user_id, body=body, respond=respond)

    @app.action(re.compile(rf"^{ids.HOME_PAGE}:\d+$"))
    @guarded
    def turn_page(ack, body, client, context, respond):
        ack()
        page = int_or_none(action_value(body)) or 0
        after_ack(runtime, publish_home, runtime, client, context.team_id, context.user_id, page,
                  body=body, respond=respond)
