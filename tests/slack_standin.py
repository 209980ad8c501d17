"""A local stand-in for Slack's Web API, response URLs and file uploads, for tests.

A real HTTP server on 127.0.0.1 (port 0) that answers the way Slack does, records every request in
full, validates every message and view with ``blocks.limits``, and injects faults per method::

    with SlackStandIn() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        slack.fail("chat.postMessage", status=429, retry_after=1)
        client.chat_postMessage(channel="C1", text="hi")
        [call] = slack.calls_to("chat.postMessage", ok=True)

Routes: ``/api/<method>`` (form-encoded or JSON bodies, token from ``Authorization: Bearer`` or a
``token`` field), ``/response/<name>`` (see ``response_url``) and ``/upload/<file_id>`` (the URL
``files.getUploadURLExternal`` hands out). Every request is recorded, including those answered with
an injected fault, so ``calls_to(method)`` shows retries; pass ``ok=True`` for deliveries only.

A lost answer: ``fail(method, status=500, performed=True)`` carries the call out (the message is
posted) and then answers 500; ``fail(method, drop=True)`` closes the connection without answering
(``performed=True``: after carrying the call out). Such calls record ``lost_answer``.

Deliberately lenient: channels and message timestamps are not checked for existence
(``chat.update`` on any ts succeeds), and the modal stack depth is not tracked.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from tests.block_limits import message_problems, view_problems

# Fields slack_sdk (or anyone) may send as JSON strings inside a form or JSON body.
_JSON_FIELDS = ("blocks", "user_auth_blocks", "view", "attachments", "files", "metadata")
_MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
_VIEW_KINDS = {"views.open": "modal", "views.push": "modal", "views.update": None, "views.publish": "home"}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("channel",),
    "chat.postEphemeral": ("channel", "user"),
    "chat.update": ("channel", "ts"),
    "chat.delete": ("channel", "ts"),
    "chat.getPermalink": ("channel", "message_ts"),
    "views.open": ("trigger_id", "view"),
    "views.push": ("trigger_id", "view"),
    "views.update": ("view",),
    "views.publish": ("user_id", "view"),
    "conversations.info": ("channel",),
    "conversations.history": ("channel",),
    "conversations.replies": ("channel", "ts"),
    "users.info": ("user",),
    "users.lookupByEmail": ("email",),
    "files.getUploadURLExternal": ("filename", "length"),
    "files.completeUploadExternal": ("files",),
}
_FAULT_ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
_WORKSPACE_URL = "https://stakemap-test.slack.com/"
# Channels conversations.info knows from the start, all internal (not shared with another organisation):
# the ones the tests and benchmarks post in. Any other C/G channel answers channel_not_found, as Slack
# does for a channel that does not exist or a private one the bot is not in; add_channel() adds more.
DEFAULT_CHANNELS = ("C0ACME", "C0UMB", "C0RANDOM", "C0OTHER", "C0ELSEWHERE", "C0GONE", "C1", "C0LEADS")
CUSTOMER_TEAM = "T0CUSTOMER"  # the other organisation of a Slack Connect channel


@dataclass
class Call:
    """One request the stand-in received, and what it answered."""

    method: str  # "chat.postMessage", or "response_url", or "upload"
    body: dict
    headers: dict  # lower-cased names
    token: str | None
    path: str
    response: dict
    status: int
    # What the client got instead of `response` ("500", "dropped"); `response` is what was done, if anything.
    lost_answer: str | None = None

    @property
    def ok(self) -> bool:
        """True when this call was delivered: HTTP 200 and ``ok: true`` (even when its answer was lost)."""
        return self.status == 200 and self.response.get("ok") is True


@dataclass
class _Fault:
    status: int
    error: str | None
    retry_after: int | None
    performed: bool = False  # carry the call out, then answer the fault (the answer is lost)
    drop: bool = False  # close the connection without answering

    @property
    def lost_answer(self) -> str:
        return "dropped" if self.drop else str(self.status)


@dataclass
class _Reply:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # sent as text/plain instead of the JSON body
    drop: bool = False  # close the connection without answering


def default_user(user_id: str, name: str | None = None, *, team_id: str = "T0001", **fields: Any) -> dict:
    """A users.info-shaped user; keyword fields override the defaults."""
    name = name or user_id.lower()
    user = {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "real_name": name.title(),
        "deleted": False,
        "is_bot": False,
        "is_admin": False,
        "tz": "UTC",
        "tz_offset": 0,
        "profile": {"email": f"{name}@example.com", "real_name": name.title(), "display_name": name},
    }
    return user | fields


class SlackStandIn:
    """Slack's Web API on 127.0.0.1, recording every call; see the module docstring."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test",
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        enterprise_id: str | None = None,
        tokens: dict[str, dict] | None = None,
    ) -> None:
        bot = {"team_id": team_id, "user_id": bot_user_id, "bot_id": "B0001", "enterprise_id": enterprise_id}
        self.tokens: dict[str, dict] = {bot_token: bot} | (tokens or {})
        self.team_id = team_id
        self.users: dict[str, dict] = {}
        self.views: dict[str, dict] = {}
        self.socket_mode_url: str | None = None
        self.calls: list[Call] = []
        self.add_user(bot_user_id, "stakemap", team_id=team_id, is_bot=True)
        self._cond = threading.Condition()
        self.channels: dict[str, dict] = {}
        for channel in DEFAULT_CHANNELS:
            self.add_channel(channel)
        self._faults: dict[str, list[_Fault | None]] = defaultdict(list)  # None: let one call through
        self._counters: dict[str, int] = defaultdict(int)
        self._dms: dict[tuple[str, ...], str] = {}
        self._files: dict[str, dict] = {}
        self._grants: dict[str, dict] = {}
        self.check_blocks = True  # reject invalid Block Kit like Slack; benchmarks may switch it off
        self._responses: dict[str, list[Call]] = defaultdict(list)  # response_url name → posts to it
        self._arrived_at: dict[str, float] = {}  # response_url name → when the first post arrived
        self.written: dict[str, list[dict]] = defaultdict(list)  # channel → messages people wrote (add_message)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        self._server = _Server(self)
        serve = functools.partial(self._server.serve_forever, poll_interval=0.02)  # quick stop()
        self._thread = threading.Thread(target=serve, name="slack-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://127.0.0.1:{self._server.server_port}/"

    @property
    def api_url(self) -> str:
        """What WebClient(base_url=...) / SLACK_API_URL should be."""
        return f"{self.base_url}api/"

    def response_url(self, name: str = "default") -> str:
        """A response_url on this server; posts to it are recorded as method "response_url"."""
        return f"{self.base_url}response/{quote(name, safe='')}"

    # -- test controls ----------------------------------------------------------------------

    def add_user(self, user_id: str, name: str | None = None, **fields: Any) -> dict:
        """Register a user for users.info / users.lookupByEmail (see default_user)."""
        fields.setdefault("team_id", self.team_id)
        self.users[user_id] = default_user(user_id, name, **fields)
        return self.users[user_id]

    def add_channel(self, channel_id: str, name: str | None = None, *, shared: bool = False, pending: bool = False,
                    shared_with: tuple[str, ...] = (), org_shared: bool = False, private: bool = False,
                    member: bool = True) -> dict:
        """Register (or replace) a channel for conversations.info, shaped like Slack's conversation object.

        shared: a Slack Connect channel with CUSTOMER_TEAM (is_ext_shared, is_shared, both teams listed);
        pending: a Slack Connect invitation not yet accepted (is_pending_ext_shared, pending_connected_team_ids);
        shared_with: other team ids in shared_team_ids with is_shared but without is_ext_shared;
        org_shared: shared with workspaces of our own Enterprise Grid organisation (is_org_shared);
        private without member: conversations.info answers channel_not_found, as Slack does.
        """
        others = [*([CUSTOMER_TEAM] if shared else []), *shared_with]
        channel = {
            "id": channel_id, "name": name or channel_id.lower(), "name_normalized": name or channel_id.lower(),
            "is_channel": True, "is_group": False, "is_im": False, "is_mpim": False, "is_private": private,
            "created": 1449252889, "creator": "U0CREATOR", "is_archived": False, "is_general": False, "unlinked": 0,
            "is_shared": bool(others), "is_org_shared": org_shared, "is_ext_shared": shared,
            "is_pending_ext_shared": pending, "pending_shared": [CUSTOMER_TEAM] if pending else [],
            "pending_connected_team_ids": [CUSTOMER_TEAM] if pending else [],
            "context_team_id": self.team_id, "shared_team_ids": [self.team_id, *others],
            "updated": 1689965803820, "parent_conversation": None, "is_member": member,
            "topic": {"value": "", "creator": "", "last_set": 0}, "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if others:
            channel |= {"connected_team_ids": [self.team_id, *others], "conversation_host_id": self.team_id}
        with self._cond:
            self.channels[channel_id] = channel
        return channel

    def add_customer(self, user_id: str, name: str, *, email: str | None = None, title: str = "",
                     team_id: str = CUSTOMER_TEAM, enterprise_id: str | None = None, tz: str = "UTC") -> dict:
        """A person of another organisation (Slack Connect), as users.info shows them: their own team_id,
        their profile (real name, title, e-mail) and, on Enterprise Grid, enterprise_user."""
        user = self.add_user(user_id, name.split()[0].lower(), team_id=team_id, real_name=name, tz=tz,
                             profile={"email": email or f"{name.split()[0].lower()}@customer.example",
                                      "real_name": name, "display_name": name.split()[0], "title": title,
                                      "team": team_id})
        if enterprise_id:
            user["enterprise_user"] = {"id": user_id, "enterprise_id": enterprise_id, "enterprise_name": "Customer",
                                       "is_admin": False, "is_owner": False, "teams": [team_id]}
        return user

    def add_message(self, channel: str, user: str, ts: str, *, user_team: str = CUSTOMER_TEAM,
                    thread_ts: str | None = None, subtype: str | None = None, text: str = "hello",
                    bot_id: str | None = None) -> dict:
        """A message someone wrote in a channel, for conversations.history (top-level messages and thread
        parents) and conversations.replies (a thread), shaped as Slack returns them."""
        message = {"type": "message", "user": user, "text": text, "ts": ts, "team": user_team,
                   "user_team": user_team, "source_team": user_team}
        if thread_ts:
            message["thread_ts"] = thread_ts
            if thread_ts != ts:
                message["parent_user_id"] = next((m["user"] for m in self.written[channel] if m["ts"] == thread_ts),
                                                 user)
        if subtype:
            message["subtype"] = subtype
        if bot_id:
            message["bot_id"] = bot_id
        with self._cond:
            self.written[channel].append(message)
            self._count_replies(channel, thread_ts)
        return message

    def _count_replies(self, channel: str, thread_ts: str | None) -> None:
        parent = next((m for m in self.written[channel] if thread_ts and m["ts"] == thread_ts), None)
        if parent is None:
            return
        replies = [m for m in self.written[channel] if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts]
        parent |= {"thread_ts": thread_ts, "reply_count": len(replies),
                   "reply_users": sorted({m["user"] for m in replies}),
                   "latest_reply": max(m["ts"] for m in replies) if replies else thread_ts}

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        after: int = 0,
        performed: bool = False,
        drop: bool = False,
    ) -> None:
        """Answer the next `times` calls of `method` with a fault instead of processing them.

        status=429 (Retry-After defaults to 1 s), 500 or 503; or status=200 with ``ok: false, error``;
        or drop=True: close the connection without answering. ``performed=True`` processes the call
        first (a post is delivered), so only its answer is lost. ``after=n`` lets the next n calls through first.
        """
        if status == 200 and error is None and not drop:
            raise ValueError("a status-200 fault needs an error, e.g. error='channel_not_found'")
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._cond:
            self._faults[method].extend([None] * after)
            self._faults[method].extend(_Fault(status, error, retry_after, performed, drop) for _ in range(times))

    def grant(self, code: str, *, team_id: str, token: str, enterprise_id: str | None = None,
              installer: str = "U0ADMIN", team_name: str = "Installed Team") -> None:
        """Let oauth.v2.access exchange `code` for a bot token of `team_id` (an install of the app)."""
        bot = {"team_id": team_id, "user_id": f"UBOT{team_id}", "bot_id": f"B{team_id}", "enterprise_id": enterprise_id}
        with self._cond:
            self.tokens[token] = bot
            self._grants[code] = {"token": token, "team_name": team_name, "installer": installer} | bot

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[Call]:
        """Calls of `method` in arrival order; ok=True only deliveries, ok=False only failures."""
        with self._cond:
            return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, *, ok: bool | None = None
    ) -> list[Call]:
        """Block until `count` calls of `method` arrived (e.g. sent after an ack); return them all."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.calls_to(method, ok=ok)) >= count, timeout):
                seen = [c.method for c in self.calls]
                raise TimeoutError(
                    f"expected {count} {method} call(s) within {timeout}s; calls so far: {seen}"
                )
            return self.calls_to(method, ok=ok)

    def replies(self, name: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` posts reached the response_url called `name`; return them all."""

        with self._cond:
            if not self._cond.wait_for(lambda: len(self._responses[name]) >= count, timeout):
                raise TimeoutError(f"expected {count} post(s) to response_url {name!r} within {timeout}s")
            return list(self._responses[name])

    def first_response_at(self, name: str, timeout: float = 30.0) -> float | None:
        """When (time.time()) the first post reached the response_url called `name`; None on timeout."""
        with self._cond:
            if not self._cond.wait_for(lambda: name in self._arrived_at, timeout):
                return None
            return self._arrived_at[name]

    def clear(self) -> None:
        """Forget recorded calls and pending faults (users, views and DM channels stay)."""
        with self._cond:
            self.calls.clear()
            self._faults.clear()
            self._responses.clear()
            self._arrived_at.clear()

    # -- request handling (called from server threads) --------------------------------------

    def _dispatch(self, path: str, query: str, raw: bytes, headers: dict[str, str]) -> _Reply:
        route, _, name = path.strip("/").partition("/")
        arrived = time.time()
        parsed = self._parse(route, name, raw, headers, query)  # outside the lock: requests parse in parallel
        if parsed is None:
            return _Reply(404, {"ok": False, "error": "unknown_route"})
        method, body = parsed
        token = _token(headers, body)
        with self._cond:
            fault = self._take_fault(method)
            reply = _fault_reply(fault) if fault and not fault.performed else self._answer(method, body, token)
            lost = fault.lost_answer if fault and (fault.performed or fault.drop) else None
            call = Call(method, body, headers, token, path, reply.body, reply.status, lost)
            self.calls.append(call)
            if method == "response_url":
                self._responses[unquote(name)].append(call)
                self._arrived_at.setdefault(unquote(name), arrived)
            self._cond.notify_all()
            return _fault_reply(fault) if fault and fault.performed else reply

    def _parse(
        self, route: str, name: str, raw: bytes, headers: dict[str, str], query: str
    ) -> tuple[str, dict] | None:
        if route == "api" and name:
            return name, _api_body(raw, headers.get("content-type", ""), query)
        if route == "response":
            return "response_url", _decode_json_fields(json.loads(raw or b"{}"))
        if route == "upload":
            filename = self._files.get(name, {}).get("filename")
            return "upload", {"file_id": name, "filename": filename, "length": len(raw), "content": raw}
        return None

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        return queue.pop(0) if queue else None

    def _answer(self, method: str, body: dict, token: str | None) -> _Reply:
        if method == "response_url":
            problem = None if body.get("delete_original") or not self.check_blocks else _message_error(body)
            return _Reply(400, problem) if problem else _Reply(200, {"ok": True})
        if method == "upload":
            if body["filename"] is None:
                return _Reply(404, {"ok": False, "error": "file_not_found"})
            return _Reply(200, {"ok": True}, text=f"OK - {body['length']}")
        return _Reply(200, self._api(method, body, token))

    def _api(self, method: str, body: dict, token: str | None) -> dict:
        error = self._auth_error(method, token)
        if error:
            return _error(error)
        missing = [key for key in _REQUIRED.get(method, ()) if body.get(key) in (None, "")]
        if missing:
            return _error(
                "invalid_arguments", response_metadata={"messages": [f"[ERROR] missing {k}" for k in missing]}
            )
        problem = None if not self.check_blocks else (
            _message_error(body) if method in _MESSAGE_METHODS else _view_error(method, body))
        if problem:
            return problem
        handler = _METHODS.get(method)
        return handler(self, body, self.tokens.get(token or "", {})) if handler else {"ok": True}

    def _auth_error(self, method: str, token: str | None) -> str | None:
        if method in _TOKENLESS:
            return None
        if token is None:
            return "not_authed"
        if (method == "apps.connections.open") != token.startswith("xapp-"):
            return "not_allowed_token_type"
        if not token.startswith("xapp-") and token not in self.tokens:
            return "invalid_auth"
        return None

    # -- ids --------------------------------------------------------------------------------

    def _next(self, counter: str) -> int:
        self._counters[counter] += 1
        return self._counters[counter]

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{self._next(prefix):04d}"

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_000 + self._next("ts") * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _dm(self, users: tuple[str, ...]) -> tuple[str, bool]:
        """The stable DM channel for these users, and whether it was open already."""
        existed = users in self._dms
        if not existed:
            self._dms[users] = self._next_id("D")
        return self._dms[users], existed

    def _channel(self, channel: str) -> str:
        """Posting to a user id lands in the DM with that user, as in Slack."""
        return self._dm((channel,))[0] if channel[:1] in ("U", "W") else channel

    # -- methods: each takes (body, identity of the token) and returns the response ---------

    def _auth_test(self, body: dict, who: dict) -> dict:
        enterprise = {"enterprise_id": who["enterprise_id"]} if who.get("enterprise_id") else {}
        return {
            "ok": True,
            "url": _WORKSPACE_URL,
            "team": "Stakemap Test",
            "user": "stakemap",
            "team_id": who.get("team_id"),
            "user_id": who.get("user_id"),
            "bot_id": who.get("bot_id"),
            "is_enterprise_install": False,
            **enterprise,
        }

    def _post_message(self, body: dict, who: dict) -> dict:
        channel, ts = self._channel(body["channel"]), self._next_ts()
        return {"ok": True, "channel": channel, "ts": ts, "message": _message(body, who, ts)}

    def _post_ephemeral(self, body: dict, who: dict) -> dict:
        return {"ok": True, "message_ts": self._next_ts()}

    def _update(self, body: dict, who: dict) -> dict:
        channel, ts = body["channel"], body["ts"]
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": body.get("text", ""),
            "message": _message(body, who, ts),
        }

    def _delete(self, body: dict, who: dict) -> dict:
        return {"ok": True, "channel": body["channel"], "ts": body["ts"]}

    def _permalink(self, body: dict, who: dict) -> dict:
        channel, ts = body["channel"], body["message_ts"]
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"{_WORKSPACE_URL}archives/{channel}/p{ts.replace('.', '')}",
        }

    def _views_open(self, body: dict, who: dict) -> dict:
        return {"ok": True, "view": self._store_view(body["view"], who)}

    def _views_update(self, body: dict, who: dict) -> dict:
        current = self._find_view(body.get("view_id"), body.get("external_id"))
        if current is None:
            return _error("not_found")
        if body.get("hash") and body["hash"] != current["hash"]:
            return _error("hash_conflict")
        view = {"external_id": current["external_id"]} | body["view"]  # an update keeps the external_id
        return {"ok": True, "view": self._store_view(view, who, current["id"], current["root_view_id"])}

    def _views_publish(self, body: dict, who: dict) -> dict:
        current = next((v for v in self.views.values() if v.get("user_id") == body["user_id"]), None)
        view_id = current["id"] if current else None
        return {"ok": True, "view": self._store_view(body["view"], who, view_id, user_id=body["user_id"])}

    def _store_view(
        self,
        view: dict,
        who: dict,
        view_id: str | None = None,
        root_id: str | None = None,
        user_id: str | None = None,
    ) -> dict:
        view_id = view_id or self._next_id("V")
        stored = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            **view,
            "id": view_id,
            "team_id": who.get("team_id"),
            "state": {"values": {}},
            "hash": f"1700000000.{self._next('hash'):08d}",
            "root_view_id": root_id or view_id,
            "previous_view_id": None,
            "app_id": "A0001",
            "bot_id": who.get("bot_id"),
            **({"user_id": user_id} if user_id else {}),
        }
        self.views[view_id] = stored
        return stored

    def _find_view(self, view_id: str | None, external_id: str | None) -> dict | None:
        if view_id:
            return self.views.get(view_id)
        return next(
            (v for v in self.views.values() if external_id and v.get("external_id") == external_id), None
        )

    def _conversations_open(self, body: dict, who: dict) -> dict:
        if body.get("channel"):
            return {"ok": True, "channel": {"id": body["channel"]}}
        members = _user_ids(body.get("users"))
        if not members:
            return _error("users_list_not_supplied")
        channel, existed = self._dm(members)
        return {
            "ok": True,
            "channel": {"id": channel},
            **({"no_op": True, "already_open": True} if existed else {}),
        }

    def _conversations_info(self, body: dict, who: dict) -> dict:
        channel = body["channel"]
        if channel[:1] == "D" and channel not in self.channels:  # a DM with the bot (the App's Messages tab)
            return {"ok": True, "channel": {"id": channel, "created": 1449252889, "is_im": True, "is_org_shared": False,
                                            "context_team_id": who.get("team_id"), "is_archived": False}}
        known = self.channels.get(channel)
        if known is None or (known["is_private"] and not known["is_member"]):
            return _error("channel_not_found")
        return {"ok": True, "channel": known}

    def _conversations_history(self, body: dict, who: dict) -> dict:
        """Top-level messages of the channel (bot posts and add_message's), newest first, between `oldest`
        and `latest`, paged by `cursor` (metadata only with include_all_metadata)."""
        posted = [c.response["message"] for c in self.calls
                  if c.method == "chat.postMessage" and c.ok and c.response.get("channel") == body["channel"]]
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        posted = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in posted]
        written = [m for m in self.written.get(body["channel"], []) if m.get("thread_ts") in (None, m["ts"])]
        messages = sorted(_between(posted + written, body), key=lambda m: float(m["ts"]), reverse=True)
        return _page(messages, body, "messages")

    def _conversations_replies(self, body: dict, who: dict) -> dict:
        """A thread: its parent, then its replies oldest first, paged by `cursor`."""
        thread = [m for m in self.written.get(body["channel"], []) if body["ts"] in (m["ts"], m.get("thread_ts"))]
        if not thread:
            return _error("thread_not_found")
        return _page(sorted(_between(thread, body), key=lambda m: float(m["ts"])), body, "messages")

    def _users_info(self, body: dict, who: dict) -> dict:
        user = self.users.get(body["user"])
        return {"ok": True, "user": user} if user else _error("user_not_found")

    def _lookup_by_email(self, body: dict, who: dict) -> dict:
        email = body["email"].lower()
        found = (u for u in self.users.values() if u.get("profile", {}).get("email", "").lower() == email)
        user = next(found, None)
        return {"ok": True, "user": user} if user else _error("users_not_found")

    def _get_upload_url(self, body: dict, who: dict) -> dict:
        file_id = self._next_id("F")
        self._files[file_id] = {"filename": body["filename"], "length": int(body["length"])}
        return {"ok": True, "upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, body: dict, who: dict) -> dict:
        files = body["files"] if isinstance(body["files"], list) else []
        if not files or any(f.get("id") not in self._files for f in files):
            return _error("file_not_found")
        return {"ok": True, "files": [self._file_info(f) for f in files]}

    def _file_info(self, item: dict) -> dict:
        stored = self._files[item["id"]]
        title = item.get("title") or stored["filename"]
        return {"id": item["id"], "name": stored["filename"], "title": title, "size": stored["length"]}

    def _oauth_access(self, body: dict, who: dict) -> dict:
        grant = self._grants.pop(body.get("code", ""), None)  # a code works once
        if grant is None:
            return _error("invalid_code")
        enterprise = {"id": grant["enterprise_id"], "name": "Grid"} if grant["enterprise_id"] else None
        return {
            "ok": True, "app_id": "A0STAKEMAP", "access_token": grant["token"], "token_type": "bot",
            "scope": body.get("scope") or "commands,chat:write", "bot_user_id": grant["user_id"],
            "team": {"id": grant["team_id"], "name": grant["team_name"]}, "enterprise": enterprise,
            "is_enterprise_install": False,
            "authed_user": {"id": grant["installer"], "scope": "", "access_token": None, "token_type": None},
        }

    def _connections_open(self, body: dict, who: dict) -> dict:
        if self.socket_mode_url is None:
            return _error("standin_socket_mode_url_not_set")
        return {"ok": True, "url": self.socket_mode_url}


_Method = Callable[[SlackStandIn, dict, dict], dict]
_METHODS: dict[str, _Method] = {
    "auth.test": SlackStandIn._auth_test,
    "chat.postMessage": SlackStandIn._post_message,
    "chat.postEphemeral": SlackStandIn._post_ephemeral,
    "chat.update": SlackStandIn._update,
    "chat.delete": SlackStandIn._delete,
    "chat.getPermalink": SlackStandIn._permalink,
    "conversations.replies": SlackStandIn._conversations_replies,
    "views.open": SlackStandIn._views_open,
    "views.push": SlackStandIn._views_open,
    "views.update": SlackStandIn._views_update,
    "views.publish": SlackStandIn._views_publish,
    "conversations.open": SlackStandIn._conversations_open,
    "conversations.info": SlackStandIn._conversations_info,
    "conversations.history": SlackStandIn._conversations_history,
    "users.info": SlackStandIn._users_info,
    "users.lookupByEmail": SlackStandIn._lookup_by_email,
    "files.getUploadURLExternal": SlackStandIn._get_upload_url,
    "files.completeUploadExternal": SlackStandIn._complete_upload,
    "apps.connections.open": SlackStandIn._connections_open,
    "oauth.v2.access": SlackStandIn._oauth_access,
}
_TOKENLESS = frozenset({"oauth.v2.access"})  # authenticated by client id and secret, not a token


# -- pure helpers ---------------------------------------------------------------------------


def _between(messages: list[dict], body: dict) -> list[dict]:
    oldest, latest = float(body.get("oldest") or 0), float(body.get("latest") or "inf")
    return [m for m in messages if oldest <= float(m["ts"]) <= latest]


def _page(items: list[dict], body: dict, key: str) -> dict:
    """Cursor paging as Slack does it: `limit` (default 100) items from `cursor` on, and the next cursor in
    response_metadata.next_cursor ("" on the last page)."""
    limit = int(body.get("limit") or 100)
    start = int(body.get("cursor") or 0)
    page = items[start:start + limit]
    more = start + limit < len(items)
    return {"ok": True, key: page, "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""}}


def _error(error: str, **extra: Any) -> dict:
    return {"ok": False, "error": error, **extra}


def _message_error(body: dict) -> dict | None:
    """Slack's answer to an unacceptable message body, or None."""
    blocks, text = body.get("blocks"), body.get("text")
    if blocks is None and not text:
        return None if body.get("attachments") else _error("no_text")
    problems = message_problems(blocks, text)
    return _error("invalid_blocks", errors=problems) if problems else None


def _view_error(method: str, body: dict) -> dict | None:
    """Slack's answer to an unacceptable view for a views.* method, or None."""
    if method not in _VIEW_KINDS:
        return None
    view, kind = body["view"], _VIEW_KINDS[method]
    if not isinstance(view, dict) or (kind and view.get("type") != kind):
        return _error(
            "invalid_arguments", response_metadata={"messages": [f"[ERROR] view must be a {kind} view"]}
        )
    problems = view_problems(view)
    return _error("invalid_blocks", errors=problems) if problems else None


def _message(body: dict, who: dict, ts: str) -> dict:
    """The message object Slack echoes back for a post or update."""
    message = {
        "type": "message",
        "user": who.get("user_id"),
        "bot_id": who.get("bot_id"),
        "team": who.get("team_id"),
    }
    extras = {key: body[key] for key in ("blocks", "attachments", "thread_ts", "metadata") if key in body}
    return message | {"ts": ts, "text": body.get("text", "")} | extras


def _api_body(raw: bytes, content_type: str, query: str) -> dict:
    body: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if raw and "json" in content_type:
        body.update(json.loads(raw))
    elif raw:
        body.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return _decode_json_fields(body)


def _decode_json_fields(body: dict) -> dict:
    for key in _JSON_FIELDS:
        if isinstance(body.get(key), str):
            with contextlib.suppress(ValueError):  # else left as sent; validation reports it
                body[key] = json.loads(body[key])
    return body


def _user_ids(users: Any) -> tuple[str, ...]:
    """conversations.open's users, a comma-separated string (or a JSON list), as a sorted key."""
    listed = users if isinstance(users, list) else str(users or "").split(",")
    return tuple(sorted(u.strip() for u in listed if u.strip()))


def _token(headers: dict[str, str], body: dict) -> str | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    token = body.get("token")
    return token if isinstance(token, str) and token else None


def _fault_reply(fault: _Fault) -> _Reply:
    if fault.drop:
        return _Reply(0, _error("standin_dropped_connection"), drop=True)
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    error = fault.error or _FAULT_ERRORS.get(fault.status, "internal_error")
    return _Reply(fault.status, _error(error), headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's default of 5 drops connections under load (1 s SYN retries)

    def __init__(self, standin: SlackStandIn) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.standin = standin


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            reply = self.server.standin._dispatch(url.path, url.query, raw, headers)
        except (ValueError, TypeError) as exc:  # unparseable body
            reply = _Reply(400, _error("invalid_json", detail=str(exc)))
        self._send(reply)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        route, _, name = url.path.strip("/").partition("/")
        if route == "_arrival":  # benchmarks in another process: when did this response_url get its post?
            at = self.server.standin.first_response_at(unquote(name), float(dict(parse_qsl(url.query)).get("timeout", 30)))
            self._send(_Reply(200, {"ok": True, "at": at}) if at is not None else _Reply(404, _error("not_arrived")))
            return
        self.do_POST()

    def _send(self, reply: _Reply) -> None:
        if reply.drop:  # the client sees the connection closed without an answer (RemoteDisconnected)
            self.close_connection = True
            return
        text = reply.text if reply.text is not None else json.dumps(reply.body)
        kind = "text/plain" if reply.text is not None else "application/json"
        payload = text.encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence per-request logging
        pass


def main() -> None:
    """Serve a stand-in in its own process (benchmarks): prints `READY <api_url>`, runs until killed."""
    import argparse
    import signal

    parser = argparse.ArgumentParser()
    parser.add_argument("--token", default="xoxb-bench")
    parser.add_argument("--team", default="T0001")
    parser.add_argument("--no-checks", action="store_true", help="do not check Block Kit (Slack's own CPU)")
    args = parser.parse_args()
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # server threads inherit the mask; sigwait takes them
    with SlackStandIn(bot_token=args.token, team_id=args.team) as standin:
        standin.check_blocks = not args.no_checks
        print(f"READY {standin.api_url}", flush=True)
        signal.sigwait(stop)


if __name__ == "__main__":
    main()
