"""Who Slack says administers a workspace: its admins and owners change stakemap's settings, manage every
account's people and see the portfolio report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_admin(user: Mapping[str, Any] | None) -> bool:
    """users.info's user object says a workspace admin or owner (nobody, when Slack did not answer)."""
    return bool(user and (user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")))
