"""What a request from Slack looks like, checked before Bolt sees it.

Bolt parses the body before it verifies the signature and assumes Slack's shapes (a view has a "type",
actions are objects…); anything else raises inside the framework and would answer 500. Here a request
that is not shaped like Slack's answers 400 and reaches nothing. The models are permissive (unknown
keys pass): they require only what Bolt and our listeners rely on.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest

log = logging.getLogger("stakemap.inbound")
MAX_BODY = 1_000_000  # Slack's payloads are far smaller; a view with 100 blocks is ~100 kB


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Id(_Open):
    id: str


class _Action(_Open):
    action_id: str
    block_id: str = None


class _State(_Open):
    values: dict[str, dict[str, dict[str, Any]]] = {}


class _View(_Open):
    type: str
    id: str = None
    callback_id: str = None
    private_metadata: str = None
    state: _State = None


class _Interaction(_Open):
    # `X = None` without `| None`: the key may be absent, but an explicit null is refused — Bolt reads
    # every key that is present. Slack does send null for team and enterprise (org-wide installs).
    type: str
    team: _Id | None = None
    enterprise: _Id | None = None
    user: _Id = None
    actions: list[_Action] = Field(None, min_length=1)  # Bolt reads actions[0]
    view: _View = None
    channel: _Id = None
    container: dict[str, Any] = None
    message: dict[str, Any] = None
    action_id: str = None
    block_id: str = None
    callback_id: str = None
    value: str = None
    response_url: str = None
    trigger_id: str = None


class _Event(_Open):
    type: str


class _EventEnvelope(_Open):
    type: str
    team_id: str = None
    event_id: str = None
    event: _Event = None


def _form(body: str) -> dict[str, list[str]]:
    return parse_qs(body, keep_blank_values=True)


def is_well_formed(body: str, content_type: str | None) -> bool:
    """True when the body is shaped like a request Slack sends (commands, interactions, events)."""
    if len(body) > MAX_BODY:
        return False
    try:
        if (content_type or "").startswith("application/json") or body.startswith("{"):  # Bolt's own rule
            return _EventEnvelope.model_validate(json.loads(body)) is not None
        form = _form(body)
        if "payload" in form:
            return _Interaction.model_validate(json.loads(form["payload"][0])) is not None
        return not body or all(len(values) == 1 for values in form.values())
    except (ValueError, ValidationError, TypeError):
        return False


def _content_type(headers: dict) -> str | None:
    value = headers.get("content-type") or headers.get("Content-Type")
    return value[0] if isinstance(value, list) else value


def dispatch(app: App, body: str, headers: dict, query: str | None = None) -> BoltResponse:
    """Hand a well-formed request to Bolt; answer 400 to anything else."""
    if not is_well_formed(body, _content_type(headers)):
        log.info("refused a request that is not shaped like Slack's (%d bytes)", len(body))
        return BoltResponse(status=400, body="")
    return app.dispatch(BoltRequest(body=body, query=query, headers=headers))


class CheckedSlackRequestHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, with the shape check in front of the dispatch."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        return dispatch(self.app, request.get_body(), request.get_headers(), request.query_string)
