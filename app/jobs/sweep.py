"""The weekly sweep: each CSM gets one digest DM per ISO week, at the workspace's nudge time in their
own Slack time zone — exactly once, whatever restarts, replicas or Slack faults happen (SPEC §4, §6).

A pass reads, in a fixed number of statements, the account owners, their cached time zones, this
week's ledger rows and (only when someone is due) their stale relationships; then for each CSM due
it claims the ledger row, sends, and records the outcome (app/jobs/ledger.py). The scheduler in `serve`
runs a pass every few minutes, so a CSM whose send time passed while nothing ran (a restart, a
deploy) still gets this week's digest on the next pass; `stakemap nudges --now` sends at once.

A post whose answer was lost (a 5xx, a connection dropped after the request went out) may have been
delivered: the client does not retry it (app/platform/slack_retries.py) and the row is recorded *uncertain*.
Before any new attempt at an uncertain, failed or abandoned row, the DM's history is searched for this
week's digest (recognised by its metadata): found, it is recorded as sent; only otherwise is it posted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select

from app.core.domain import DeliveryStatus
from app.core.errors import ConfigError
from app.core.models import Account, NudgeDelivery, Workspace
from app.core.presence import SlackNews
from app.core.stale import StaleItem
from app.core.workspace_settings import settings_of
from app.jobs.ledger import (
    claim,
    claimer_id,
    ledger_rows,
    reclaim,
    record,
    retryable,
)
from app.platform.runtime import Runtime
from app.platform.slack_client import RECIPIENT_GONE, SLACK_FAILURES, conversation_opener
from app.platform.slack_client import failure_reason as _reason
from app.platform.slack_retries import outcome_unknown
from app.services.nudges import LocalWeek, local_week, stale_by_owner
from app.services.slack_users import cached_users, dm_channel, remember_user, tz_is_stale
from app.services.suggestions import slack_news_by_owner
from blocks.digest import MAX_ITEMS, digest_message

log = logging.getLogger("stakemap.nudges")

DIGEST_EVENT = "stakemap_weekly_digest"  # message metadata: how a sent digest is recognised later
HISTORY_LOOKBACK = 50  # recent DM messages searched for a digest a dead process may have sent


@dataclass
class SweepReport:
    team_id: str
    sent: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # user → Slack's error; retried next pass
    uncertain: dict[str, str] = field(default_factory=dict)  # answer lost: the next pass checks the DM first
    undeliverable: dict[str, str] = field(default_factory=dict)
    elsewhere: list[str] = field(default_factory=list)  # claimed by another process meanwhile

    def summary(self) -> str:
        parts = [f"Workspace {self.team_id}: sent {len(self.sent)} weekly digest{'' if len(self.sent) == 1 else 's'}"]
        if self.empty:
            parts.append(f"{len(self.empty)} CSM(s) had nothing stale (no DM)")
        if self.elsewhere:
            parts.append(f"{len(self.elsewhere)} handled by another process")
        if self.failed:
            errors = ", ".join(f"{user}: {error}" for user, error in sorted(self.failed.items()))
            parts.append(f"{len(self.failed)} failed and will be retried on the next run ({errors})")
        if self.uncertain:
            errors = ", ".join(f"{user}: {error}" for user, error in sorted(self.uncertain.items()))
            parts.append(f"{len(self.uncertain)} may have been delivered (Slack's answer was lost): the next run "
                         f"checks their DM and sends only if it is not there ({errors})")
        if self.undeliverable:
            errors = ", ".join(f"{user}: {error}" for user, error in sorted(self.undeliverable.items()))
            parts.append(f"{len(self.undeliverable)} could not be delivered ({errors})")
        return "; ".join(parts) + "."

    @property
    def settled(self) -> bool:
        """Every digest due was delivered, found empty, or refused for good: nothing left for a rerun."""
        return not (self.failed or self.uncertain)


def workspace_of(client: WebClient) -> str:
    """The workspace the bot token belongs to (auth.test)."""
    try:
        return client.auth_test()["team_id"]
    except SLACK_FAILURES as error:
        raise ConfigError(f"Slack did not accept SLACK_BOT_TOKEN ({_reason(error)}): check it and SLACK_API_URL.") from None


class Sweep:
    """One pass over one workspace. `send_now` sends to every CSM without waiting for their local time."""

    def __init__(self, runtime: Runtime, client: WebClient, team_id: str, *, send_now: bool = False):
        self.runtime = runtime
        self.client = client
        self.team_id = team_id
        self.send_now = send_now
        self.claimer = claimer_id()
        self.report = SweepReport(team_id)
        self.dm_channels: dict[str, str] = {}  # read with the time zones: no lookup per digest

    def run(self) -> SweepReport:
        now = self.runtime.now()
        due = self._due(now)
        if due:
            today_of = {user: week.today for user, (week, _) in due.items()}
            with self.runtime.db.session() as session:
                items = stale_by_owner(session, self.team_id, today_of, MAX_ITEMS)
                news = slack_news_by_owner(session, self.team_id, today_of)
            for user in sorted(due):
                week, row = due[user]
                self._deliver(user, week, row, items.get(user, []), news.get(user, SlackNews()))
        return self.report

    # --- who is due ---------------------------------------------------------------------------------

    def _due(self, now: datetime) -> dict[str, tuple[LocalWeek, NudgeDelivery | None]]:
        """CSMs whose digest should go out now: their time has come and this week's row allows it."""
        with self.runtime.db.session() as session:
            schedule = settings_of(session.get(Workspace, self.team_id)).nudge
            owners = session.scalars(
                select(Account.owner_user_id).where(Account.team_id == self.team_id,
                                                    Account.owner_user_id.is_not(None)).distinct()
            ).all()
            users = cached_users(session, self.team_id, owners)
        self.dm_channels = {user: cached.dm_channel_id for user, cached in users.items() if cached.dm_channel_id}
        zones = self._time_zones(owners, users, now)
        weeks = {user: local_week(now, zone, schedule) for user, zone in zones.items()}
        with self.runtime.db.session() as session:
            rows = ledger_rows(session, self.team_id, {user: week.week for user, week in weeks.items()})
        return {
            user: (week, rows.get(user))
            for user, week in weeks.items()
            if (self.send_now or week.due) and (user not in rows or retryable(rows[user], now))
        }

    def _time_zones(self, owners, users, now: datetime) -> dict[str, str | None]:
        """Each owner's Slack time zone (None: UTC), from the cache or users.info, then cached for TZ_REFRESH.

        An owner whose zone is not known yet because Slack did not answer is left for the next pass.
        """
        zones = {}
        for user in owners:
            cached = users.get(user)
            if not tz_is_stale(cached, now):
                zones[user] = cached.tz
                continue
            found, tz = self._look_up_tz(user, now)
            if found or cached is not None:
                zones[user] = tz if found else cached.tz
        return zones

    def _look_up_tz(self, user: str, now: datetime) -> tuple[bool, str | None]:
        """(True, tz) when Slack answered about the user (tz None: unknown user, UTC); (False, None) otherwise."""
        try:
            tz = self.client.users_info(user=user)["user"].get("tz")
        except SLACK_FAILURES as error:
            reason = _reason(error)
            if reason not in RECIPIENT_GONE:
                log.warning("users.info %s failed (%s): trying again next pass", user, reason)
                return False, None
            tz = None  # the DM will be refused too, and recorded as undeliverable
        with self.runtime.db.session() as session:
            remember_user(session, self.team_id, user, tz=tz, tz_checked_at=now)
        return True, tz

    # --- one CSM ------------------------------------------------------------------------------------

    def _deliver(self, user: str, week: LocalWeek, row: NudgeDelivery | None, items: list[StaleItem],
                 news: SlackNews) -> None:
        """Claim this week's row (or take over a retryable one), then send — or record that there was nothing
        to say (nothing stale, nothing new from Slack Connect)."""
        now = self.runtime.now()
        with self.runtime.db.session() as session:
            if row is None:
                status = DeliveryStatus.SENDING if items or news else DeliveryStatus.EMPTY
                row_id = claim(session, self.team_id, user, week.week, status, self.claimer, now, len(items))
            else:
                row_id = row.id if reclaim(session, row, self.claimer, now, len(items)) else None
        if row_id is None:
            self.report.elsewhere.append(user)
            return
        if row is not None and self._already_sent(user, week, row):
            return
        if not items and not news:
            if row is not None:
                with self.runtime.db.session() as session:
                    record(session, row_id, DeliveryStatus.EMPTY)
            self.report.empty.append(user)
            return
        self._send(user, week, row_id, items, news)

    def _already_sent(self, user: str, week: LocalWeek, row: NudgeDelivery) -> bool:
        """Before a retry: did an earlier attempt deliver after all (a process killed after posting, or a
        post whose answer was lost)? Recorded as sent when the digest is in the DM."""
        row_id = row.id
        channel = row.channel_id or self.dm_channels.get(user) or open_dm(self.runtime, self.client, self.team_id,
                                                                          user, open_if_missing=False)
        if channel is None:
            return False  # no DM was ever opened: nothing can have been posted
        try:
            history = self.client.conversations_history(channel=channel, limit=HISTORY_LOOKBACK,
                                                        include_all_metadata=True)
        except SLACK_FAILURES as error:
            self._failed(user, row_id, f"could not check for an earlier delivery: {_reason(error)}")
            return True
        for message in history.get("messages", []):
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == DIGEST_EVENT and payload.get("week") == week.week:
                self._sent(user, row_id, channel, message["ts"])
                return True
        return False

    def _send(self, user: str, week: LocalWeek, row_id: int, items: list[StaleItem], news: SlackNews) -> None:
        message = digest_message(items, week.today, news)
        metadata = {"event_type": DIGEST_EVENT, "event_payload": {"week": week.week, "user": user}}
        try:
            channel = self.dm_channels.get(user) or open_dm(self.runtime, self.client, self.team_id, user)
        except SLACK_FAILURES as error:
            self._not_posted(user, row_id, error)
            return
        try:
            posted = self.client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                                  metadata=metadata, unfurl_links=False)
        except SLACK_FAILURES as error:
            if outcome_unknown(error):
                self._uncertain(user, row_id, channel, _reason(error))
            else:
                self._not_posted(user, row_id, error)
            return
        self._sent(user, row_id, posted["channel"], posted["ts"])

    def _not_posted(self, user: str, row_id: int, error: Exception) -> None:
        """Slack certainly did not post: the recipient is gone for good, or the digest is retried next pass."""
        reason = _reason(error)
        if reason in RECIPIENT_GONE:
            self._undeliverable(user, row_id, reason)
            return
        if reason == "channel_not_found":  # a cached DM channel Slack no longer knows: open it again next time
            with self.runtime.db.session() as session:
                remember_user(session, self.team_id, user, dm_channel_id=None)
        self._failed(user, row_id, reason)

    # --- outcomes -----------------------------------------------------------------------------------

    def _sent(self, user: str, row_id: int, channel: str, ts: str) -> None:
        with self.runtime.db.session() as session:
            record(session, row_id, DeliveryStatus.SENT, now=self.runtime.now(), channel_id=channel, ts=ts)
        self.report.sent.append(user)

    def _failed(self, user: str, row_id: int, reason: str) -> None:
        with self.runtime.db.session() as session:
            record(session, row_id, DeliveryStatus.FAILED, error=reason)
        log.error("weekly digest to %s in %s failed (%s): retried on the next pass", user, self.team_id, reason)
        self.report.failed[user] = reason

    def _uncertain(self, user: str, row_id: int, channel: str, reason: str) -> None:
        with self.runtime.db.session() as session:
            record(session, row_id, DeliveryStatus.UNCERTAIN, channel_id=channel, error=reason)
        log.error("weekly digest to %s in %s may have been posted (%s): the next pass looks for it in the DM "
                  "before sending again", user, self.team_id, reason)
        self.report.uncertain[user] = reason

    def _undeliverable(self, user: str, row_id: int, reason: str) -> None:
        with self.runtime.db.session() as session:
            record(session, row_id, DeliveryStatus.UNDELIVERABLE, error=reason)
        log.error("weekly digest to %s in %s cannot be delivered (%s)", user, self.team_id, reason)
        self.report.undeliverable[user] = reason


def open_dm(runtime: Runtime, client: WebClient, team_id: str, user: str, *, open_if_missing: bool = True) -> str | None:
    """The DM channel with a user: cached, else conversations.open (rate-limited, so cached after)."""
    return dm_channel(runtime, team_id, user, conversation_opener(client) if open_if_missing else None)


def run_sweep(runtime: Runtime, client: WebClient, team_id: str | None = None, *,
              send_now: bool = False) -> SweepReport:
    """One pass over the token's workspace (found with auth.test unless given)."""
    return Sweep(runtime, client, team_id or workspace_of(client), send_now=send_now).run()
