"""Workspaces (tenants) and their settings."""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model
from sqlalchemy import func, select
from sqlmodel import Session

from app.core.assessment import DEFAULT_WINDOWS, Windows
from app.platform.db import insert_if_absent
from app.core.domain import StakeholderType
from app.core.errors import StakemapError
from app.core.models import Account, Workspace

log = logging.getLogger(__name__)

WINDOW_MAX_DAYS = 365
WindowDays = Annotated[int, Field(ge=1, le=WINDOW_MAX_DAYS)]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class NudgeSchedule(BaseModel):
    """When each CSM gets the weekly digest: a weekday (0 = Monday) and a time, in their own time zone."""

    model_config = ConfigDict(frozen=True)

    weekday: int = Field(default=0, ge=0, le=6)
    at: time = time(9, 0)

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} at {self.at:%H:%M}"


class WorkspaceSettings(BaseModel):
    """workspace.config as stored: window overrides and the nudge schedule; keys others add are kept."""

    model_config = ConfigDict(extra="allow")

    windows: dict[StakeholderType, WindowDays] = Field(default_factory=dict)  # overrides of the defaults
    nudge: NudgeSchedule = Field(default_factory=NudgeSchedule)

    def window(self, kind: StakeholderType) -> int:
        return self.windows.get(kind, DEFAULT_WINDOWS[kind])


def _days(value: object) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not 1 <= int(text) <= WINDOW_MAX_DAYS:
        raise ValueError(f"Enter a whole number of days from 1 to {WINDOW_MAX_DAYS}.")
    return int(text)


def window_field(kind: StakeholderType) -> str:
    """The settings form's field (and the modal's block_id) for a type's window: "window_champion"."""
    return f"window_{kind.value}"


class _SettingsFormBase(BaseModel):
    nudge_weekday: int = Field(ge=0, le=6)
    nudge_time: time

    def windows(self) -> dict[StakeholderType, int]:
        return {kind: getattr(self, window_field(kind)) for kind in StakeholderType}

    def schedule(self) -> NudgeSchedule:
        return NudgeSchedule(weekday=self.nudge_weekday, at=self.nudge_time.replace(second=0, microsecond=0))


# What the settings modal submits: the nudge day and time, and one window per stakeholder type.
SettingsForm = create_model(
    "SettingsForm",
    __base__=_SettingsFormBase,
    **{window_field(kind): (Annotated[int, BeforeValidator(_days)], ...) for kind in StakeholderType},
)


def settings_of(workspace: Workspace | None) -> WorkspaceSettings:
    """The workspace's settings; a config that no longer validates falls back to the defaults (logged)."""
    try:
        return WorkspaceSettings.model_validate((workspace.config or {}) if workspace else {})
    except ValidationError as error:
        log.warning("workspace %s has invalid settings, using the defaults: %s", workspace.team_id, error)
        return WorkspaceSettings()


def update_settings(session: Session, team_id: str, windows: Windows, nudge: NudgeSchedule, now: datetime) -> list[str]:
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
    if changed:
        WorkspaceSettings.model_validate(config)  # never store what cannot be read back
        workspace.config = config
    return changed


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


def windows_of(workspace: Workspace | None) -> Windows:
    """Staleness windows: the workspace's overrides on top of the defaults."""
    settings = settings_of(workspace)
    return {kind: settings.window(kind) for kind in StakeholderType}


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
