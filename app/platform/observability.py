"""Logs and metrics: one log line per Slack request (JSON with LOG_FORMAT=json) and Prometheus metrics.

Nothing here logs a payload, a header or a token: only the surface (which listener), the latency, the
outcome and the workspace id.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from prometheus_client import Counter, Histogram
from pythonjsonlogger.json import JsonFormatter

from app.core.settings import Settings

request_log = logging.getLogger("stakemap.requests")

REQUESTS = Counter("stakemap_slack_requests_total", "Requests from Slack by listener and outcome",
                   ["listener", "outcome"])
ACK_SECONDS = Histogram("stakemap_slack_ack_seconds", "Time from receiving a Slack request to acknowledging it",
                        ["listener"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5))
SLACK_API_ERRORS = Counter("stakemap_slack_api_errors_total", "Slack Web API calls that failed after retries",
                           ["method", "error"])

SWEEP_SECONDS = Histogram("stakemap_sweep_seconds", "Duration of one weekly-nudge pass over one workspace",
                          buckets=(0.05, 0.1, 0.5, 1, 2, 5, 10, 20, 60, 120))
DIGESTS = Counter("stakemap_digests_total", "Weekly digest DMs by outcome (sent, failed, undeliverable, empty)",
                  ["outcome"])

_KNOWN_LABELS: set[str] = set()
_MAX_LABELS = 200  # forged ids must not grow the metrics without bound
_NUMBERED = re.compile(r":\d+$")


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format.lower() == "json":
        handler.setFormatter(JsonFormatter("{asctime}{levelname}{name}{message}", style="{",
                                           rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)


def surface(body: Any) -> str:
    """Which listener a request is for: 'command:/stakemap', 'action:map_log_touch', 'view:touch_modal'…"""
    if not isinstance(body, dict):
        return "malformed"
    if "command" in body:
        return f"command:{body.get('command')}"
    kind = body.get("type")
    detail = {
        "block_actions": lambda: (body.get("actions") or [{}])[0].get("action_id"),
        "view_submission": lambda: (body.get("view") or {}).get("callback_id"),
        "view_closed": lambda: (body.get("view") or {}).get("callback_id"),
        "block_suggestion": lambda: body.get("action_id"),
        "message_action": lambda: body.get("callback_id"),
        "shortcut": lambda: body.get("callback_id"),
        "event_callback": lambda: (body.get("event") or {}).get("type"),
    }.get(kind)
    try:
        name = detail() if detail else None
    except (AttributeError, IndexError, TypeError):
        name = None
    return f"{kind}:{_NUMBERED.sub('', str(name))}" if name else str(kind or "unknown")


def _bounded(label: str) -> str:
    label = label[:80]
    if label in _KNOWN_LABELS:
        return label
    if len(_KNOWN_LABELS) >= _MAX_LABELS:
        return "other"
    _KNOWN_LABELS.add(label)
    return label


def outcome(status: int) -> str:
    if status < 300:
        return "ok"
    return {401: "unauthorized", 404: "unhandled"}.get(status, "error" if status >= 500 else "rejected")


def record_request(body: Any, status: int, seconds: float, team_id: str | None) -> None:
    listener = _bounded(surface(body)) if status != 404 else "unhandled"
    result = outcome(status)
    REQUESTS.labels(listener, result).inc()
    ACK_SECONDS.labels(listener).observe(seconds)
    request_log.info(
        "%s %s in %.1f ms", listener, result, seconds * 1000,
        extra={"listener": listener, "outcome": result, "status": status,
               "latency_ms": round(seconds * 1000, 2), "team_id": team_id},
    )


def record_api_error(method: str, error: str) -> None:
    SLACK_API_ERRORS.labels(method[:60], error[:60]).inc()


def record_sweep(seconds: float, sent: int, failed: int, undeliverable: int, empty: int) -> None:
    SWEEP_SECONDS.observe(seconds)
    for outcome, count in (("sent", sent), ("failed", failed), ("undeliverable", undeliverable), ("empty", empty)):
        if count:
            DIGESTS.labels(outcome).inc(count)
