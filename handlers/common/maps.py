"""An account's map as several surfaces show it: the account a request names, the map posted or shown
privately, and the map redrawn where it was after a change made from it."""

from __future__ import annotations

import logging

from app.core.models import Account
from app.platform.runtime import Runtime
from app.platform.slack_client import channel_asker, post_encoded, post_ephemeral
from app.services import maps
from app.services.accounts import SoughtAccount, sought_account
from app.services.map_requests import requested_map
from blocks.map import MapMessage, account_map_message
from blocks.notices import map_only_to_you, unknown_account
from handlers.common.payloads import (
    ModalContext,
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
        post_ephemeral(runtime.settings, respond.response_url, found.map.text, found.map.blocks)
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


def modal_metadata(team_id: str, account_id: int) -> str:
    """The private_metadata of a map shown in a modal."""
    return ModalContext(team_id=team_id, account_id=account_id).dump()
