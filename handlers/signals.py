"""Signals from Slack Connect: a contact's Slack user leaves a linked channel (`member_left_channel`), is
deactivated or changes title (`user_change`). The account's owner is asked by DM at once — each signal once
(app/services/signals.py claims it in the ledger first) — and answers with *Left the company* (the
departure flow), *Still there*, or, for a new title, *Update title*. Nothing changes on a signal alone."""

from __future__ import annotations

import logging
import re

from slack_bolt import App

from app.core.errors import NotFound
from app.core.models import SLACK_ID_RE
from app.core.presence import Signal
from app.platform.runtime import Runtime
from app.platform.slack_client import SLACK_FAILURES, conversation_opener
from app.services import signals
from app.services.slack_users import dm_channel
from blocks import ids
from blocks.capture import signal_message, signal_settled, still_there, title_updated
from blocks.notices import plain_notice
from handlers.common.after_ack import after_ack, after_action
from handlers.common.departures import record_departure
from handlers.common.errors import guarded
from handlers.common.payloads import action_value, int_or_none
from handlers.common.replies import answer

log = logging.getLogger(__name__)


def _slack_id(value) -> str | None:
    return value if isinstance(value, str) and SLACK_ID_RE.match(value) else None


def parse_profile(event: dict) -> signals.SlackProfile | None:
    """The user a user_change event describes (Slack's users.info `user` object), or None when malformed."""
    user = event.get("user") if isinstance(event.get("user"), dict) else {}
    user_id = _slack_id(user.get("id"))
    if user_id is None:
        return None
    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    title = profile.get("title") if isinstance(profile.get("title"), str) else None
    return signals.SlackProfile(user_id=user_id, deleted=user.get("deleted") is True, title=title)


# --- telling the owner ------------------------------------------------------------------------------


def send_signals(runtime: Runtime, client, team_id: str, claimed: list[Signal]) -> None:
    """DM each claimed signal to its account's owner; a DM Slack refuses is logged (the ledger keeps it unsent)."""
    for signal in claimed:
        message = signal_message(signal)
        try:
            channel = dm_channel(runtime, team_id, signal.owner_user_id, conversation_opener(client))
            client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False)
        except SLACK_FAILURES as error:
            log.error("could not DM signal %s to the account's owner (%s)", signal.id, error)
            continue
        with runtime.db.session() as session:
            signals.mark_sent(session, signal.id, runtime.now())


def _member_left(runtime: Runtime, client, team_id: str, user_id: str, channel_id: str) -> None:
    with runtime.db.session() as session:
        claimed = signals.left_channel(session, team_id, user_id, channel_id, runtime.now())
    send_signals(runtime, client, team_id, claimed)


def _profile_changed(runtime: Runtime, client, team_id: str, profile: signals.SlackProfile) -> None:
    with runtime.db.session() as session:
        claimed = signals.profile_changed(session, profile, team_id, runtime.now())
    send_signals(runtime, client, team_id, claimed)


# --- the owner's answer ------------------------------------------------------------------------------


def left_the_company(runtime: Runtime, client, context, signal: Signal) -> str:
    """The existing departure flow (status, coverage-change notice, new overall risk, suggested step)."""
    return "🚪 " + record_departure(runtime, client, context.team_id, signal.contact_id, context.user_id).text


def _update_title(runtime: Runtime, client, context, signal: Signal) -> str:
    with runtime.db.session() as session:
        signals.update_title(session, context.team_id, signal, context.user_id, runtime.now())
    return title_updated(signal)


def _still_there(runtime: Runtime, client, context, signal: Signal) -> str:
    return still_there(signal)


ANSWERS = {ids.SIGNAL_LEFT: left_the_company, ids.SIGNAL_TITLE: _update_title, ids.SIGNAL_STILL: _still_there}


def _answered(runtime: Runtime, client, context, body: dict, respond, choice: str) -> None:
    """After the ack: record the answer once, act on it, and let the DM say what was done instead of its buttons."""
    try:
        with runtime.db.session() as session:
            signal = signals.answer(session, context.team_id, int_or_none(action_value(body)) or 0, context.user_id,
                                    runtime.now())
        outcome = ANSWERS[choice](runtime, client, context, signal)
    except NotFound as error:
        answer(client, body, respond, plain_notice(str(error)))
        return
    settled = signal_settled(signal, outcome)
    respond(replace_original=True, text=settled.text, blocks=settled.blocks)
    after_action(runtime, client, context, body, respond, signal.account_id)


def register(app: App, runtime: Runtime) -> None:
    @app.event("member_left_channel")
    @guarded
    def member_left(ack, body, event, client, context, respond):
        ack()
        user_id, channel_id = _slack_id(event.get("user")), _slack_id(event.get("channel"))
        if user_id and channel_id:
            after_ack(runtime, _member_left, runtime, client, context.team_id, user_id, channel_id,
                      body=body, respond=respond)

    @app.event("user_change")
    @guarded
    def user_changed(ack, body, event, client, context, respond):
        ack()
        profile = parse_profile(event)
        if profile is not None:
            after_ack(runtime, _profile_changed, runtime, client, context.team_id, profile, body=body, respond=respond)

    @app.action(re.compile(rf"^({ids.SIGNAL_LEFT}|{ids.SIGNAL_STILL}|{ids.SIGNAL_TITLE}):\d+$"))
    @guarded
    def answered(ack, body, client, context, respond):
        ack()
        choice = str(body["actions"][0]["action_id"]).partition(":")[0]
        after_ack(runtime, _answered, runtime, client, context, body, respond, choice, body=body, respond=respond)
