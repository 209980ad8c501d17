"""Whether a channel is shared with another organisation (Slack Connect): nothing internal is posted
in such a channel, and when Slack's answer is unknown the channel counts as shared.

Slack says it in conversations.info (`is_ext_shared`, `is_pending_ext_shared`, or `is_shared` with a
team that is not ours). The answer is kept per (workspace, channel) in the database, so every replica
agrees, and trusted for TRUST_FOR; the channel_shared event marks the channel shared at once and
channel_unshared forgets the answer, so the next post asks Slack again. An answer Slack did not give
(an error, a missing scope, a private channel the bot is not in, a network failure) is never kept.

Direct messages are asked about too: a DM with the bot is internal, but one between a CSM and someone of
another organisation (Slack Connect) is not, and the bot, not being in it, cannot tell — so it is shared.

Nothing here knows Slack's client: the caller hands in `ask`, which returns conversations.info's
channel object, or None when Slack did not answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session

from app.core.models import ChannelAudience
from app.platform.db import Database, insert_for

ChannelInfo = Mapping[str, Any]
AskSlack = Callable[[str], ChannelInfo | None]

TRUST_FOR = timedelta(hours=1)  # a missed event is corrected within this time
# conversations.info's lists of the teams in a channel (internal_team_ids are our own organisation's)
TEAM_LISTS = ("shared_team_ids", "connected_team_ids", "pending_connected_team_ids")


def shared_beyond(channel: ChannelInfo, team_id: str) -> bool:
    """Whether Slack's conversation object says another organisation can (or soon will) read the channel."""
    if channel.get("is_ext_shared") or channel.get("is_pending_ext_shared") or channel.get("pending_shared"):
        return True
    if channel.get("is_org_shared"):  # shared between workspaces of our own Enterprise Grid organisation
        return False
    others = {team for key in TEAM_LISTS for team in _ids(channel.get(key)) if team != team_id}
    host = channel.get("conversation_host_id")
    foreign_host = isinstance(host, str) and bool(host) and host != team_id
    return bool(channel.get("is_shared")) or bool(others) or foreign_host


def is_shared(db: Database, team_id: str, channel_id: str | None, ask: AskSlack, now: datetime) -> bool:
    """Whether posting in the channel could reach another organisation; True when nobody knows."""
    if not channel_id:
        return True
    with db.reading() as session:
        known = session.get(ChannelAudience, (team_id, channel_id))
        if known is not None and now - _aware(known.checked_at) < TRUST_FOR:
            return known.shared
    channel = ask(channel_id)
    if channel is None:
        return True
    shared = shared_beyond(channel, team_id)
    with db.session() as session:
        remember(session, team_id, channel_id, shared, now)
    return shared


def remember(session: Session, team_id: str, channel_id: str, shared: bool, at: datetime) -> None:
    """Keep what Slack said, unless a newer answer (an event received meanwhile) is already kept."""
    values = {"shared": shared, "checked_at": at}
    statement = insert_for(session, ChannelAudience).values(team_id=team_id, channel_id=channel_id, **values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["team_id", "channel_id"], set_=values,
        where=ChannelAudience.checked_at <= at))


def sharing_changed(db: Database, team_id: str, channel_id: str, shared: bool, at: datetime) -> None:
    """The channel_shared (`shared`) or channel_unshared event."""
    if shared:
        became_shared(db, team_id, channel_id, at)
    else:
        became_unshared(db, team_id, channel_id)


def became_shared(db: Database, team_id: str, channel_id: str, at: datetime) -> None:
    """The channel_shared event: the channel is shared from now on."""
    with db.session() as session:
        remember(session, team_id, channel_id, True, at)


def became_unshared(db: Database, team_id: str, channel_id: str) -> None:
    """The channel_unshared event: forget the answer (another organisation may still be in the
    channel), so the next post asks Slack."""
    with db.session() as session:
        session.execute(delete(ChannelAudience).where(ChannelAudience.team_id == team_id,
                                                      ChannelAudience.channel_id == channel_id))


def _ids(value: Any) -> Iterable[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
