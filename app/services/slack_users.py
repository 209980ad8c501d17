"""What is cached about Slack users (SlackUser rows): their time zone and the DM channel with them.

Opening a DM is Slack's business: dm_channel takes the call that opens the conversation, so this service
never imports Slack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from app.core.models import SlackUser
from app.platform.db import insert_for
from app.platform.runtime import Runtime

TZ_REFRESH = timedelta(days=7)


def cached_users(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, SlackUser]:
    query = select(SlackUser).where(SlackUser.team_id == team_id, SlackUser.user_id.in_(list(user_ids)))
    return {user.user_id: user for user in session.scalars(query)}


def tz_is_stale(user: SlackUser | None, now: datetime) -> bool:
    return user is None or user.tz_checked_at is None or user.tz_checked_at < now - TZ_REFRESH


def remember_user(session: Session, team_id: str, user_id: str, **values) -> None:
    """Insert or update what is cached about a user (tz and tz_checked_at, or dm_channel_id)."""
    statement = (
        insert_for(session, SlackUser).values(team_id=team_id, user_id=user_id, **values)
        .on_conflict_do_update(index_elements=["team_id", "user_id"], set_=values)
    )
    session.execute(statement)


def dm_channel(runtime: Runtime, team_id: str, user: str, open_conversation: Callable[[str], str] | None) -> str | None:
    """The DM channel with a user: cached, else `open_conversation(user)` (rate-limited, so cached after);
    None when it is not cached and `open_conversation` is None."""
    with runtime.db.session() as session:
        cached = cached_users(session, team_id, [user]).get(user)
    if cached is not None and cached.dm_channel_id:
        return cached.dm_channel_id
    if open_conversation is None:
        return None
    channel = open_conversation(user)
    with runtime.db.session() as session:
        remember_user(session, team_id, user, dm_channel_id=channel)
    return channel


def forget_dm_channel(runtime: Runtime, team_id: str, user_id: str) -> None:
    """A cached DM channel Slack no longer knows: opened again next time."""
    with runtime.db.session() as session:
        remember_user(session, team_id, user_id, dm_channel_id=None)
