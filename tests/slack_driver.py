"""Drive the real Bolt app as Slack does: signed requests with Slack's payload shapes.

Modals are filled by their labels: `submit(view, {"Account name": "Acme"})` builds the view's state the
way Slack sends it (initial values included, untouched optional inputs as null).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltResponse
from slack_sdk.signature import SignatureVerifier

from app.edge.inbound import dispatch

SIGNING_SECRET = "test-signing-secret"
_trigger = itertools.count(1)
_reply = itertools.count(1)
_view_hash = itertools.count(1)


def sign(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    return {"x-slack-request-timestamp": str(timestamp), "x-slack-signature": signature}


class SlackDriver:
    def __init__(self, app: App, standin, *, team_id: str = "T0001", user_id: str = "U0CSM",
                 channel_id: str = "C0ACME", enterprise_id: str | None = None, pools: tuple = ()):
        self.app = app
        self.standin = standin
        self.team_id = team_id
        self.user_id = user_id
        self.channel_id = channel_id
        self.enterprise_id = enterprise_id
        self.pools = pools  # executors the app hands work to after an ack (drained with the listeners)
        self.reply_to = ""  # the response_url name of the last command or click

    def _new_response_url(self) -> str:
        self.reply_to = f"r{next(_reply)}"
        return self.standin.response_url(self.reply_to)

    def replies(self, count: int = 1, name: str | None = None) -> list[dict]:
        """The bodies posted to the last command's/click's response_url (or `name`'s), waiting for `count`."""
        return [call.body for call in self.standin.replies(name or self.reply_to, count)]

    def reply(self) -> dict:
        return self.replies(1)[0]

    # --- transport ---------------------------------------------------------------------------

    def send(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> BoltResponse:
        all_headers = {"content-type": content_type, **sign(body), **(headers or {})}
        return dispatch(self.app, body, all_headers)  # the server's own path: shape check, then Bolt

    @staticmethod
    def payload_body(payload: dict[str, Any]) -> str:
        return urlencode({"payload": json.dumps(payload)})

    def send_payload(self, payload: dict[str, Any]) -> BoltResponse:
        return self.send(self.payload_body(payload), "application/x-www-form-urlencoded")

    # --- surfaces ----------------------------------------------------------------------------

    def command_body(self, text: str, *, user_id: str | None = None, channel_id: str | None = None) -> str:
        return urlencode({
            "token": "verification-token", "team_id": self.team_id, "team_domain": "acme-cs",
            "enterprise_id": self.enterprise_id or "", "channel_id": channel_id or self.channel_id,
            "channel_name": "acme", "user_id": user_id or self.user_id, "user_name": "csm",
            "command": "/stakemap", "text": text, "api_app_id": "A0STAKEMAP", "is_enterprise_install": "false",
            "response_url": self._new_response_url(), "trigger_id": self.trigger_id(),
        })

    def command(self, text: str, **kwargs) -> BoltResponse:
        return self.send(self.command_body(text, **kwargs), "application/x-www-form-urlencoded")

    def click(self, action_id: str, value: str | None = None, *, block_id: str = "actions",
              message: dict | None = None, user_id: str | None = None, view: dict | None = None) -> BoltResponse:
        """Click a button: on a message (`message`, as posted), or in a modal or the App Home (`view`)."""
        action = {"action_id": action_id, "block_id": block_id, "type": "button", "action_ts": f"{time.time():.6f}",
                  "text": {"type": "plain_text", "text": action_id}}
        if value is not None:
            action["value"] = value
        return self.act(action, message=message, user_id=user_id, view=view)

    def choose(self, action_id: str, option_value: str, *, block_id: str = "actions", message: dict | None = None,
               view: dict | None = None, kind: str = "overflow", user_id: str | None = None) -> BoltResponse:
        """Pick an option of an overflow menu or a select (a select in a modal with dispatch_action)."""
        action = {"action_id": action_id, "block_id": block_id, "type": kind, "action_ts": f"{time.time():.6f}",
                  "selected_option": {"text": {"type": "plain_text", "text": option_value}, "value": option_value}}
        return self.act(action, message=message, user_id=user_id, view=view)

    def act(self, action: dict, *, message: dict | None = None, user_id: str | None = None,
            view: dict | None = None) -> BoltResponse:
        """block_actions as Slack sends them: a view action has no response_url, a message action has one."""
        payload = self._interaction("block_actions", user_id) | {"trigger_id": self.trigger_id(), "actions": [action]}
        if view is not None:
            payload |= {"container": {"type": "view", "view_id": view.get("id", "V0TEST")},
                        "view": {"state": {"values": {}}, "hash": "1.abc", **view, "team_id": self.team_id}}
            return self.send_payload(payload)
        message = {"type": "message", "ts": "1700000000.000100", "text": "map"} | (message or {})
        return self.send_payload(payload | {
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": self.channel_id,
                          "is_ephemeral": False},
            "channel": {"id": self.channel_id, "name": "acme"},
            "message": message,
            "response_url": self._new_response_url(),
        })

    def shortcut(self, callback_id: str, text: str, *, channel_id: str | None = None,
                 user_id: str | None = None) -> BoltResponse:
        """A message shortcut on a message saying `text`."""
        message = {"type": "message", "user": "U0SOMEONE", "ts": "1700000000.000200", "text": text}
        return self.send_payload(self._interaction("message_action", user_id) | {
            "callback_id": callback_id, "trigger_id": self.trigger_id(), "message_ts": message["ts"],
            "action_ts": f"{time.time():.6f}", "channel": {"id": channel_id or self.channel_id, "name": "acme"},
            "message": message, "response_url": self._new_response_url(),
        })

    def event(self, event: dict[str, Any]) -> BoltResponse:
        """An Events API delivery of `event` (user, channel… as given)."""
        body = {"token": "verification-token", "team_id": self.team_id, "api_app_id": "A0STAKEMAP",
                "event": event, "type": "event_callback", "event_id": f"Ev{next(_reply):08d}",
                "event_time": int(time.time()), "enterprise_id": self.enterprise_id,
                "authorizations": [{"team_id": self.team_id, "user_id": "UBOT", "is_bot": True,
                                    "enterprise_id": self.enterprise_id, "is_enterprise_install": False}]}
        return self.send(json.dumps(body), "application/json")

    def open_home(self, user_id: str | None = None) -> BoltResponse:
        user = user_id or self.user_id
        return self.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                           "event_ts": f"{time.time():.6f}"})

    def submit(self, view: dict, values_by_label: dict[str, Any] | None = None, *,
               user_id: str | None = None, private_metadata: str | None = None) -> BoltResponse:
        """Submit a modal as Slack would after the user typed `values_by_label` into it."""
        return self.send_payload(self.submission(view, values_by_label, user_id=user_id,
                                                 private_metadata=private_metadata))

    def submission(self, view: dict, values_by_label: dict[str, Any] | None = None, *,
                   user_id: str | None = None, private_metadata: str | None = None) -> dict[str, Any]:
        """The view_submission payload Slack would send (not sent)."""
        submitted = {
            "id": view.get("id", "V0TEST"), "team_id": self.team_id, "type": "modal",
            "callback_id": view.get("callback_id"), "blocks": view.get("blocks", []),
            "hash": view.get("hash") or f"{next(_view_hash)}.abc",  # a view's hash changes when it is updated
            "private_metadata": view.get("private_metadata", "") if private_metadata is None else private_metadata,
            "state": {"values": view_state(view, values_by_label or {})},
            "title": view.get("title"),
        }
        return self._interaction("view_submission", user_id) | {
            "view": submitted, "trigger_id": self.trigger_id(), "response_urls": []}

    def options(self, view: dict, block_id: str, action_id: str, query: str) -> BoltResponse:
        return self.send_payload(self._interaction("block_suggestion", None) | {
            "action_id": action_id, "block_id": block_id, "value": query,
            "view": {"id": view.get("id", "V0TEST"), "type": "modal", "callback_id": view.get("callback_id"),
                     "private_metadata": view.get("private_metadata", ""), "team_id": self.team_id},
        })

    def _interaction(self, kind: str, user_id: str | None) -> dict[str, Any]:
        user = user_id or self.user_id
        enterprise = {"id": self.enterprise_id, "name": "Grid"} if self.enterprise_id else None
        return {"type": kind, "token": "verification-token", "api_app_id": "A0STAKEMAP",
                "team": {"id": self.team_id, "domain": "acme-cs"},
                "user": {"id": user, "username": "csm", "team_id": self.team_id},
                "enterprise": enterprise, "is_enterprise_install": False}

    # --- helpers -----------------------------------------------------------------------------

    def drain(self, timeout: float = 30) -> None:
        """Wait until every listener, and the work it handed on, still running after its ack has finished.

        One task per pool thread, all meeting at a barrier: they can only all run once every thread has
        finished what was queued before them (the queue is first in, first out).
        """
        for executor in (self.app.listener_runner.listener_executor, *self.pools):
            threads = executor._max_workers
            barrier = threading.Barrier(threads)
            for future in [executor.submit(barrier.wait, timeout) for _ in range(threads)]:
                future.result(timeout)

    @staticmethod
    def trigger_id() -> str:
        return f"{next(_trigger)}.1.trigger"

    def opened_view(self, index: int = -1) -> dict:
        """The view the app last opened (as recorded by the stand-in)."""
        return self.standin.wait_for("views.open", count=1)[index].body["view"]

    def next_view(self, send) -> dict:
        """Run `send()` (a command or click) and return the modal the app opens in answer."""
        before = len(self.standin.calls_to("views.open", ok=True))
        send()
        return self.standin.wait_for("views.open", count=before + 1, ok=True)[before].body["view"]

    def modal(self, text: str, **kwargs) -> dict:
        """The modal `/stakemap <text>` opens."""
        return self.next_view(lambda: self.command(text, **kwargs))

    def modal_from_click(self, action_id: str, value: str | None = None, **kwargs) -> dict:
        return self.next_view(lambda: self.click(action_id, value, **kwargs))

    def wait_for_views(self, count: int) -> dict:
        return self.standin.wait_for("views.open", count=count)[count - 1].body["view"]

    def shown(self, method: str = "views.open", count: int = 1) -> dict:
        """The view Slack holds after the `count`-th successful call of `method` (with its id and hash)."""
        return self.standin.wait_for(method, count=count, ok=True)[count - 1].response["view"]

    def home(self, count: int = 1) -> dict:
        """The App Home view after the `count`-th views.publish (any user's; check `user_id` on the call)."""
        return self.shown("views.publish", count)


