"""The App Home: published for a user on their local date, refreshed after a change, with the lead's section."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from app.platform.runtime import Runtime
from app.platform.slack_client import user_asker
from app.services.home import home_of
from blocks.home import STALE_SHOWN, home_view
from blocks.report import portfolio_home_section

log = logging.getLogger(__name__)


def publish_home(runtime: Runtime, client, team_id: str, user_id: str, page: int = 0) -> None:
    """Render the user's Home (their accounts ranked by risk, their stale relationships; the portfolio
    report on top for a lead or an admin) and publish it.

    Requests for one user while their Home is being published coalesce: the latest runs after it (it shows
    every change before it), the ones in between are skipped (app/platform/coalesce.py)."""
    runtime.homes.run((team_id, user_id), lambda: _publish_home(runtime, client, team_id, user_id, page))


def _publish_home(runtime: Runtime, client, team_id: str, user_id: str, page: int) -> None:
    home = home_of(runtime, team_id, user_id, STALE_SHOWN, user_asker(client))
    view = home_view(home.portfolio, page)
    if home.report is not None:
        view["blocks"] = [block.to_dict() for block in portfolio_home_section(home.report)] + view["blocks"]
    client.views_publish(user_id=user_id, view=view)


def refresh_home(runtime: Runtime, client, team_id: str, user_id: str | None) -> None:
    """Publish the user's Home again after a change they made; a failure is logged (the change is saved)."""
    if not user_id:
        return
    try:
        publish_home(runtime, client, team_id, user_id)
    except SlackApiError as error:
        log.warning("could not refresh the App Home: %s", error.response.get("error"))
