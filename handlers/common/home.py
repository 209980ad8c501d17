"""The App Home: published for a user on their local date (refreshed after a change by handlers.common.changes),
with the lead's section."""

from __future__ import annotations

from functools import partial

from app.platform.runtime import Runtime
from app.platform.slack_client import user_asker
from app.services.home import home_of
from blocks.home import STALE_SHOWN, home_view


def publish_home(runtime: Runtime, client, team_id: str, user_id: str, page: int = 0) -> None:
    """Render the user's Home (their accounts ranked by risk, their stale relationships; the portfolio
    report on top for a lead or an admin) and publish it.

    Requests for one user while their Home is being published coalesce: the latest runs after it (it shows
    every change before it), the ones in between are skipped (app/platform/coalesce.py)."""
    runtime.homes.run((team_id, user_id), partial(publish_now, runtime, client, team_id, user_id, page))


def publish_now(runtime: Runtime, client, team_id: str, user_id: str, page: int) -> None:
    """Publish the user's Home (a LatestOnly work: publish_home and handlers.common.changes run it)."""
    home = home_of(runtime, team_id, user_id, STALE_SHOWN, user_asker(client))
    client.views_publish(user_id=user_id, view=home_view(home.portfolio, page, home.report))
