"""The signal pass: no signal DM is lost. Run by the scheduler in `serve` every few minutes.

A signal's DM is sent at once when its event arrives (handlers/signals.py). One Slack refused, one whose
answer was lost (a 5xx, a connection dropped after the request went out), or one whose process died
between the claim and the outcome, is left in the ledger unsent. Each pass takes such rows over one at a
time with a compare-and-set (so two replicas never both send), looks for the signal's metadata in the
owner's DM (found: recorded sent), and only otherwise posts it again. A signal tried MAX_ATTEMPTS times,
or older than NEWS_FOR, is given up with a logged error.
"""

from __future__ import annotations

import logging
from collections import Counter

from slack_sdk import WebClient

from app.core.domain import DeliveryStatus
from app.jobs.scheduler import workspaces
from app.platform.claims import claimer_id
from app.platform.runtime import Runtime
from app.services import signals
from handlers.signals import send_signals

log = logging.getLogger("stakemap.signals")


def resend_signals(runtime: Runtime, client: WebClient, team_id: str) -> Counter:
    """One pass over a workspace's unsent signals: what became of each (a Counter of statuses; "given up"
    and "elsewhere" — taken by another process — counted too)."""
    now, claimer, outcomes = runtime.now(), claimer_id(), Counter()
    with runtime.db.session() as session:
        rows = signals.unsent(session, team_id, now)
    for row in rows:
        if signals.past_news(row, now):
            reason = f"given up after {row.attempts} attempt(s): {row.error or 'no outcome recorded'}"
            with runtime.db.session() as session:
                given_up = signals.give_up(session, row, reason)
            if given_up:
                log.error("signal %s in %s was never DMed to its account's owner (%s)", row.id, team_id, reason)
                outcomes["given up"] += 1
            continue
        with runtime.db.session() as session:
            signal = signals.reclaim(session, row, claimer, now)
        if signal is None:
            outcomes["elsewhere"] += 1
            continue
        outcomes.update(status.value for status in send_signals(runtime, client, team_id, [signal], look_first=True))
    return outcomes


def signal_pass(runtime: Runtime) -> None:
    """What the scheduler runs: every workspace, never raises (the next pass tries again)."""
    try:
        installed = workspaces(runtime)
    except Exception:
        log.exception("the signal pass could not list workspaces; the next pass tries again")
        return
    for workspace in installed:
        try:
            outcomes = resend_signals(runtime, workspace.client, workspace.team_id)
        except Exception:
            log.exception("the signal pass failed in %s; the next pass tries again", workspace.team_id)
            continue
        if outcomes:
            log.info("signal pass in %s: %s", workspace.team_id,
                     ", ".join(f"{count} {what}" for what, count in sorted(outcomes.items())))
        if outcomes[DeliveryStatus.UNCERTAIN.value] or outcomes[DeliveryStatus.FAILED.value]:
            log.warning("signal pass in %s left DMs to retry on the next pass", workspace.team_id)
