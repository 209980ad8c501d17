"""An account's map as several surfaces show it: the account a request names, the map posted or shown
privately, and the map redrawn where it was after a change made from it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from app.core.errors import NotFound
from app.core.models import Account
from app.platform.runtime import Runtime
from app.platform.slack_client import channel_asker, post_encoded, send_to_response_url
from app.services import maps
from app.services.accounts import SoughtAccount, sought_account
from app.services.map_requests import requested_map
from blocks.map import MapMessage, account_map_message, map_modal
from blocks.notices import map_only_to_you, unknown_account
from handlers.common.channels import channel_is_shared
from handlers.common.payloads import (
    ModalContext,
    is_map_message,
    map_view_id,
    message_origin,
)
from handlers.common.replies import tell, tell_later
from handlers.common.requests import CommandRequest

log = logging.getLogger(__name__)


def map_now(runtime: Runtime, team_id: str, account_id: int) -> MapMessage:
    """The account's map as it is now; NotFound (told by the failure path) when the account is gone."""
    return maps.map_now(runtime, team_id, account_id, account_map_message)


def show_map(runtime: Runtime, client, respond, team_id: str, channel_id: str | None, name: str) -> None:
    """Post the account's map in the channel, or tell the caller it does not exist. In a channel shared with
    another organisation (or one Slack says nothing about) the map is shown only to the caller."""
    found = requested_map(runtime, team_id, name, channel_id, channel_asker(client), account_map_message)
    if found.map is None:
        tell(respond, unknown_account(name, list(found.matches)))
    elif found.private:
        send_to_response_url(runtime.settings, respond.response_url, text=found.map.text, blocks=found.map.blocks,
                             response_type="ephemeral", replace_original=False)
        tell_later(runtime, respond.response_url, map_only_to_you())  # then the one sentence saying why
    else:
        post_encoded(runtime.settings, respond.response_url, found.map.channel_post)


def known_account(request: CommandRequest, sought: SoughtAccount) -> Account | None:
    """The account a command names, or None once the caller has been told no account has that name (with
    the names that look like it, and a Create button)."""
    if sought.account is None:
        tell(request.respond, unknown_account(request.account, sought.matches))
    return sought.account


def requested_account(request: CommandRequest) -> Account | None:
    """The account a command names, or None once the caller has been told it does not exist."""
    return known_account(request, sought_account(request.runtime, request.team_id, request.account))


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


def _modal_metadata(team_id: str, account_id: int) -> str:
    return ModalContext(team_id=team_id, account_id=account_id).dump()


def redraw_map(runtime: Runtime, client, team_id: str, account_id: int | None, place: MapPlace) -> None:
    """Show the account's current map where it was; a map that cannot be redrawn is left as it was."""
    if account_id is None or not place.shown:
        return
    try:
        message = map_now(runtime, team_id, account_id)
    except NotFound:  # deleted meanwhile: nothing to redraw
        return
    if place.view_id:
        try:
            client.views_update(view_id=place.view_id, view=map_modal(message, _modal_metadata(team_id, account_id)))
        except SlackApiError as error:  # the modal was closed meanwhile: nothing to redraw
            log.info("could not redraw a map modal: %s", error.response.get("error"))
    if place.response_url and (place.ephemeral or not channel_is_shared(runtime, client, team_id, place.channel_id)):
        send_to_response_url(runtime.settings, place.response_url, text=message.text, blocks=message.blocks,
                             replace_original=True)
