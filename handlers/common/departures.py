"""Recording that a contact left the company, from any surface (the digest's button, the map's menu,
the contact modal), and telling the account's channel when coverage changed."""

from __future__ import annotations

import logging

from app.core.departures import Departure
from app.core.errors import NotFound
from app.platform.runtime import Runtime
from app.platform.slack_client import SLACK_FAILURES, conversation_opener
from app.services.departures import contact_left
from app.services.slack_users import dm_channel
from blocks.departures import coverage_changed
from blocks.notices import (
    Notice,
    already_left,
    coverage_not_told,
    coverage_posted,
    coverage_told_owner,
    coverage_told_owner_privately,
    marked_left,
    plain_notice,
)
from handlers.common.changes import after_action
from handlers.common.channels import channel_is_shared
from handlers.common.replies import answer

log = logging.getLogger(__name__)


def record_departure(runtime: Runtime, client, team_id: str, contact_id: int, user_id: str | None) -> Notice:
    """Mark the contact as left the company (status history records who and when) and, when it was a
    champion, economic buyer or executive sponsor, post the coverage change — new overall risk and the
    suggested next step — to the account's channel, or DM the account owner when there is none.

    `client` is the WebClient of the listener (Bolt's `client`); call it after the ack (it posts).
    Returns the confirmation for the person who did it, for `tell(respond, notice)`. Raises
    app.core.errors.NotFound when the contact does not exist in this workspace. Calling it again for the
    same contact changes and posts nothing. A path that saves other changes in the same transaction
    (the contact modal) uses app.services.departures.contact_left there and announce_departure after the ack.
    """
    with runtime.db.session() as session:
        departure = contact_left(session, team_id, contact_id, user_id, runtime.now())
    if not departure.changed:
        return already_left(departure.contact_name)
    announced = announce_departure(runtime, client, team_id, departure, user_id)
    return marked_left(departure.contact_name, departure.contact_type.label, departure.account_name, announced)


def depart_from_map(runtime: Runtime, client, context, body: dict, respond, contact_id: int, account_id: int) -> None:
    """After the ack of the map's "Left the company": record, announce, tell the person, redraw the map."""
    try:
        notice = record_departure(runtime, client, context.team_id, contact_id, context.user_id)
    except NotFound as error:
        notice = plain_notice(str(error))
    answer(client, body, respond, notice)
    after_action(runtime, client, context, body, respond, account_id)


def announce_departure(runtime: Runtime, client, team_id: str, departure: Departure, user_id: str | None) -> str:
    """Post the coverage change where the account's people look, when a key role left; say where (or
    why not) in one sentence, "" when there was nothing to announce. A channel shared with another
    organisation (or one Slack says nothing about) gets nothing: the owner is told by DM instead."""
    if not departure.coverage_changed:
        return ""
    message = coverage_changed(departure, user_id)
    private = departure.channel_id is not None and channel_is_shared(runtime, client, team_id, departure.channel_id)
    if departure.channel_id and not private:
        try:
            client.chat_postMessage(channel=departure.channel_id, text=message.text, blocks=message.blocks)
            return coverage_posted(departure.channel_id)
        except SLACK_FAILURES as error:
            log.warning("could not post a coverage change in %s (%s): telling the owner", departure.channel_id, error)
    if departure.owner_user_id:
        try:
            channel = dm_channel(runtime, team_id, departure.owner_user_id, conversation_opener(client))
            client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
            if private:
                return coverage_told_owner_privately(departure.owner_user_id)
            return coverage_told_owner(departure.owner_user_id)
        except SLACK_FAILURES as error:
            log.error("could not tell %s about a coverage change (%s)", departure.owner_user_id, error)
    return coverage_not_told()
