"""A workspace's CRM role mapping: the shipped table (app.core.crm.DEFAULT_ROLE_MAP) with its own overrides,
kept in Workspace.config["crm_roles"] ({label: type value, or null to ignore a shipped label})."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from app.core.crm import ROLES_CONFIG_KEY, role_map
from app.core.domain import StakeholderType
from app.core.errors import StakemapError
from app.core.models import name_key
from app.services.workspaces import ensure_workspace


def role_table(session: Session, team_id: str, now: datetime) -> dict[str, StakeholderType]:
    workspace = ensure_workspace(session, team_id, now)
    return role_map((workspace.config or {}).get(ROLES_CONFIG_KEY))


def change_role_table(session: Session, team_id: str, changes: Mapping[str, str | None], now: datetime, *,
                      reset: bool = False) -> dict[str, StakeholderType]:
    """Map labels to types (a type value), or ignore them (None); `reset` drops every override first."""
    unknown = {label: value for label, value in changes.items()
               if value is not None and value not in StakeholderType._value2member_map_}
    if unknown:
        label, value = next(iter(unknown.items()))
        kinds = ", ".join(kind.value for kind in StakeholderType)
        raise StakemapError(f"'{value}' (for '{label}') is not a stakeholder type: use one of {kinds}.")
    workspace = ensure_workspace(session, team_id, now)
    config = dict(workspace.config or {})
    overrides = {} if reset else dict(config.get(ROLES_CONFIG_KEY) or {})
    overrides.update({name_key(label): value for label, value in changes.items()})
    config[ROLES_CONFIG_KEY] = overrides
    workspace.config = config  # a new dict: the JSON column sees the change
    return role_map(overrides)
