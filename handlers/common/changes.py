"""After a change: confirm it to whoever made it, redraw the map they made it from, refresh their Home.

It runs after the ack (handlers.common.after_ack.after_modal / after_action): rendering a map or a Home can
take a moment. One service call reads what the follow-up shows (app/services/changes.py), blocks/ render
it, and it is sent in the order the person sees it: the confirmation, the map, the Home.

The Home is published under the runtime's LatestOnly per user: when a publish of that user's Home is already
running, only the Home waits its turn (the latest request's), and the confirmation and map go at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from slack_sdk.errors import SlackApiError

from app.core.outbox import PUSH_KICK
from app.platform.runtime import Runtime
from app.platform.slack_client import channel_asker, post_ephemeral, send_to_response_url, user_asker
from app.services.changes import after_change
from blocks.home import STALE_SHOWN, home_view
from blocks.map import account_map_message, map_modal
from blocks.notices import Notice
from handlers.common.home import publish_now
from handlers.common.maps import modal_metadata
from handlers.common.payloads import ModalContext, is_map_message, map_view_id, message_origin

log = logging.getLogger(__name__)
Confirmation = Callable[[], Notice]  # a blocks/ function with the saved change bound: rendered after the ack


@dataclass(frozen=True)
class MapPlace:
    """Where a map someone acted on is shown: a modal (from the App Home) or a message (via response_url)
    in a channel, seen by everyone there or (ephemeral) only by the person acting."""

    view_id: str | None = None
    response_url: str | None = None
    channel_id: str | None = None
    ephemeral: bool = False  # only the person acting sees the message: redrawing it shows nobody else

    @property
    def shown(self) -> bool:
        """Whether there is a map to redraw at all (in a modal, or a message we may replace)."""
        return bool(self.view_id or self.response_url)

    @classmethod
    def of_action(cls, body: dict) -> MapPlace:
        url = body.get("response_url") if is_map_message(body) else None
        container = body.get("container") if isinstance(body.get("container"), dict) else {}
        return cls(map_view_id(body), url if isinstance(url, str) else None, message_origin(body)[0],
                   ephemeral=container.get("is_ephemeral") is True)

    @classmethod
    def of_modal(cls, modal: ModalContext) -> MapPlace:
        return cls(modal.map_view_id, modal.response_url if modal.map_message else None, modal.channel_id)


def follow_up(runtime: Runtime, client, team_id: str, user_id: str | None, account_id: int | None,
              place: Callable[[], MapPlace], response_url: str | None, confirm: Confirmation | None) -> None:
    """Tell `confirm()` (when there is one and a response_url to tell it on), redraw the map where `place()`
    says it is, refresh the Home of `user_id`."""
    runtime.kick(PUSH_KICK)  # a change a CRM is told about (app.jobs.crm_push) goes out now
    show = partial(_show, runtime, client, team_id, user_id, account_id, place(), response_url, confirm)
    if not user_id:
        show(with_home=False)
        return
    try:
        ran = runtime.homes.run((team_id, user_id), partial(show, with_home=True),
                                waiting=partial(publish_now, runtime, client, team_id, user_id, 0))
    except SlackApiError as error:  # the change is saved; the Home is published again when opened
        log.warning("could not refresh the App Home: %s", error.response.get("error"))
        return
    if not ran:
        show(with_home=False)


def _show(runtime: Runtime, client, team_id: str, user_id: str | None, account_id: int | None, where: MapPlace,
          response_url: str | None, confirm: Confirmation | None, *, with_home: bool) -> None:
    redraw_here = where.response_url is not None and not where.ephemeral  # in a channel: unless it is shared
    shown = after_change(runtime, team_id, home_for=user_id if with_home else None, stale_shown=STALE_SHOWN,
                         ask_user=user_asker(client), account_id=account_id if where.shown else None,
                         render_map=account_map_message, channel_id=where.channel_id,
                         ask_channel=channel_asker(client) if redraw_here else None)
    notice = confirm() if confirm is not None and response_url else None
    home = home_view(shown.home.portfolio, 0, shown.home.report) if shown.home is not None else None
    if notice is not None:
        post_ephemeral(runtime.settings, response_url, notice.text, notice.blocks)
    if shown.map is not None:
        _redraw(runtime, client, team_id, account_id, where, shown.map, shown.map_shared)
    if home is not None:
        client.views_publish(user_id=user_id, view=home)


def _redraw(runtime: Runtime, client, team_id: str, account_id: int, where: MapPlace, message, shared: bool) -> None:
    """Show the account's current map where it was; a map that cannot be redrawn is left as it was."""
    if where.view_id:
        try:
            client.views_update(view_id=where.view_id, view=map_modal(message, modal_metadata(team_id, account_id)))
        except SlackApiError as error:  # the modal was closed meanwhile: nothing to redraw
            log.info("could not redraw a map modal: %s", error.response.get("error"))
    if where.response_url and (where.ephemeral or not shared):
        send_to_response_url(runtime.settings, where.response_url, text=message.text, blocks=message.blocks,
                             replace_original=True)
