"""Logs and metrics: one log line per Slack request (JSON with LOG_FORMAT=json) and Prometheus metrics.

Nothing here logs a payload, a header or a token: only the surface (which listener), the latency, the
outcome and the workspace id.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    make_wsgi_app,
    multiprocess,
    values,
)
from pythonjsonlogger.json import JsonFormatter

from app.core.settings import Settings

log = logging.getLogger(__name__)
request_log = logging.getLogger("stakemap.requests")

class _Metrics:
    def __init__(self, registry: CollectorRegistry):
        self.requests = Counter("stakemap_slack_requests_total", "Requests from Slack by listener and outcome",
                                ["listener", "outcome"], registry=registry)
        self.ack_seconds = Histogram("stakemap_slack_ack_seconds",
                                     "Time from receiving a Slack request to acknowledging it", ["listener"],
                                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5), registry=registry)
        self.slack_api_errors = Counter("stakemap_slack_api_errors_total",
                                        "Slack Web API calls that failed after retries", ["method", "error"],
                                        registry=registry)
        self.sweep_seconds = Histogram("stakemap_sweep_seconds", "Duration of one weekly-nudge pass over one workspace",
                                       buckets=(0.05, 0.1, 0.5, 1, 2, 5, 10, 20, 60, 120), registry=registry)
        self.digests = Counter("stakemap_digests_total",
                               "Weekly digest DMs by outcome (sent, failed, uncertain, undeliverable, empty)", ["outcome"],
                               registry=registry)


_metrics = _Metrics(REGISTRY)
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics_between_processes(directory: str) -> None:
    """Prometheus' multiprocess mode, for gunicorn with several workers: call in the master before it forks.

    Every worker then writes its metrics to files in `directory` (emptied here) and /metrics, whichever
    worker answers it, sums them all.
    """
    global _metrics
    Path(directory).mkdir(parents=True, exist_ok=True)
    for stale in Path(directory).glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROCESS_DIR] = directory
    values.ValueClass = values.MultiProcessValue()
    _metrics = _Metrics(CollectorRegistry())  # written to files; read back by the collector in metrics_app()


def metrics_app():
    """The /metrics WSGI app: this process's metrics, or every worker's in multiprocess mode."""
    if not os.environ.get(MULTIPROCESS_DIR):
        return make_wsgi_app()
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return make_wsgi_app(registry)


def worker_exited(pid: int) -> None:
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(pid)


_MAX_LABELS = 200  # per label: forged ids or odd errors must not grow the metrics without bound
_KNOWN_LABELS: dict[str, set[str]] = {}
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


def _bounded(label: str, kind: str = "listener") -> str:
    """The label itself while fewer than _MAX_LABELS distinct values of this kind were seen, else "other"."""
    label = label[:80]
    known = _KNOWN_LABELS.setdefault(kind, set())
    if label in known:
        return label
    if len(known) >= _MAX_LABELS:
        return "other"
    known.add(label)
    return label


def outcome(status: int) -> str:
    if status < 300:
        return "ok"
    return {401: "unauthorized", 404: "unhandled"}.get(status, "error" if status >= 500 else "rejected")


Params = ParamSpec("Params")


def _never_fails(record: Callable[Params, None]) -> Callable[Params, None]:
    """A metric that cannot be written is lost, never the work it measures: a worker finishing a job while
    gunicorn's master removes the multiprocess directory at shutdown gets FileNotFoundError from it."""

    @wraps(record)
    def recording(*args: Params.args, **kwargs: Params.kwargs) -> None:
        try:
            record(*args, **kwargs)
        except OSError as error:
            log.debug("a metric was not recorded: %s", error)

    return recording


@_never_fails
def record_request(body: Any, status: int, seconds: float, team_id: str | None) -> None:
    listener = _bounded(surface(body)) if status != 404 else "unhandled"
    result = outcome(status)
    _metrics.requests.labels(listener, result).inc()
    _metrics.ack_seconds.labels(listener).observe(seconds)
    request_log.info(
        "%s %s in %.1f ms", listener, result, seconds * 1000,
        extra={"listener": listener, "outcome": result, "status": status,
               "latency_ms": round(seconds * 1000, 2), "team_id": team_id},
    )


@_never_fails
def record_api_error(method: str, error: str) -> None:
    _metrics.slack_api_errors.labels(_bounded(method[:60], "method"), _bounded(error[:60], "error")).inc()


@_never_fails
def record_sweep(seconds: float, sent: int, failed: int, undeliverable: int, empty: int, *, uncertain: int = 0) -> None:
    _metrics.sweep_seconds.observe(seconds)
    for outcome, count in (("sent", sent), ("failed", failed), ("undeliverable", undeliverable), ("empty", empty),
                           ("uncertain", uncertain)):
        if count:
            _metrics.digests.labels(outcome).inc(count)
