"""Capture's scheduled and command-line work: backfilling an account's linked channels (`stakemap capture
backfill Acme`) and pruning captured rows past the workspace's retention (daily, and `stakemap capture
prune`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from app.core.models import Workspace
from app.jobs.scheduler import workspaces
from app.platform.runtime import Runtime
from app.platform.slack_client import backfill_budget, history_reader, user_asker
from app.services.accounts import find_account
from app.services.capture import prune_captured
from app.services.capture_backfill import Backfill, backfill_channel
from app.services.channel_links import account_channels

log = logging.getLogger("stakemap.capture")


@dataclass(frozen=True)
class ChannelBackfill:
    channel_id: str
    name: str | None
    result: Backfill


def backfill_account(runtime: Runtime, team: str | None, account_name: str) -> list[ChannelBackfill] | None:
    """Read the last 90 days of each of the account's linked channels (None: no such account)."""
    [workspace] = workspaces(runtime, team)
    with runtime.db.session() as session:
        account = find_account(session, workspace.team_id, account_name)
        if account is None:
            return None
        links = [(link.channel_id, link.name)
                 for link in account_channels(session, workspace.team_id, [account.id]).get(account.id, [])]
    read = history_reader(workspace.client, backfill_budget(workspace.team_id))
    profile = user_asker(workspace.client)
    return [ChannelBackfill(channel, name, backfill_channel(runtime.db, workspace.team_id, channel, read, profile,
                                                             runtime.now()))
            for channel, name in links]


def prune_pass(runtime: Runtime) -> dict[str, tuple[int, int]]:
    """Prune every workspace's captured rows past its retention; never raises (the next pass tries again)."""
    pruned = {}
    try:
        with runtime.db.session() as session:
            teams = list(session.scalars(select(Workspace.team_id)))
        for team_id in teams:
            with runtime.db.session() as session:
                pruned[team_id] = prune_captured(session, team_id, runtime.today())
    except Exception:
        log.exception("pruning captured rows failed; the next pass tries again")
    for team_id, (touches, days) in pruned.items():
        if touches or days:
            log.info("pruned %d captured touches and %d channel days in %s", touches, days, team_id)
    return pruned
