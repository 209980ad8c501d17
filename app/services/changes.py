"""What a change's follow-up shows, read in one call after the ack: the Home of whoever made the change (when
it is this follow-up's turn to publish it), whether the channel of the map the change was made from may see
it redrawn, and that map as it is now (rendered through the map cache: app/services/maps.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from app.core.errors import NotFound
from app.core.maps import AccountMap
from app.platform.runtime import Runtime
from app.services.channels import AskSlack, is_shared
from app.services.home import AskUser, Home, home_of
from app.services.maps import map_now


class AfterChange(NamedTuple):
    home: Home | None  # None: not asked for
    map: object | None  # the rendered map; None: not asked for, or the account is gone
    map_shared: bool  # the map's message is in a channel that may reach another organisation: left as it was


def after_change(runtime: Runtime, team_id: str, *, home_for: str | None, stale_shown: int, ask_user: AskUser,
                 account_id: int | None, render_map: Callable[[AccountMap], object], channel_id: str | None,
                 ask_channel: AskSlack | None) -> AfterChange:
    """The Home of `home_for`; the map of `account_id`; with `ask_channel`, whether `channel_id` (where that
    map's message is) is shared with another organisation."""
    home = home_of(runtime, team_id, home_for, stale_shown, ask_user) if home_for else None
    shared = ask_channel is not None and is_shared(runtime.db, team_id, channel_id, ask_channel, runtime.now())
    try:
        message = map_now(runtime, team_id, account_id, render_map) if account_id is not None else None
    except NotFound:  # deleted meanwhile: nothing to redraw
        message = None
    return AfterChange(home, message, shared)
