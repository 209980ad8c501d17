"""One JSON log line per request, Prometheus metrics, Slack API errors counted, no secrets in logs."""

import io
import json
import logging

import pytest
from prometheus_client import REGISTRY

from app.edge.server import wsgi_app
from app.platform.observability import configure_logging, surface
from tests.conftest import BOT_TOKEN, make_settings
from tests.slack_driver import SIGNING_SECRET


@pytest.fixture
def captured_logs(monkeypatch):
    stream = io.StringIO()
    configure_logging(make_settings("sqlite://", log_format="json", log_level="DEBUG"))
    handler = logging.getLogger().handlers[0]
    monkeypatch.setattr(handler, "stream", stream)
    yield stream
    logging.getLogger().handlers.clear()
    logging.getLogger().setLevel(logging.WARNING)


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_one_json_line_per_request(slack, captured_logs):
    slack.command("help")
    slack.reply()
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines() if '"stakemap.requests"' in line]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["listener"] == "command:/stakemap" and entry["outcome"] == "ok" and entry["status"] == 200
    assert entry["team_id"] == "T0001" and entry["latency_ms"] > 0 and entry["level"] == "INFO"


def test_secrets_never_reach_the_logs(slack, captured_logs):
    view = slack.modal("new Acme")
    slack.submit(view, {})
    slack.reply()
    slack.command("Acme")
    slack.reply()
    logged = captured_logs.getvalue()
    assert "stakemap.requests" in logged and len(logged) > 1000  # DEBUG really logged the traffic
    assert BOT_TOKEN not in logged and SIGNING_SECRET not in logged


def test_requests_and_api_errors_are_counted(slack, standin):
    before = sample("stakemap_slack_requests_total", listener="command:/stakemap", outcome="ok")
    errors_before = sample("stakemap_slack_api_errors_total", method="views.open", error="expired_trigger_id")
    standin.fail("views.open", error="expired_trigger_id")
    slack.command("new Acme")
    standin.wait_for("views.open")
    assert sample("stakemap_slack_requests_total", listener="command:/stakemap", outcome="ok") == before + 1
    slack.send(slack.command_body("x"), "application/x-www-form-urlencoded", {"x-slack-signature": "v0=bad"})
    assert sample("stakemap_slack_requests_total", listener="refused", outcome="unauthorized") >= 1  # body unread
    slack.drain()  # the listener finished failing
    assert sample("stakemap_slack_api_errors_total", method="views.open", error="expired_trigger_id") == errors_before + 1


def test_metrics_endpoint(slack, runtime):
    slack.command("help")
    application = wsgi_app(slack.app, runtime)
    status = {}
    body = b"".join(application({"PATH_INFO": "/metrics", "REQUEST_METHOD": "GET", "QUERY_STRING": ""},
                                lambda s, h: status.setdefault("status", s)))
    assert status["status"].startswith("200")
    assert b'stakemap_slack_requests_total{listener="command:/stakemap",outcome="ok"}' in body
    assert b"stakemap_slack_ack_seconds_bucket" in body


@pytest.mark.parametrize(
    ("body", "label"),
    [
        ({"command": "/stakemap", "text": "Acme"}, "command:/stakemap"),
        ({"type": "block_actions", "actions": [{"action_id": "show_account:3"}]}, "block_actions:show_account"),
        ({"type": "view_submission", "view": {"callback_id": "touch_modal"}}, "view_submission:touch_modal"),
        ({"type": "event_callback", "event": {"type": "app_home_opened"}}, "event_callback:app_home_opened"),
        ({"type": "block_actions", "actions": "garbage"}, "block_actions"),
        ("not a dict", "malformed"),
    ],
)
def test_surface_labels(body, label):
    assert surface(body) == label


def test_api_error_labels_are_bounded():
    """Errors named by whatever answers as Slack (or a method name from a bug) never grow the metrics without end."""
    from app.platform.observability import record_api_error

    for n in range(600):
        record_api_error("chat.postMessage", f"odd_error_{n}")
    series = {sample.labels["error"] for metric in REGISTRY.collect() if metric.name == "stakemap_slack_api_errors"
              for sample in metric.samples if sample.labels.get("method") == "chat.postMessage"}
    assert 0 < len(series) <= 201 and "other" in series
