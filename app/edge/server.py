"""Serving Slack: HTTP on gunicorn (a production WSGI server) or Socket Mode."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from gunicorn.app.base import BaseApplication
from prometheus_client import make_wsgi_app
from slack_bolt import App

from app.edge.inbound import CheckedSlackRequestHandler
from app.platform.runtime import Runtime

log = logging.getLogger("stakemap.server")

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def wsgi_app(bolt_app: App, runtime: Runtime) -> WsgiApp:
    """Slack at /slack/events (and the OAuth paths when enabled), /healthz, /metrics (Prometheus)."""
    slack = CheckedSlackRequestHandler(bolt_app)
    metrics = make_wsgi_app()

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/healthz":
            return _health(runtime, start_response)
        if path == "/metrics":
            return metrics(environ, start_response)
        return slack(environ, start_response)

    return application


def _health(runtime: Runtime, start_response: Callable) -> Iterable[bytes]:
    healthy = runtime.db.ping()
    body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
    status = "200 OK" if healthy else "503 Service Unavailable"
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class _Gunicorn(BaseApplication):
    def __init__(self, application: WsgiApp, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        return self.application


def run_gunicorn(application: WsgiApp, port: int, threads: int, log_level: str = "info",
                 post_fork: Callable | None = None, on_worker_start: Callable[[], None] | None = None) -> None:
    """Block serving a WSGI app on gunicorn: one worker process with `threads` threads."""

    def post_worker_init(_worker) -> None:
        if on_worker_start is not None:
            on_worker_start()

    options = {
        "bind": f"0.0.0.0:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "post_worker_init": post_worker_init,
        "loglevel": log_level,
        "proc_name": "stakemap",
    }
    if post_fork is not None:
        options["post_fork"] = post_fork
    _Gunicorn(application, options).run()


def serve_http(bolt_app: App, runtime: Runtime, port: int, on_worker_start: Callable[[], None] | None = None) -> None:
    """Block serving Slack over HTTP (Bolt's listeners are sync: threads, one process)."""

    def post_fork(_server, _worker) -> None:
        runtime.db.dispose()  # never share pooled connections across a fork

    log.info("serving Slack over HTTP on port %s (/slack/events, /healthz, /metrics)", port)
    run_gunicorn(wsgi_app(bolt_app, runtime), port, runtime.settings.http_threads,
                 runtime.settings.log_level.lower(), post_fork, on_worker_start)


def serve_socket_mode(bolt_app: App, runtime: Runtime, on_start: Callable[[], None] | None = None) -> None:
    """Block serving Slack over Socket Mode (no public URL needed)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(bolt_app, app_token=runtime.settings.slack_app_token)
    if on_start is not None:
        on_start()
    log.info("serving Slack over Socket Mode")
    handler.start()
