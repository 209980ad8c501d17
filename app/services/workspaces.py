"""Workspaces (tenants): created on first sight, their settings saved, the one a command works on."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from app.core.assessment import DEFAULT_WINDOWS, Windows
from app.core.domain import StakeholderType
from app.core.errors import StakemapError
from app.core.models import Account, Workspace
from app.core.strategy import DEFAULT_TABLE, ProposalRow
from app.core.workspace_settings import CaptureSettings, NudgeSchedule, WorkspaceSettings, settings_of
from app.platform.db import insert_if_absent
from app.platform.runtime import Runtime
from app.services.capture_cache import CAPTURE_CACHE

log = logging.getLogger(__name__)

def update_settings(session: Session, team_id: str, windows: Windows, nudge: NudgeSchedule, now: datetime,
                    capture: CaptureSettings | None = None) -> list[str]:
    """Save only what differs from the current settings; returns what changed ("Champion window 30 → 45 days").

    A window set back to its default drops the override, so it follows the default from then on.
    """
    workspace = session.get(Workspace, team_id, with_for_update=True) or ensure_workspace(session, team_id, now)
    current = settings_of(workspace)
    config = dict(workspace.config or {})
    changed = []
    overrides = {kind.value: days for kind, days in current.windows.items()}
    for kind in StakeholderType:
        old, new = current.window(kind), windows[kind]
        if old == new:
            continue
        changed.append(f"{kind.label} window {old} → {new} days")
        overrides.pop(kind.value, None)
        if new != DEFAULT_WINDOWS[kind]:
            overrides[kind.value] = new
    if changed:
        config["windows"] = overrides
    if nudge != current.nudge:
        changed.append(f"nudges {current.nudge.label} → {nudge.label}")
        config["nudge"] = nudge.model_dump(mode="json")
    if capture is not None and capture != current.capture:
        changed.append(f"{current.capture.label} → {capture.label}")
        config["capture"] = capture.model_dump()
        CAPTURE_CACHE.clear()  # every linked channel's switch is read again
    if changed:
        WorkspaceSettings.model_validate(config)  # never store what cannot be read back
        workspace.config = config
    return changed


def set_strategy_table(session: Session, team_id: str, rows: list[ProposalRow] | None) -> bool:
    """Replace the workspace's proposal table (None, or the default table's rows: back to the default);
    returns whether it changed. Proposals follow at once; accepted and own strategies stay as they are."""
    workspace = session.get(Workspace, team_id, with_for_update=True)
    if workspace is None:
        raise StakemapError(f"No workspace {team_id} in this database.")
    config = dict(workspace.config or {})
    before = config.get("strategy_table")
    if rows is None or tuple(rows) == DEFAULT_TABLE:
        config.pop("strategy_table", None)
    else:
        config["strategy_table"] = [row.model_dump(mode="json") for row in rows]
    WorkspaceSettings.model_validate(config)  # never store what cannot be read back
    workspace.config = config
    return config.get("strategy_table") != before


def ensure_workspace(session: Session, team_id: str, now: datetime, enterprise_id: str | None = None) -> Workspace:
    """The workspace row for team_id, created on first sight (every other row points at it).

    Created with INSERT … ON CONFLICT DO NOTHING: replicas seeing a new workspace at once agree on one row.
    """
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        insert_if_absent(session, Workspace, {"team_id": team_id, "enterprise_id": enterprise_id, "config": {},
                                              "created_at": now})
        workspace = session.get(Workspace, team_id)
    elif enterprise_id and workspace.enterprise_id != enterprise_id:
        workspace.enterprise_id = enterprise_id
    return workspace


def resolve_team(session: Session, team: str | None) -> str:
    """The workspace a command-line command works on: the one given, or the only one there is."""
    if team:
        if session.get(Workspace, team) is None:
            raise StakemapError(f"No workspace {team} in this database.")
        return team
    teams = session.scalars(select(Workspace.team_id).order_by(Workspace.team_id)).all()
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise StakemapError("The database holds no workspace yet: run `stakemap demo` or install the Slack app.")
    raise StakemapError(f"The database holds {len(teams)} workspaces: pick one with --team ({', '.join(teams[:5])}).")


def account_count(session: Session, team_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Account).where(Account.team_id == team_id)) or 0


def current_settings(runtime: Runtime, team_id: str) -> WorkspaceSettings:
    """The workspace's settings as the settings modal shows them (the defaults for a workspace not stored yet)."""
    with runtime.db.reading() as session:
        return settings_of(session.get(Workspace, team_id))


def save_settings(runtime: Runtime, team_id: str, windows: Windows, nudge: NudgeSchedule,
                  capture: CaptureSettings | None = None) -> list[str]:
    """The settings modal's save (update_settings), committed; what changed."""
    with runtime.db.session() as session:
        return update_settings(session, team_id, windows, nudge, runtime.now(), capture)
