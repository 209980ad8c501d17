"""Serving Slack: HTTP on gunicorn (a production WSGI server) or Socket Mode."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable

from gunicorn.app.base import BaseApplication
from slack_bolt import App

from app.edge.inbound import CheckedSlackRequestHandler
from app.platform.observability import metrics_app, share_metrics_between_processes, worker_exited
from app.platform.runtime import Runtime

log = logging.getLogger("stakemap.server")

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def wsgi_app(bolt_app: App, runtime: Runtime) -> WsgiApp:
    """Slack at /slack/events (and the OAuth paths when enabled), /healthz, /metrics (Prometheus)."""
    slack = CheckedSlackRequestHandler(bolt_app)
    metrics = metrics_app()

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


def run_gunicorn(application: WsgiApp, port: int, threads: int, workers: int = 1, log_level: str = "info",
                 post_fork: Callable | None = None, on_worker_start: Callable[[], None] | None = None,
                 child_exit: Callable | None = None) -> None:
    """Block serving a WSGI app on gunicorn: `workers` processes with `threads` threads each."""

    def post_worker_init(_worker) -> None:
        if on_worker_start is not None:
            on_worker_start()

    options = {
        "bind": f"0.0.0.0:{port}",
        "workers": workers,
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
    if child_exit is not None:
        options["child_exit"] = child_exit
    _Gunicorn(application, options).run()


class OneWorkerOnly:
    """Runs `start` in one worker of the serve process at a time (the nudge scheduler), whichever takes the lock.

    Each worker waits for an exclusive lock on a file the master made, in a thread of its own; the
    first to get it runs `start`. The lock goes with its process: when that worker exits (crash,
    restart, reload), another worker, or the one that replaces it, takes it and runs `start`.
    """

    def __init__(self, start: Callable[[], None]):
        self.start = start
        descriptor, self.path = tempfile.mkstemp(prefix="stakemap-scheduler-", suffix=".lock")
        os.close(descriptor)

    def in_worker(self) -> None:
        try:  # opened as the worker starts, while the master (which removes the file on exit) is there
            descriptor = os.open(self.path, os.O_RDWR)  # this worker's own open file: the lock is its alone
        except FileNotFoundError:  # the serve process is shutting down
            return
        threading.Thread(target=self._wait_then_start, args=(descriptor,), name="scheduler-lock", daemon=True).start()

    def _wait_then_start(self, descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # held until this process exits
        log.info("this worker (pid %s) runs the nudge scheduler", os.getpid())
        self.start()

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def serve_http(bolt_app: App, runtime: Runtime, port: int, on_worker_start: Callable[[], None] | None = None) -> None:
    """Block serving Slack over HTTP: WEB_CONCURRENCY gunicorn workers (Bolt's listeners are sync: threads
    in each); `on_worker_start` (the scheduler) runs in one worker only."""
    settings = runtime.settings
    workers = settings.web_concurrency
    given_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    metrics_dir = given_dir or tempfile.mkdtemp(prefix="stakemap-metrics-")
    share_metrics_between_processes(metrics_dir)
    runtime.db.dispose()  # the workers open their own connections; none is inherited across the fork
    once = OneWorkerOnly(on_worker_start) if on_worker_start is not None else None

    def post_fork(_server, _worker) -> None:
        runtime.db.dispose()  # never share pooled connections across a fork

    def child_exit(_server, worker) -> None:
        worker_exited(worker.pid)

    log.info("serving Slack over HTTP on port %s with %s workers x %s threads (/slack/events, /healthz, /metrics)",
             port, workers, settings.http_threads)
    try:
        run_gunicorn(wsgi_app(bolt_app, runtime), port, settings.http_threads, workers, settings.log_level.lower(),
                     post_fork, once.in_worker if once else None, child_exit)
    finally:
        if once is not None:
            once.remove()
        if not given_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def serve_socket_mode(bolt_app: App, runtime: Runtime, on_start: Callable[[], None] | None = None) -> None:
    """Block serving Slack over Socket Mode (no public URL needed)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(bolt_app, app_token=runtime.settings.slack_app_token)
    if on_start is not None:
        on_start()
    log.info("serving Slack over Socket Mode")
    handler.start()
