"""Nothing reaches Bolt that Slack did not sign within the last 5 minutes (401), nor anything signed that
cannot be read safely (400: not UTF-8, nested too deep, too large, not shaped like Slack's requests: Bolt
would crash on those, found by the hostile-input tests). Refusals are silent: no listener, no post, one
log line without the body. Answers go only to Slack's response_urls."""

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import pytest

from app.edge.inbound import MAX_BODY, dispatch, is_well_formed
from tests.slack_driver import SIGNING_SECRET, sign
from tests.slack_standin import SlackStandIn

FORM = "application/x-www-form-urlencoded"


def payload(data) -> str:
    return urlencode({"payload": json.dumps(data)})


BASE = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot json", FORM),
        (payload([1, 2]), FORM),
        (payload("x"), FORM),
        (payload({"team": {"id": "T1"}}), FORM),  # no type
        (payload(BASE | {"actions": []}), FORM),  # Bolt reads actions[0]
        (payload(BASE | {"actions": ["x"]}), FORM),
        (payload(BASE | {"actions": "x"}), FORM),
        (payload(BASE | {"team": "T1"}), FORM),
        (payload(BASE | {"view": None, "actions": [{"action_id": "a"}]}), FORM),  # Bolt reads view.get
        (payload({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"}, "view": {"state": {}}}), FORM),
        (payload({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"},
                  "view": {"type": "modal", "state": {"values": [1]}}}), FORM),
        ("command=%2Fstakemap&text=a&text=b", FORM),
        ("command=%2Fstakemap&text=Acme&user_id=U1", FORM),  # every listener is scoped by the team
        ("command=%2Fstakemap&text=Acme&team_id=T1&user_id=", FORM),
        ('{"type":"event_callback","event":"x"}', "application/json"),
        ("{", "text/plain"),  # Bolt parses any body starting with "{" as JSON, whatever the content type
        ("{", FORM),
        ("x" * 1_000_001, FORM),
        ("command=%2Fstakemap&text=Ac%00me&team_id=T1&user_id=U1", FORM),  # Slack sends no NUL; PostgreSQL takes none
        ("command=%2Fstakemap&text=Acme&team_id=T1&user_id=U1&channel_id=C%00", FORM),
        (payload(BASE | {"actions": [{"action_id": "a", "value": "1\u0000"}]}), FORM),
        (payload(BASE | {"actions": [{"action_id": "a", "value": "1"}], "x\u0000": 1}), FORM),
        ('{"type":"event_callback","event":{"type":"app_home_opened","user":"U\\u0000"}}', "application/json"),
    ],
)
def test_refused(body, content_type):
    assert not is_well_formed(body, content_type)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("", FORM),
        ("command=%2Fstakemap&text=Acme&team_id=T1&user_id=U1", FORM),
        (payload(BASE | {"actions": [{"action_id": "a", "value": "1"}], "enterprise": None}), FORM),
        (payload({"type": "view_submission", "team": None, "user": {"id": "U1"},
                  "view": {"type": "modal", "callback_id": "c", "state": {"values": {"b": {"a": {"type": "x"}}}}}}), FORM),
        ('{"type":"event_callback","event":{"type":"app_home_opened"},"event_id":"Ev1"}', "application/json"),
        ('{"type":"url_verification","challenge":"abc"}', "application/json"),
    ],
)
def test_accepted(body, content_type):
    assert is_well_formed(body, content_type)


# --- through the real dispatch: nothing unverifiable or unreadable reaches Bolt ---------------------------

SECRET_NAME = "Sarah Kim"  # in every body below: it must never reach a log