def modal_errors(response: BoltResponse) -> dict[str, str]:
    """The field errors a view submission was answered with ({} when the modal closed)."""
    if not response.body:
        return {}
    answer = json.loads(response.body)
    assert answer.get("response_action") == "errors", answer
    return answer["errors"]


# --- view state ----------------------------------------------------------------------------------


def _label(block: dict) -> str:
    return (block.get("label") or {}).get("text", "")


def view_state(view: dict, values_by_label: dict[str, Any]) -> dict[str, dict]:
    unknown = set(values_by_label) - {_label(b) for b in view.get("blocks", []) if b.get("type") == "input"}
    if unknown:
        raise KeyError(f"no input labelled {sorted(unknown)} in the view")
    state: dict[str, dict] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        given = values_by_label.get(_label(block), _UNSET)
        state[block["block_id"]] = {element["action_id"]: element_state(element, given)}
    return state


_UNSET = object()


def element_state(element: dict, given: Any) -> dict:
    """One input's state: what the user typed/picked, else its initial value, else null."""
    kind = element["type"]
    if kind == "plain_text_input":
        value = element.get("initial_value") if given is _UNSET else given
        return {"type": kind, "value": value if value not in ("",) else None}
    if kind in ("static_select", "external_select"):
        return {"type": kind, "selected_option": _pick_option(element, given)}
    if kind == "multi_static_select":
        picked = element.get("initial_options") or [] if given is _UNSET else [_pick_option(element, g) for g in given]
        return {"type": kind, "selected_options": picked}
    key = {"users_select": ("selected_user", "initial_user"),
           "conversations_select": ("selected_conversation", "initial_conversation"),
           "channels_select": ("selected_channel", "initial_channel"),
           "datepicker": ("selected_date", "initial_date"),
           "timepicker": ("selected_time", "initial_time")}[kind]
    return {"type": kind, key[0]: element.get(key[1]) if given is _UNSET else given}


def _pick_option(element: dict, given: Any) -> dict | None:
    if given is _UNSET:
        return element.get("initial_option")
    if given is None:
        return None
    if isinstance(given, dict):  # an external select's option, as the options listener answered it
        return given
    for candidate in element.get("options", []):
        if given in (candidate["value"], candidate["text"]["text"]):
            return candidate
    raise KeyError(f"no option {given!r} in {element.get('action_id')}")
