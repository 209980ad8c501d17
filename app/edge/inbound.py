"""What reaches Bolt over HTTP: signed by Slack, recent, decodable and shaped like Slack's requests.

`dispatch` is the one HTTP entry (the WSGI handler and the test driver both use it). Before anything reads
a field of the body it checks, in order: the size; the signature over the raw bytes (slack_sdk's check,
with its 5-minute window; a missing or malformed header is a refusal, never an exception); UTF-8; the
nesting depth; then the shapes Bolt and our listeners rely on (Bolt parses bodies before it verifies them
and assumes Slack's shapes: anything else would raise inside the framework). A refusal is 401 (not signed
by Slack, or too old) or 400 (signed but unreadable), logged in one line without the body (it holds
people's names); no listener runs and nothing is posted anywhere.

Bolt's own signature check stays as a second one (`QuietRequestVerification`, in its place before
authorization), for any path into `App.dispatch` that does not come through here; it is quiet too.
Socket Mode requests never come through here: they arrive over an authenticated WebSocket, unsigned, and
Bolt's SocketModeHandler hands them to `App.dispatch`, whose signature check skips them (mode "socket_mode").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.middleware.request_verification import RequestVerification
from slack_sdk.signature import SignatureVerifier

from app.platform.observability import record_request

log = logging.getLogger("stakemap.inbound")
MAX_BODY = 1_000_000  # bytes; Slack's payloads are far smaller: a view with 100 blocks is ~100 kB
MAX_DEPTH = 64  # nesting of JSON objects and arrays; Slack's deepest (rich text in a message) is ~12


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


class _Command(_Open):
    # Slack names the workspace and the person in every command; our listeners scope everything by them
    command: str
    team_id: str = Field(min_length=1)
    user_id: str = Field(min_length=1)


class _Event(_Open):
    type: str


class _EventEnvelope(_Open):
    type: str
    team_id: str = None
    event_id: str = None
    event: _Event = None


class SlackSignature(SignatureVerifier):
    """slack_sdk's check (HMAC-SHA256 of "v0:<timestamp>:<body>" with the signing secret, the timestamp within
    5 minutes of now), computed over the raw bytes and refusing, never raising on, malformed headers."""

    def is_valid(self, body: str | bytes, timestamp: str | None, signature: str | None) -> bool:
        if not (_is_decimal(timestamp) and isinstance(signature, str) and signature.isascii()):
            return False  # slack_sdk would raise on int("abc") and on comparing a non-ASCII signature
        return super().is_valid(body, timestamp, signature)

    def generate_signature(self, *, timestamp: str, body: str | bytes) -> str:
        raw = body if isinstance(body, bytes) else (body or "").encode()  # bytes that are not UTF-8 too
        digest = hmac.new(self.signing_secret.encode(), b"v0:%s:%s" % (timestamp.encode(), raw), hashlib.sha256)
        return f"v0={digest.hexdigest()}"


def _is_decimal(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 12 and value.isascii() and value.isdigit()


def signature_checker(signing_secret: str | None) -> SlackSignature | None:
    """The check for this signing secret; None (every request refused) when there is no secret."""
    return SlackSignature(signing_secret) if signing_secret and signing_secret.strip() else None


class QuietRequestVerification(RequestVerification):
    """Bolt's signature middleware with our check, logging a refusal in one line: Bolt's logs the whole body."""

    def __init__(self, signature: SlackSignature | None):
        super().__init__(signing_secret="")
        self.signature = signature

    def process(self, *, req: BoltRequest, resp: BoltResponse, next) -> BoltResponse:  # noqa: A002 (Bolt's name)
        if self._can_skip(req.mode, req.body):
            return next()
        headers = {name: values[0] for name, values in req.headers.items() if values}
        if _signed(self.signature, req.raw_body, headers):
            return next()
        log.info("refused a request (%d bytes): %s, at Bolt's check", len(req.raw_body.encode()),
                 _unsigned_reason(headers))
        return BoltResponse(status=401, body="")  # counted by ObservedApp.dispatch


def _signed(signature: SlackSignature | None, raw: str | bytes, headers: dict[str, str]) -> bool:
    return signature is not None and signature.is_valid(
        raw, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature"))


def _unsigned_reason(headers: dict[str, str]) -> str:
    timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
    if timestamp is None or signature is None:
        return "no signature"
    if not _is_decimal(timestamp):
        return "malformed timestamp"
    return "signature or timestamp refused"


def _form(body: str) -> dict[str, list[str]]:
    return parse_qs(body, keep_blank_values=True)


def _readable(value: Any) -> bool:
    """Whether parsed JSON (or a form) nests no deeper than MAX_DEPTH and holds no NUL character anywhere
    (Slack sends none; PostgreSQL refuses them in any text). Walked without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return False
            continue
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return False
        pending.extend((child, depth + 1) for child in children)
    return True