def signed(raw: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature over raw bytes (sign() in the driver takes text)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": stamp, "x-slack-signature": f"v0={digest}"}


@pytest.fixture
def attacker():
    """A server the attacker controls, on the stand-in's host but another port: it must never be posted to."""
    with SlackStandIn() as server:
        yield server


@pytest.fixture
def bolt_calls(bolt_app, standin, monkeypatch) -> list:
    """Every request that reached Bolt's App.dispatch (and so could reach a listener)."""
    standin.clear()  # the app's start (auth.test) is not under test
    seen = []
    real = bolt_app.dispatch

    def spy(req):
        seen.append(req)
        return real(req)

    monkeypatch.setattr(bolt_app, "dispatch", spy)
    return seen


def command(response_url: str, text: str = SECRET_NAME) -> str:
    return urlencode({"team_id": "T0001", "user_id": "U0CSM", "channel_id": "C1", "command": "/stakemap",
                      "text": text, "response_url": response_url, "trigger_id": "1.2.3"})


def assert_untouched(slack, standin, attacker, caplog, bolt_calls) -> None:
    slack.drain()
    assert bolt_calls == []
    assert standin.calls == []  # no Web API call, no post to any response_url
    assert attacker.calls == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert all(SECRET_NAME not in r.getMessage() and "Sarah" not in r.getMessage() for r in caplog.records)


def now() -> int:
    return int(time.time())


UNVERIFIABLE = {
    "empty timestamp": lambda body: sign(body) | {"x-slack-request-timestamp": ""},
    "non-numeric timestamp": lambda body: sign(body) | {"x-slack-request-timestamp": "abc"},
    "timestamp beyond any integer": lambda body: sign(body) | {"x-slack-request-timestamp": "9" * 40},
    "negative timestamp": lambda body: sign(body, now() - 10) | {"x-slack-request-timestamp": f"-{now()}"},
    "no headers": lambda body: {},
    "no signature": lambda body: {"x-slack-request-timestamp": str(now())},
    "no timestamp": lambda body: {"x-slack-signature": sign(body)["x-slack-signature"]},
    "stale timestamp": lambda body: sign(body, now() - 301),
    "timestamp from the future": lambda body: sign(body, now() + 301),
    "wrong signature": lambda body: sign(body) | {"x-slack-signature": "v0=" + "0" * 64},
    "non-ASCII signature": lambda body: sign(body) | {"x-slack-signature": "v0=é"},
    "signed with another secret": lambda body: sign(body, secret="not-ours"),
    "headers as Bolt holds them, forged": lambda body: {k: [v] for k, v in (sign(body) | {"x-slack-signature": "v0=1"}).items()},
}


@pytest.mark.parametrize("forge", UNVERIFIABLE.values(), ids=UNVERIFIABLE.keys())
def test_an_unverifiable_request_is_refused_before_anything_reads_it(slack, standin, attacker, caplog, bolt_calls,
                                                                      forge):
    caplog.set_level(logging.DEBUG)
    body = command(attacker.response_url("evil"))
    headers = {"content-type": FORM} | forge(body)
    response = dispatch(slack.app, body, headers)
    assert (response.status, response.body) == (401, "")
    assert_untouched(slack, standin, attacker, caplog, bolt_calls)
    assert any("refused a request" in r.getMessage() for r in caplog.records)


def deep_json(depth: int) -> str:
    return '{"type":"event_callback","event":{"type":"app_home_opened","x":' + "[" * depth + "]" * depth + "}}"


def as_sent(raw: bytes) -> str | bytes:
    """The body as the driver passes it (text), unless it is not text."""
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw


def deep_payload(depth: int) -> str:
    return urlencode({"payload": '{"type":"block_actions","team":{"id":"T0001"},"x":' + '{"a":' * depth + "1"
                      + "}" * depth + "}"})


UNREADABLE = {
    "not UTF-8": (b"command=%2Fstakemap&text=\xff\xfe\xfd&team_id=T0001&user_id=U0CSM", FORM),
    "not UTF-8, JSON": (b'{"type":"event_callback","event":{"type":"\xc3\x28"}}', "application/json"),
    "JSON nested 5,000 deep": (deep_json(5000).encode(), "application/json"),
    "JSON objects nested 5,000 deep": (('{"a":' * 5000 + "1" + "}" * 5000).encode(), "application/json"),
    "JSON nested 200 deep": (deep_json(200).encode(), "application/json"),
    "form payload nested 5,000 deep": (deep_payload(5000).encode(), FORM),
    "form payload nested 200 deep": (deep_payload(200).encode(), FORM),
    "too large": (command("https://hooks.slack.com/x").encode() + b"&pad=" + b"x" * MAX_BODY, FORM),
    "command without a team": (urlencode({"command": "/stakemap", "text": SECRET_NAME, "user_id": "U1"}).encode(), FORM),
}


@pytest.mark.parametrize(("raw", "content_type"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_signed_request_that_cannot_be_read_is_refused(slack, standin, attacker, caplog, bolt_calls,
                                                         raw, content_type):
    caplog.set_level(logging.DEBUG)
    response = dispatch(slack.app, as_sent(raw), {"content-type": content_type} | signed(raw))
    assert (response.status, response.body) == (400, "")
    assert_untouched(slack, standin, attacker, caplog, bolt_calls)


@pytest.mark.parametrize(("raw", "content_type"), [value for key, value in UNREADABLE.items() if key != "too large"],
                         ids=[key for key in UNREADABLE if key != "too large"])
def test_an_unsigned_request_that_cannot_be_read_is_refused_as_unsigned(slack, standin, attacker, caplog, bolt_calls,
                                                                        raw, content_type):
    response = dispatch(slack.app, as_sent(raw), {"content-type": content_type} | signed(raw, now() - 600))
    assert response.status == 401
    assert_untouched(slack, standin, attacker, caplog, bolt_calls)


def test_the_same_request_signed_reaches_bolt(slack, standin, bolt_calls):
    """The control for the tests above: the signature over raw bytes is Slack's own."""
    raw = command(standin.response_url("ok"), "Nowhere").encode()
    assert dispatch(slack.app, raw, {"content-type": FORM} | signed(raw)).status == 200
    assert len(bolt_calls) == 1
    assert "Nowhere" in slack.replies(1, "ok")[0]["text"]


def test_an_untrusted_response_url_is_never_posted_to(slack, standin, attacker, caplog, runtime):
    """Signed requests (from Slack, or replayed with a forged body... signed) whose response_url is not Slack's:
    neither our answers, Bolt's respond(), nor the failure handler post there."""
    standin.fail("views.open", error="internal_error")  # the `new` listener fails: the error path answers too
    for text in ("Nowhere", "new Acme", "help"):
        body = command(attacker.response_url("evil"), text)
        assert slack.send(body, FORM).status == 200
    body = command("https://evil.example/hook", "Nowhere")
    assert slack.send(body, FORM).status == 200
    slack.drain()
    assert attacker.calls == []
    assert standin.calls_to("response_url") == []
    trusted = command(standin.response_url("slack"), "Nowhere")  # the control: Slack's own gets the answer
    assert slack.send(trusted, FORM).status == 200
    assert "Nowhere" in slack.replies(1, "slack")[0]["text"]


@pytest.mark.parametrize("url", ["http://127.0.0.2:1/evil", "https://evil.example/", "http://hooks.slack.com/x",
                                 "https://hooks.slack.com.evil.example/x", "https://hooks.slack.com:8443/x",
                                 "http://[::1/x", "http://127.0.0.1:notaport/x", "javascript:alert(1)"])
def test_response_urls_outside_slack_are_not_trusted(runtime, url):
    assert not runtime.settings.trusted_response_url(url)


def test_slack_and_the_configured_api_host_are_trusted(runtime, standin):
    assert runtime.settings.trusted_response_url("https://hooks.slack.com/commands/T1/2/abc")
    assert runtime.settings.trusted_response_url(standin.response_url("x"))


def test_a_refused_signature_is_logged_in_one_line_without_the_body(slack, caplog):
    """Bolt's own check (kept, for any path into App.dispatch that bypasses ours) logs like ours: no body."""
    from slack_bolt import BoltRequest

    caplog.set_level(logging.DEBUG)
    body = command("https://hooks.slack.com/x")
    forged = {"content-type": FORM} | sign(body) | {"x-slack-signature": "v0=" + "1" * 64}
    assert dispatch(slack.app, body, forged).status == 401
    assert slack.app.dispatch(BoltRequest(body=body, headers=forged)).status == 401  # straight into Bolt
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused a request")]
    assert len(refusals) == 2
    assert all(SECRET_NAME not in r.getMessage() and "Sarah" not in r.getMessage() for r in caplog.records)
    assert all(r.levelno < logging.WARNING for r in caplog.records)
