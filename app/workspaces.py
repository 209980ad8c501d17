"""Workspaces (tenants) and their settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from app.assessment import DEFAULT_WINDOWS, Windows
from app.domain import StakeholderType
from app.errors import StakemapError
from app.models import Account, Workspace


def ensure_workspace(session: Session, team_id: str, now: datetime, enterprise_id: str | None = None) -> Workspace:
    """The workspace row for team_id, created on first sight (every other row points at it)."""
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        workspace = Workspace(team_id=team_id, enterprise_id=enterprise_id, config={}, created_at=now)
        session.add(workspace)
        session.flush()
    elif enterprise_id and workspace.enterprise_id != enterprise_id:
        workspace.enterprise_id = enterprise_id
    return workspace


def windows_of(workspace: Workspace | None) -> Windows:
    """Staleness windows: the workspace's overrides on top of the defaults."""
    overrides = (workspace.config or {}).get("windows", {}) if workspace else {}
    windows = dict(DEFAULT_WINDOWS)
    for value, days in overrides.items():
        windows[StakeholderType(value)] = int(days)
    return windows


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
