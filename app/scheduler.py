"""The nudge scheduler inside `serve`: a sweep pass every few minutes (APScheduler 3.x).

Each pass sends to every CSM whose local send time has passed this week and who has no digest in
the ledger yet, so a restart (or a pass missed for any reason) around the send time still delivers
this week's digest on the next pass. Several replicas may each run it: the ledger keeps every
digest to one.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from app.runtime import Runtime
from app.slack_app import web_client
from app.sweep import run_sweep, workspace_of

log = logging.getLogger("stakemap.scheduler")

SWEEP_EVERY = timedelta(minutes=5)
MISFIRE_GRACE = timedelta(hours=1)  # a pass delayed (busy machine, suspended VM) still runs


class NudgeJob:
    """One scheduled pass; the workspace is found once with auth.test."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.client = web_client(runtime.settings)
        self.team_id: str | None = None

    def __call__(self) -> None:
        try:
            self.team_id = self.team_id or workspace_of(self.client)
            report = run_sweep(self.runtime, self.client, self.team_id)
        except Exception:  # the scheduler must survive anything; the next pass tries again
            log.exception("the weekly nudge pass failed; the next pass runs in %s", SWEEP_EVERY)
            return
        if report.sent or report.failed or report.undeliverable:
            log.info(report.summary())


def start_scheduler(runtime: Runtime) -> BackgroundScheduler:
    """Start the background scheduler; the first pass runs at once (catching up after a restart)."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        NudgeJob(runtime),
        IntervalTrigger(seconds=SWEEP_EVERY.total_seconds()),
        id="weekly-nudges",
        name="weekly nudge pass",
        next_run_time=runtime.now(),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
        replace_existing=True,
    )
    scheduler.start()
    log.info("nudge scheduler started: a pass every %s", SWEEP_EVERY)
    return scheduler
