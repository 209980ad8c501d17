"""After a change: confirm it to whoever made it, redraw the map they made it from, refresh their Home.

All of it runs after the ack (handlers.common.errors.after_ack): rendering a map or a Home can take a moment.
"""

from __future__ import annotations

from app.platform.runtime import Runtime
from blocks.notices import Notice
from handlers.common.after_ack import after_ack
from handlers.common.home import refresh_home
from handlers.common.maps import MapPlace, redraw_map
from handlers.common.payloads import ModalContext
from handlers.common.replies import tell_later


def after_modal(runtime: Runtime, client, context, modal: ModalContext, account_id: int | None, notice: Notice, *,
                body, respond) -> None:
    """After a modal's change is saved and the modal closed."""
    after_ack(runtime, _follow_up, runtime, client, context.team_id, context.user_id, account_id,
              MapPlace.of_modal(modal), modal.response_url, notice, body=body, respond=respond)


def after_action(runtime: Runtime, client, context, body: dict, respond, account_id: int | None) -> None:
    """After a button's change is saved: the map it was clicked on shows it."""
    after_ack(runtime, _follow_up, runtime, client, context.team_id, context.user_id, account_id,
              MapPlace.of_action(body), None, None, body=body, respond=respond)


def _follow_up(runtime: Runtime, client, team_id: str, user_id: str | None, account_id: int | None,
               place: MapPlace, response_url: str | None, notice: Notice | None) -> None:
    if notice is not None:
        tell_later(runtime, response_url, notice)
    redraw_map(runtime, client, team_id, account_id, place)
    refresh_home(runtime, client, team_id, user_id)
