"""The weekly nudges' passes: one workspace per bot token, and the scheduler inside `serve` (APScheduler 3.x).

Each pass sends to every CSM whose local send time has passed this week and who has no digest in
the ledger yet, so a restart (or a pass missed for any reason) around the send time still delivers
this week's digest on the next pass. Several replicas may each run it: the ledger keeps every
digest to one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from app.core.errors import StakemapError
from app.jobs.sweep import SweepReport, run_sweep, workspace_of
from app.platform.installations import installed_bots
from app.platform.observability import record_sweep
from app.platform.runtime import Runtime
from app.platform.slack_client import web_client

log = logging.getLogger("stakemap.scheduler")

SWEEP_EVERY = timedelta(minutes=5)
PRUNE_EVERY = timedelta(hours=6)  # captured rows past the retention (app/jobs/capture_jobs.py)
MISFIRE_GRACE = timedelta(hours=1)  # a pass delayed (busy machine, suspended VM) still runs


@dataclass(frozen=True)
class Installed:
    team_id: str
    client: WebClient


def workspaces(runtime: Runtime, team: str | None = None) -> list[Installed]:
    """Every workspace stakemap holds a bot token for: the installs (OAuth), or SLACK_BOT_TOKEN's (auth.test)."""
    settings = runtime.settings
    if settings.oauth_enabled:
        found = [Installed(bot.team_id, web_client(settings, bot.token))
                 for bot in installed_bots(settings, runtime.db.engine) if team in (None, bot.team_id)]
        if team and not found:
            raise StakemapError(f"stakemap is not installed in workspace {team}.")
        return found
    settings.require("slack_bot_token")
    client = web_client(settings)
    team_id = workspace_of(client)
    if team and team != team_id:
        raise StakemapError(f"SLACK_BOT_TOKEN belongs to workspace {team_id}, not {team}.")
    return [Installed(team_id, client)]


def sweep_all(runtime: Runtime, team: str | None = None, *, send_now: bool = False) -> list[SweepReport]:
    """One pass over each workspace; one workspace failing does not stop the others (it is logged)."""
    reports = []
    for workspace in workspaces(runtime, team):
        started = time.perf_counter()
        try:
            report = run_sweep(runtime, workspace.client, workspace.team_id, send_now=send_now)
        except Exception:
            log.exception("the weekly nudge pass failed in %s; the next pass tries again", workspace.team_id)
            report = SweepReport(workspace.team_id, failed={"*": "the pass stopped: see the log"})
        record_sweep(time.perf_counter() - started, len(report.sent), len(report.failed), len(report.undeliverable),
                     len(report.empty), uncertain=len(report.uncertain))
        reports.append(report)
    return reports


def nudge_pass(runtime: Runtime) -> None:
    """What the scheduler runs: never raises (the next pass tries again), logs what it sent."""
    try:
        reports = sweep_all(runtime)
    except Exception:
        log.exception("the weekly nudge pass failed; the next pass runs in %s", SWEEP_EVERY)
        return
    for report in reports:
        if report.sent or report.failed or report.uncertain or report.undeliverable:
            log.info(report.summary())


def start_scheduler(runtime: Runtime) -> BackgroundScheduler:
    """Start the background scheduler; the first pass runs at once (catching up after a restart)."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        nudge_pass,
        IntervalTrigger(seconds=SWEEP_EVERY.total_seconds()),
        args=[runtime],
        id="weekly-nudges",
        name="weekly nudge pass",
        next_run_time=runtime.now(),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
        replace_existing=True,
    )
    _add_leader_jobs(scheduler, runtime)
    _add_crm_job(scheduler, runtime)
    _add_push_job(scheduler, runtime)
    scheduler.start()
    log.info("nudge scheduler started: a pass every %s", SWEEP_EVERY)
    return scheduler


def _add_leader_jobs(scheduler: BackgroundScheduler, runtime: Runtime) -> None:
    """The weekly coverage snapshots (hourly: cheap once the week is taken), the leader digest, the signal
    DMs left unsent (app/jobs/signal_pass.py) and the capture retention."""
    from app.jobs.capture_jobs import prune_pass
    from app.jobs.leader_digest import leader_digest_pass
    from app.jobs.signal_pass import signal_pass
    from app.jobs.snapshots import snapshot_pass

    # The snapshot pass refreshes each account's figures of the day: on every whole UTC hour, so the day's first
    # pass runs at midnight and the morning's reports read stored figures rather than assessing every account.
    for job, trigger, job_id in ((snapshot_pass, CronTrigger(minute=0, timezone=UTC), "weekly-snapshots"),
                                 (leader_digest_pass, IntervalTrigger(seconds=SWEEP_EVERY.total_seconds()), "leader-digest"),
                                 (signal_pass, IntervalTrigger(seconds=SWEEP_EVERY.total_seconds()), "signal-resend"),
                                 (prune_pass, IntervalTrigger(seconds=PRUNE_EVERY.total_seconds()), "capture-retention")):
        scheduler.add_job(job, trigger, args=[runtime], id=job_id,
                          next_run_time=runtime.now(), coalesce=True, max_instances=1,
                          misfire_grace_time=int(MISFIRE_GRACE.total_seconds()), replace_existing=True)


def _add_crm_job(scheduler: BackgroundScheduler, runtime: Runtime) -> None:
    """The CRM pull (every CRM_SYNC_HOURS, default 3), when a CRM is configured; the first pass runs at once."""
    from app.jobs.crm_sync import crm_sync_every, crm_sync_pass

    every = crm_sync_every(runtime)
    if every is None:
        return
    scheduler.add_job(crm_sync_pass, IntervalTrigger(seconds=every.total_seconds()), args=[runtime], id="crm-sync",
                      next_run_time=runtime.now(), coalesce=True, max_instances=1,
                      misfire_grace_time=int(MISFIRE_GRACE.total_seconds()), replace_existing=True)


def _add_push_job(scheduler: BackgroundScheduler, runtime: Runtime) -> None:
    """The CRM push (every CRM_PUSH_SECONDS, default 10), when CRM_PUSH switches anything on: it delivers what
    the kick after a change left behind (a 429, a 5xx, a lost answer, a restart)."""
    from app.jobs.crm_push import crm_push_pass, push_enabled

    if not push_enabled(runtime):
        return
    scheduler.add_job(crm_push_pass, IntervalTrigger(seconds=runtime.settings.crm_push_seconds), args=[runtime],
                      id="crm-push", next_run_time=runtime.now(), coalesce=True, max_instances=1,
                      misfire_grace_time=int(MISFIRE_GRACE.total_seconds()), replace_existing=True)
