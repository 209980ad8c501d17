"""A workspace's settings as stored in workspace.config: staleness windows per stakeholder type, the
weekly nudge's day and time, the engagement-strategy proposal table — and the settings form that edits
the first two (the table is edited as a CSV file: `stakemap strategy table`)."""

from __future__ import annotations

import json
import logging
from datetime import time
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from app.core.assessment import DEFAULT_WINDOWS, Windows
from app.core.domain import StakeholderType
from app.core.models import Workspace
from app.core.strategy import DEFAULT_TABLE, TABLE_MAX_ROWS, ProposalRow, ProposalTable

log = logging.getLogger(__name__)

WINDOW_MAX_DAYS = 365
WindowDays = Annotated[int, Field(ge=1, le=WINDOW_MAX_DAYS)]
RETENTION_MIN, RETENTION_MAX = 30, 3650  # days captured rows are kept (Slack Connect capture)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class NudgeSchedule(BaseModel):
    """When each CSM gets the weekly digest: a weekday (0 = Monday) and a time, in their own time zone."""

    model_config = ConfigDict(frozen=True)

    weekday: int = Field(default=0, ge=0, le=6)
    at: time = time(9, 0)

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} at {self.at:%H:%M}"


class LeaderSettings(BaseModel):
    """The leader's view (SPEC §7): who counts as a lead, the weekly leader digest, exchange rates.

    `rates` gives, for a currency, what one unit is worth in `currency` (the reporting currency):
    {"USD": 0.92} with currency "EUR" reads "1 USD = 0.92 EUR".
    """

    model_config = ConfigDict(frozen=True)

    leads: tuple[str, ...] = ()  # Slack user ids who see the Portfolio section of the App Home
    channel_id: str | None = None  # where the weekly leader digest goes (an internal channel); None: off
    weekday: int = Field(default=0, ge=0, le=6)  # the digest's day (0 = Monday) and time, UTC
    at: time = time(9, 0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    rates: dict[Annotated[str, Field(pattern=r"^[A-Z]{3}$")], Annotated[Decimal, Field(gt=0)]] = Field(default_factory=dict)

    @property
    def schedule_label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} at {self.at:%H:%M} UTC"


class CaptureSettings(BaseModel):
    """Slack Connect capture for the whole workspace (each account has its own switch too) and how long
    captured rows are kept."""

    enabled: bool = True
    retention_days: int = Field(default=365, ge=RETENTION_MIN, le=RETENTION_MAX)

    @property
    def label(self) -> str:
        return f"capture {'on' if self.enabled else 'off'}, captured rows kept {self.retention_days} days"


class WorkspaceSettings(BaseModel):
    """workspace.config as stored: window overrides and the nudge schedule; keys others add are kept."""

    model_config = ConfigDict(extra="allow")

    windows: dict[StakeholderType, WindowDays] = Field(default_factory=dict)  # overrides of the defaults
    nudge: NudgeSchedule = Field(default_factory=NudgeSchedule)
    # The workspace's own proposal table (app/core/strategy.py); None: the default table.
    strategy_table: list[ProposalRow] | None = Field(default=None, min_length=1, max_length=TABLE_MAX_ROWS)
    leader: LeaderSettings = Field(default_factory=LeaderSettings)
    capture: CaptureSettings = Field(default_factory=CaptureSettings)

    def window(self, kind: StakeholderType) -> int:
        return self.windows.get(kind, DEFAULT_WINDOWS[kind])

    @property
    def proposals(self) -> ProposalTable:
        return tuple(self.strategy_table) if self.strategy_table else DEFAULT_TABLE


def _days(value: object, least: int = 1, most: int = WINDOW_MAX_DAYS) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not least <= int(text) <= most:
        raise ValueError(f"Enter a whole number of days from {least} to {most}.")
    return int(text)


def window_field(kind: StakeholderType) -> str:
    """The settings form's field (and the modal's block_id) for a type's window: "window_champion"."""
    return f"window_{kind.value}"


class _SettingsFormBase(BaseModel):
    nudge_weekday: int = Field(ge=0, le=6)
    nudge_time: time
    capture_enabled: bool = True
    capture_retention_days: Annotated[int, BeforeValidator(lambda v: _days(v, RETENTION_MIN, RETENTION_MAX))] = 365

    def capture(self) -> CaptureSettings:
        return CaptureSettings(enabled=self.capture_enabled, retention_days=self.capture_retention_days)

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


def windows_of(workspace: Workspace | None) -> Windows:
    """Staleness windows: the workspace's overrides on top of the defaults."""
    settings = settings_of(workspace)
    return {kind: settings.window(kind) for kind in StakeholderType}


def table_of(workspace: Workspace | None) -> ProposalTable:
    """The engagement-strategy proposal table: the workspace's own, or the default."""
    return settings_of(workspace).proposals


def assessment_stamp(config: dict | None) -> str:
    """What of a workspace's config an assessment (and so a map) depends on: the window overrides and the
    strategy table, as canonical JSON (a cache key; equal configs give equal stamps)."""
    config = config or {}
    return json.dumps([config.get("windows", {}), config.get("strategy_table")], sort_keys=True)
