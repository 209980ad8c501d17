"""The weekly leader digest: the report's headline numbers and top renewals at risk, posted once per ISO week
(UTC) in the channel the workspace's leader settings name, at their weekday and time (SPEC §7).

Exactly once, with the CSM digests' ledger (app/jobs/ledger.py): a row keyed (workspace, LEDGER_KEY, week)
is claimed with INSERT … ON CONFLICT DO NOTHING before posting, its ts recorded after; a failed post (or a
claim abandoned mid-send) is taken over by exactly one later pass. LEDGER_KEY cannot be a Slack user id,
so it never collides with a CSM's digest. The channel is checked again before each post: one that became
shared with another organisation gets nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient

from app.core.domain import DeliveryStatus
from app.core.report import iso_week, week_start
from app.core.workspace_settings import LeaderSettings
from app.jobs.ledger import claim, claimer_id, ledger_rows, reclaim, record, retryable
from app.jobs.sweep import HISTORY_LOOKBACK, _reason
from app.platform.runtime import Runtime
from app.platform.slack_client import SLACK_FAILURES
from app.services.report import build_report, leader_settings
from blocks.report import leader_digest_message
from handlers.common.channels import channel_is_shared

log = logging.getLogger("stakemap.leader_digest")

LEDGER_KEY = "#leaders"  # the ledger's user_id for the leader digest (Slack user ids start with U or W)
DIGEST_EVENT = "stakemap_leader_digest"


def due_at(now: datetime, leader: LeaderSettings) -> datetime:
    """This ISO week's send moment (UTC)."""
    monday = week_start(now.date())
    return datetime.combine(monday + timedelta(days=leader.weekday), leader.at, tzinfo=now.tzinfo)


def post_digest(client: WebClient, channel_id: str, message, week: str) -> tuple[str, str]:
    """The one place the leader digest is posted into a channel: (channel, ts)."""
    posted = client.chat_postMessage(channel=channel_id, text=message.text, blocks=message.blocks,
                                     metadata={"event_type": DIGEST_EVENT, "event_payload": {"week": week}},
                                     unfurl_links=False)
    return posted["channel"], posted["ts"]


def _posted_earlier(client: WebClient, channel_id: str, week: str) -> str | None:
    """The ts of this week's digest among the channel's recent messages (found by its metadata), if any."""
    try:
        history = client.conversations_history(channel=channel_id, limit=HISTORY_LOOKBACK, include_all_metadata=True)
    except SLACK_FAILURES:
        return None  # cannot tell: post (a duplicate is better than a lost digest; the post itself may fail too)
    for message in history.get("messages", []):
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == DIGEST_EVENT and (metadata.get("event_payload") or {}).get("week") == week:
            return message["ts"]
    return None


def run_leader_digest(runtime: Runtime, client: WebClient, team_id: str, *, send_now: bool = False) -> str:
    """One pass for one workspace; returns what happened ("sent", "not due", "off", …)."""
    now = runtime.now()
    with runtime.db.reading() as session:
        leader = leader_settings(session, team_id)
    if not leader.channel_id:
        return "off"
    week = iso_week(now.date())
    if not send_now and now < due_at(now, leader):
        return "not due"
    with runtime.db.session() as session:
        row = ledger_rows(session, team_id, {LEDGER_KEY: week}).get(LEDGER_KEY)
        if row is not None and not retryable(row, now):
            return "already sent"
        by = claimer_id()
        if row is None:
            row_id = claim(session, team_id, LEDGER_KEY, week, DeliveryStatus.SENDING, by, now, 0)
        else:
            row_id = row.id if reclaim(session, row, by, now, 0) else None
    if row_id is None:
        return "claimed elsewhere"
    if channel_is_shared(runtime, client, team_id, leader.channel_id):
        with runtime.db.session() as session:
            record(session, row_id, DeliveryStatus.UNDELIVERABLE, error="the channel is shared or unknown")
        log.error("leader digest of %s not posted: %s is shared or unknown", team_id, leader.channel_id)
        return "refused: shared channel"
    if row is not None:  # a retry: did an earlier attempt post after all (a process killed before recording)?
        earlier = _posted_earlier(client, leader.channel_id, week)
        if earlier is not None:
            with runtime.db.session() as session:
                record(session, row_id, DeliveryStatus.SENT, now=runtime.now(), channel_id=leader.channel_id,
                       ts=earlier)
            return "already sent"
    with runtime.db.reading() as session:
        message = leader_digest_message(build_report(session, team_id, now.date()))
    try:
        channel, ts = post_digest(client, leader.channel_id, message, week)
    except SLACK_FAILURES as error:
        with runtime.db.session() as session:
            record(session, row_id, DeliveryStatus.FAILED, error=_reason(error))
        log.error("leader digest of %s failed (%s): retried on the next pass", team_id, _reason(error))
        return "failed"
    with runtime.db.session() as session:
        record(session, row_id, DeliveryStatus.SENT, now=runtime.now(), channel_id=channel, ts=ts)
    return "sent"


def leader_digest_pass(runtime: Runtime) -> None:
    """What the scheduler runs: every workspace with a token; never raises."""
    from app.jobs.scheduler import workspaces

    try:
        for workspace in workspaces(runtime):
            try:
                outcome = run_leader_digest(runtime, workspace.client, workspace.team_id)
            except Exception:
                log.exception("the leader digest pass failed in %s; the next pass tries again", workspace.team_id)
                continue
            if outcome in ("sent", "failed"):
                log.info("leader digest of %s: %s", workspace.team_id, outcome)
    except Exception:
        log.exception("the leader digest pass failed")
