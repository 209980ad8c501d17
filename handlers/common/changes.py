"""After a change: confirm it to whoever made it, redraw the map they made it from, refresh their Home.

It runs after the ack (handlers.common.after_ack.after_modal / after_action): rendering a map or a Home can
take a moment.
"""

from __future__ import annotations

from collections.abc import Callable

from app.core.outbox import PUSH_KICK
from app.platform.runtime import Runtime
from blocks.notices import Notice
from handlers.common.home import refresh_home
from handlers.common.maps import MapPlace, redraw_map
from handlers.common.replies import tell_later


def follow_up(runtime: Runtime, client, team_id: str, user_id: str | None, account_id: int | None,
              place: Callable[[], MapPlace], response_url: str | None, notice: Notice | None) -> None:
    """Tell the `notice` (when there is one), redraw the map where `place()` says it is, refresh the Home."""
    if notice is not None:
        tell_later(runtime, response_url, notice)
    runtime.kick(PUSH_KICK)  # a change a CRM is told about (app.jobs.crm_push) goes out now
    redraw_map(runtime, client, team_id, account_id, place())
    refresh_home(runtime, client, team_id, user_id)
