"""The workspace a Slack request is about — also for an app installed org-wide on Enterprise Grid.

Bolt reads an event's workspace from `authorizations[0].team_id`; for an org-wide install that is null
(the installation belongs to the organisation, not to one workspace), so `context.team_id` would be None
and every query scoped to it would find nothing ("You own no accounts yet"). Then the workspace is read
from the payload itself, where Slack puts it: the event envelope's `team_id`, the event's `team` or its
view's `team_id` (app_home_opened), the acting user's `team_id` (interactions), a view's `team_id`.
"""

from __future__ import annotations

from typing import Any


def _at(payload: Any, *path: str) -> str | None:
    for key in path:
        payload = payload.get(key) if isinstance(payload, dict) else None
    return payload if isinstance(payload, str) and payload else None


def workspace_of(body: dict[str, Any]) -> str | None:
    """The workspace named in a request's payload, when the installation did not name one."""
    for path in (("team_id",), ("event", "team"), ("event", "view", "team_id"), ("user", "team_id"),
                 ("view", "team_id"), ("team", "id")):
        found = _at(body, *path)
        if found:
            return found
    return None


def use_request_workspace(context, body, next):  # noqa: A002 (Bolt injects arguments by these names)
    """Global middleware: every listener's `context.team_id` is the workspace of the request."""
    if not context.team_id:
        team = workspace_of(body)
        if team:
            context["team_id"] = team
    return next()
