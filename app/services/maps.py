"""The current map of an account: its stamp (what a rendering depends on), its assessment and its trends.

The rendering is the caller's (blocks/map.py, called by handlers): `current_map` renders through the
runtime's map cache, once per version of the account, day and staleness windows, and reads the account
only when that rendering is not cached yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from sqlmodel import Session

from app.core.maps import AccountMap, LinkedChannel
from app.core.trends import TREND_DAYS, trends
from app.platform.runtime import Runtime
from app.services.accounts import assess_account, close_matches, get_account, map_stamp
from app.services.channel_links import account_channels
from app.services.channels import AskSlack, is_shared
from app.services.history import account_history

Rendered = TypeVar("Rendered")


def account_map(session: Session, team_id: str, account_id: int, today: date) -> AccountMap:
    """The assessment and trends of the account on `today` (NotFound in another workspace)."""
    account = get_account(session, team_id, account_id)
    history = account_history(session, team_id, account.id, since=today - timedelta(days=TREND_DAYS))
    links = account_channels(session, team_id, [account.id]).get(account.id, [])
    channels = tuple(LinkedChannel(link.channel_id, link.name, link.last_customer_message_at) for link in links)
    return AccountMap(assess_account(session, account, today), trends(history, today), channels)


def current_map(runtime: Runtime, session: Session, team_id: str, render: Callable[[AccountMap], Rendered], *,
                name: str | None = None, account_id: int | None = None) -> Rendered | None:
    """The rendered map of the account with that name or id, as it is now; None when there is no such account.

    Its trends come from the history, and every history row bumps the version too (app/core/models.py).
    """
    stamp = map_stamp(session, team_id, name=name, account_id=account_id)
    if stamp is None:
        return None
    today = runtime.today()
    key = ("map", stamp.account_id, today, stamp.windows)
    return runtime.maps.get_or_make(key, stamp.version,
                                    lambda: render(account_map(session, team_id, stamp.account_id, today)))


@dataclass(frozen=True)
class MapAnswer:
    """What `/stakemap <account>` shows: the rendered map, and whether only the caller may see it (a channel
    shared with another organisation, or one Slack says nothing about); or, for an unknown name, the
    names of the accounts that look like it."""

    name: str
    map: object | None = None
    private: bool = False
    matches: tuple[str, ...] = ()


def requested_map(runtime: Runtime, team_id: str, name: str, channel_id: str | None, ask: AskSlack,
                  render: Callable[[AccountMap], Rendered]) -> MapAnswer:
    """The map of the account with that name for a request from that channel (`ask` is how Slack is asked
    whether the channel is shared, when that is not known yet)."""
    with runtime.db.reading() as session:
        message = current_map(runtime, session, team_id, render, name=name)
        if message is None:
            return MapAnswer(name, matches=tuple(close_matches(session, team_id, name)))
    return MapAnswer(name, message, is_shared(runtime.db, team_id, channel_id, ask, runtime.now()))
