"""What a listener hands to the function doing the work for one slash-command verb."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.platform.runtime import Runtime


@dataclass(frozen=True)
class CommandRequest:
    runtime: Runtime
    client: Any  # slack_sdk.WebClient
    body: dict
    context: Any  # slack_bolt.BoltContext
    respond: Any  # slack_bolt.Respond
    account: str  # the text after the verb
    team_id: str  # the workspace, from Bolt's context
    channel_name: str = ""  # the channel's name as the command's payload gives it ("ext-acme")
