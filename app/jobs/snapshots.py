"""The weekly coverage snapshots, run by the scheduler inside `serve` and by `stakemap snapshot`.

Snapshots need no Slack: every workspace with accounts in the database is taken. Every hour the pass also
refreshes each account's figures of the day (what the leader's report reads): cheap when the week is taken
and few maps changed (a handful of statements per workspace, only the changed accounts assessed), so the
scheduler runs it every hour.
"""

from __future__ import annotations

import logging

from app.platform.runtime import Runtime
from app.services.snapshots import SnapshotPass, take_snapshots, workspaces_with_accounts

log = logging.getLogger("stakemap.snapshots")



def snapshot_all(runtime: Runtime, team: str | None = None) -> list[SnapshotPass]:
    """This week's snapshot of each workspace (or one); a workspace failing does not stop the others."""
    with runtime.db.reading() as session:
        teams = [team] if team else workspaces_with_accounts(session)
    passes = []
    for team_id in teams:
        try:
            with runtime.db.session() as session:
                passes.append(take_snapshots(session, team_id, runtime.today()))
        except Exception:
            log.exception("the weekly snapshot of %s failed; the next pass tries again", team_id)
    return passes


def snapshot_pass(runtime: Runtime) -> None:
    """What the scheduler runs: never raises, logs what it took."""
    try:
        for taken in snapshot_all(runtime):
            if taken.taken:
                log.info(taken.summary())
    except Exception:
        log.exception("the weekly snapshot pass failed; the next pass runs on the next whole hour")
