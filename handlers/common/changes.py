"""After a change: redraw the map it was made from, refresh the Home of whoever made it, then confirm it to them.

It runs after the ack (handlers.common.after_ack.after_modal / after_action): rendering a map or a Home can
take a moment. Everything shown is read first (the map, then the Home, each through its service) and the
confirmation is rendered last, from what the save returned, so one follow-up reads, renders and sends once.
"""

from __future__ import annotations

from collections.abc import Callable

from app.platform.runtime import Runtime
from app.platform.slack_client import send_to_response_url
from blocks.notices import Notice
from handlers.common.home import refresh_home
from handlers.common.maps import MapPlace, redraw_map

Confirmation = Callable[[], Notice]  # a blocks/ function (with its data bound): rendered after the map and the Home


def follow_up(runtime: Runtime, client, team_id: str, user_id: str | None, account_id: int | None,
              place: Callable[[], MapPlace], response_url: str | None, confirm: Confirmation | None) -> None:
    """Redraw the map where `place()` says it is, refresh the Home, then tell the confirmation (when there is
    one and somewhere to tell it: the response_url the modal was opened from)."""
    where = place()
    if account_id is not None and where.shown:
        redraw_map(runtime, client, team_id, account_id, where)
    refresh_home(runtime, client, team_id, user_id)
    if confirm is not None and response_url:
        notice = confirm()
        send_to_response_url(runtime.settings, response_url, text=notice.text, blocks=notice.blocks,
                             response_type="ephemeral", replace_original=False)
