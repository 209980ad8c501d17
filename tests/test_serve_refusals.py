"""The real `stakemap serve` (gunicorn) refuses what Slack did not sign, or cannot be read, silently:
401/400, no traceback, no body in its log, nothing posted anywhere."""

from __future__ import annotations

import hashlib
import hmac
import time

from tests.slack_driver import SIGNING_SECRET, sign
from tests.test_serve_process import command_body, demo_db, free_port, http, stakemap_serve, wait_healthy

__all__ = ["demo_db"]  # the fixture, shared with the serve tests

FORM = "application/x-www-form-urlencoded"


def signed(raw: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def test_serve_refuses_unsigned_and_unreadable_requests_without_a_traceback(demo_db, standin):
    port = free_port()
    body = command_body(standin, "Sarah Kim").encode()  # its response_url is the stand-in's "http"
    not_utf8 = b"command=%2Fstakemap&text=\xff\xfe&team_id=T0001&user_id=U0CSM"
    deep = b'{"type":"event_callback","event":{"type":"x","y":' + b"[" * 5000 + b"]" * 5000 + b"}}"
    attempts = [
        (body, sign(body.decode()) | {"x-slack-request-timestamp": "abc"}, 401),
        (body, sign(body.decode()) | {"x-slack-request-timestamp": ""}, 401),
        (body, {}, 401),
        (body, sign(body.decode(), int(time.time()) - 600), 401),
        (not_utf8, {}, 401),
        (not_utf8, signed(not_utf8), 400),
        (deep, signed(deep), 400),
        (deep, {}, 401),
    ]
    with stakemap_serve(demo_db, standin, "--mode", "http", "--port", str(port)) as process:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, process)
        standin.clear()
        for raw, headers, expected in attempts:
            status, answer = http(base + "/slack/events", raw, {"Content-Type": FORM, **headers})
            assert (status, answer) == (expected, b"")
        assert http(base + "/healthz")[0] == 200  # still serving
    output = process.stdout.read().decode(errors="replace")
    assert "Traceback" not in output and " ERROR " not in output, output
    assert "Sarah" not in output
    assert output.count("refused a request") == len(attempts)
    # no Web API call, nothing posted to the response_url (the worker's own start may check its token)
    assert [call.method for call in standin.calls if call.method != "auth.test"] == []