def _json(text: str) -> Any:
    """Parsed JSON; ValueError when it is not, nests too deep (the parser itself recurses) or holds a NUL."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("nested too deep") from None
    if not _readable(value):
        raise ValueError("nested too deep, or holds a NUL character")
    return value


def is_well_formed(body: str, content_type: str | None) -> bool:
    """True when the body is shaped like a request Slack sends (commands, interactions, events)."""
    if len(body) > MAX_BODY:
        return False
    try:
        if (content_type or "").startswith("application/json") or body.startswith("{"):  # Bolt's own rule
            return _EventEnvelope.model_validate(_json(body)) is not None
        form = _form(body)
        if "payload" in form:
            return _Interaction.model_validate(_json(form["payload"][0])) is not None
        if not body:
            return True
        single = {name: values[0] for name, values in form.items() if len(values) == 1}
        if len(single) != len(form) or not _readable(single):
            return False
        return "command" not in single or _Command.model_validate(single) is not None
    except (ValueError, ValidationError, TypeError):
        return False


def _single_values(headers: dict) -> dict[str, str]:
    """Header names in lower case, each with one value (Bolt's own form holds lists)."""
    single = {}
    for name, value in headers.items():
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        if isinstance(name, str) and isinstance(value, str):
            single[name.lower()] = value
    return single


def _refuse(status: int, reason: str, size: int, started: float | None = None) -> BoltResponse:
    """Answer `status` with nothing; counted as the one "refused" listener (an unread body names none)."""
    log.info("refused a request (%d bytes): %s", size, reason)
    seconds = time.perf_counter() - started if started is not None else 0.0
    record_request({"type": "refused"}, status, seconds, None)
    return BoltResponse(status=status, body="")


def dispatch(app: App, body: str | bytes, headers: dict, query: str | None = None) -> BoltResponse:
    """Hand a signed, readable, Slack-shaped request to Bolt; refuse anything else (401/400) before reading it."""
    started = time.perf_counter()
    raw = body.encode() if isinstance(body, str) else body
    plain = _single_values(headers)
    if len(raw) > MAX_BODY:
        return _refuse(400, "too large", len(raw), started)
    if not _signed(getattr(app, "signature", None), raw, plain):
        return _refuse(401, _unsigned_reason(plain), len(raw), started)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(400, "not UTF-8", len(raw), started)
    if not is_well_formed(text, plain.get("content-type")):
        return _refuse(400, "not shaped like Slack's requests", len(raw), started)
    return app.dispatch(BoltRequest(body=text, query=query, headers=headers))


class CheckedSlackRequestHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, with the checks above in front of the dispatch and the body read as bytes
    (Bolt's adapter decodes it first, and reads however much the client announces)."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = _read_body(request.environ)
        if raw is None:
            return _refuse(400, "unreadable Content-Length", 0)
        return dispatch(self.app, raw, request.get_headers(), request.query_string)


def _read_body(environ: dict) -> bytes | None:
    """At most MAX_BODY + 1 bytes of the body (enough to know it is too large); None for a bad Content-Length."""
    announced = environ.get("CONTENT_LENGTH") or "0"
    if not (announced.isascii() and announced.isdigit()):
        return None
    stream = environ.get("wsgi.input")
    return stream.read(min(int(announced), MAX_BODY + 1)) if stream is not None else b""
