"""Whether a channel is shared with another organisation (Slack Connect), asked of Slack once and cached."""

from __future__ import annotations

from app.platform.runtime import Runtime
from app.platform.slack_client import channel_asker
from app.services.channels import is_shared


def channel_is_shared(runtime: Runtime, client, team_id: str, channel_id: str | None) -> bool:
    """Whether posting in the channel could reach another organisation (True when Slack does not say)."""
    return is_shared(runtime.db, team_id, channel_id, channel_asker(client), runtime.now())
