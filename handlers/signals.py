"""Signals from Slack Connect: a contact's Slack user leaves a linked channel (`member_left_channel`), is
deactivated or changes title (`user_change`). The account's owner is asked by DM at once — each signal once
(app/services/signals.py claims it in the ledger first) — and answers with *Left the company* (the
departure flow), *Still there*, or, for a new title, *Update title*. Nothing changes on a signal alone.

Each DM carries the signal's id in its message metadata and its outcome is recorded; one whose answer was
lost, that Slack refused, or whose process died mid-send is sent by the scheduled pass
(app/jobs/signal_pass.py), which first looks for it in the owner's DM."""

from __future__ import annotations

import logging
import re

from slack_bolt import App

from app.core.domain import DeliveryStatus
from app.core.errors import NotFound
from app.core.models import SLACK_ID_RE
from app.core.presence import Signal
from app.platform.runtime import Runtime
from app.platform.slack_client import RECIPIENT_GONE, SLACK_FAILURES, conversation_opener, failure_reason
from app.platform.slack_retries import outcome_unknown
from app.services import signals
from app.services.slack_users import dm_channel, forget_dm_channel
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

SIGNAL_EVENT = "stakemap_signal"  # message metadata: how a sent signal is recognised in the owner's DM later
HISTORY_LOOKBACK = 50  # recent DM messages searched for a signal an earlier attempt may have posted


def send_signals(runtime: Runtime, client, team_id: str, claimed: list[Signal], *,
                 look_first: bool = False) -> list[DeliveryStatus]:
    """DM each claimed signal to its account's owner and record what became of it (sent, failed, uncertain,
    undeliverable). `look_first` (a retry): an earlier attempt may have posted it, so the DM is searched
    for the signal's metadata before posting again."""
    return [_deliver(runtime, client, team_id, signal, look_first) for signal in claimed]


def _deliver(runtime: Runtime, client, team_id: str, signal: Signal, look_first: bool) -> DeliveryStatus:
    if look_first:
        found = _posted_earlier(runtime, client, team_id, signal)
        if found is not None:
            return found
    message = signal_message(signal)
    metadata = {"event_type": SIGNAL_EVENT, "event_payload": {"signal": signal.id}}
    channel = None
    try:
        channel = dm_channel(runtime, team_id, signal.owner_user_id, conversation_opener(client))
        posted = client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                         metadata=metadata, unfurl_links=False)
    except SLACK_FAILURES as error:
        posted_maybe = channel is not None and outcome_unknown(error)
        return _not_delivered(runtime, team_id, signal, error, channel if posted_maybe else None)
    return _record(runtime, signal, DeliveryStatus.SENT, channel_id=posted["channel"], ts=posted["ts"])


def _posted_earlier(runtime: Runtime, client, team_id: str, signal: Signal) -> DeliveryStatus | None:
    """Before a retry: SENT when the signal is in the owner's DM after all, FAILED when the DM could not be
    read (tried again next pass), None when it is not there (or no DM was ever opened)."""
    channel = dm_channel(runtime, team_id, signal.owner_user_id, None)
    if channel is None:
        return None
    try:
        history = client.conversations_history(channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True)
    except SLACK_FAILURES as error:
        reason = f"conversations.history: {failure_reason(error)}"
        log.error("signal %s: could not look for an earlier delivery (%s); retried on the next pass", signal.id, reason)
        return _record(runtime, signal, DeliveryStatus.FAILED, error=reason)
    for message in history.get("messages", []):
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == SIGNAL_EVENT and payload.get("signal") == signal.id:
            return _record(runtime, signal, DeliveryStatus.SENT, channel_id=channel, ts=message["ts"])
    return None


def _not_delivered(runtime: Runtime, team_id: str, signal: Signal, error: Exception,
                   channel: str | None) -> DeliveryStatus:
    """Uncertain when Slack may have posted it (`channel` given), undeliverable when the owner cannot be
    reached, failed otherwise; the scheduled pass retries the uncertain and failed ones."""
    reason = failure_reason(error)
    if channel is not None:
        status = DeliveryStatus.UNCERTAIN
        log.error("signal %s may have been DMed to %s (%s): the next pass looks for it before sending again",
                  signal.id, signal.owner_user_id, reason)
    elif reason in RECIPIENT_GONE:
        status = DeliveryStatus.UNDELIVERABLE
        log.error("signal %s cannot be DMed to %s (%s)", signal.id, signal.owner_user_id, reason)
    else:
        status = DeliveryStatus.FAILED
        if reason == "channel_not_found":
            forget_dm_channel(runtime, team_id, signal.owner_user_id)
        log.error("could not DM signal %s to %s (%s): retried on the next pass", signal.id, signal.owner_user_id,
                  reason)
    return _record(runtime, signal, status, channel_id=channel, error=reason)


def _record(runtime: Runtime, signal: Signal, status: DeliveryStatus, **outcome) -> DeliveryStatus:
    signals.record_delivery(runtime, signal.id, status, **outcome)
    return status


def _member_left(runtime: Runtime, client, team_id: str, user_id: str, channel_id: str) -> None:
    claimed = signals.on_left_channel(runtime, team_id, user_id, channel_id)
    send_signals(runtime, client, team_id, claimed)


def _profile_changed(runtime: Runtime, client, team_id: str, profile: signals.SlackProfile) -> None:
    claimed = signals.on_profile_changed(runtime, team_id, profile)
    send_signals(runtime, client, team_id, claimed)


# --- the owner's answer ------------------------------------------------------------------------------


def left_the_company(runtime: Runtime, client, context, signal: Signal) -> str:
    """The existing departure flow (status, coverage-change notice, new overall risk, suggested step)."""
    return "🚪 " + record_departure(runtime, client, context.team_id, signal.contact_id, context.user_id).text


def _update_title(runtime: Runtime, client, context, signal: Signal) -> str:
    signals.take_title(runtime, context.team_id, signal, context.user_id)
    return title_updated(signal)


def _still_there(runtime: Runtime, client, context, signal: Signal) -> str:
    return still_there(signal)


ANSWERS = {ids.SIGNAL_LEFT: left_the_company, ids.SIGNAL_TITLE: _update_title, ids.SIGNAL_STILL: _still_there}


def _answered(runtime: Runtime, client, context, body: dict, respond, choice: str) -> None:
    """After the ack: record the answer once, act on it, and let the DM say what was done instead of its buttons."""
    try:
        signal = signals.record_answer(runtime, context.team_id, int_or_none(action_value(body)) or 0, context.user_id)
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
