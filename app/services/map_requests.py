"""A map someone asks for by name from a channel (`/stakemap Acme`): whether that channel may see it — asked
first, so the answer is complete before anything is rendered — then the map as it is now, or, for a name no
account has, the names that look like it."""

from __future__ import annotations

from collections.abc import Callable

from app.core.maps import AccountMap, MapAnswer
from app.platform.runtime import Runtime
from app.services.accounts import close_matches
from app.services.channels import AskSlack, is_shared
from app.services.maps import current_map


def requested_map(runtime: Runtime, team_id: str, name: str, channel_id: str | None, ask: AskSlack,
                  render: Callable[[AccountMap], object]) -> MapAnswer:
    """The map of the account with that name for a request from that channel (`ask` is how Slack is asked
    whether the channel is shared, when that is not known yet); rendered by `render` (through the map cache)."""
    private = is_shared(runtime.db, team_id, channel_id, ask, runtime.now())
    with runtime.db.reading() as session:
        message = current_map(runtime, session, team_id, render, name=name)
        if message is None:
            return MapAnswer(name, matches=tuple(close_matches(session, team_id, name)))
    return MapAnswer(name, message, private)
