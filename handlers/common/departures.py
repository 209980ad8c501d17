"""Recording that a contact left the company, from any surface (the digest's button, the map's menu,
the contact modal), and telling the account's channel (or its owner) when coverage changed.

Entry points: `record_departure` (record, tell, return the confirmation) for a button; a save that records
the departure itself (the contact modal) calls `announce_departure` after the ack. Which channel may be
posted in, and whether anything is told at all, is app/services/departures.py's; here it is posted.
"""

from __future__ import annotations

import logging

from app.core.departures import Departure
from app.core.errors import NotFound
from app.platform.runtime import Runtime
from app.platform.slack_client import SLACK_FAILURES, channel_asker, conversation_opener
from app.services.departures import Announcement, announcement, leave_company
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
from handlers.common.after_ack import after_action
from handlers.common.replies import answer

log = logging.getLogger(__name__)


def record_departure(runtime: Runtime, client, team_id: str, contact_id: int, user_id: str | None) -> Notice:
    """Mark the contact as left the company (status history records who and when) and, when it was a
    champion, economic buyer or executive sponsor, post the coverage change — new overall risk and the
    suggested next step — to the account's channel, or DM the account owner when there is none.

    `client` is the WebClient of the listener (Bolt's `client`); call it after the ack (it posts).
    Returns the confirmation for the person who did it. Raises app.core.errors.NotFound when the contact
    does not exist in this workspace. Calling it again for the same contact changes and posts nothing.
    """
    departed = leave_company(runtime.db, team_id, contact_id, user_id, runtime.now(), channel_asker(client))
    departure = departed.departure
    if not departure.changed:
        return already_left(departure.contact_name)
    told = tell_coverage(runtime, client, team_id, departed.announcement, user_id)
    return marked_left(departure.contact_name, departure.contact_type.label, departure.account_name, told)


def depart_from_map(runtime: Runtime, client, context, body: dict, respond, contact_id: int, account_id: int) -> None:
    """After the ack of the map's "Left the company": record, announce, tell the person, redraw the map."""
    try:
        notice = record_departure(runtime, client, context.team_id, contact_id, context.user_id)
    except NotFound as error:
        notice = plain_notice(str(error))
    answer(client, body, respond, notice)
    after_action(runtime, client, context, body, respond, account_id)


def announce_departure(runtime: Runtime, client, team_id: str, departure: Departure, user_id: str | None) -> str:
    """After the ack of a save that recorded `departure`: tell it where
    app/services/departures.py says; the sentence saying where, "" when there was nothing to tell."""
    told = announcement(runtime.db, team_id, departure, channel_asker(client), runtime.now())
    return tell_coverage(runtime, client, team_id, told, user_id)


def tell_coverage(runtime: Runtime, client, team_id: str, told: Announcement | None, user_id: str | None) -> str:
    """Post the coverage change in the channel, else (or when Slack refuses) DM the owner; say where in
    one sentence ("" when there is nothing to tell)."""
    if told is None:
        return ""
    message = coverage_changed(told.departure, user_id)
    if told.channel_id:
        try:
            client.chat_postMessage(channel=told.channel_id, text=message.text, blocks=message.blocks)
            return coverage_posted(told.channel_id)
        except SLACK_FAILURES as error:
            log.warning("could not post a coverage change in %s (%s): telling the owner", told.channel_id, error)
    if told.owner_user_id:
        try:
            channel = dm_channel(runtime, team_id, told.owner_user_id, conversation_opener(client))
            client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
            if told.channel_shared:
                return coverage_told_owner_privately(told.owner_user_id)
            return coverage_told_owner(told.owner_user_id)
        except SLACK_FAILURES as error:
            log.error("could not tell %s about a coverage change (%s)", told.owner_user_id, error)
    return coverage_not_told()
