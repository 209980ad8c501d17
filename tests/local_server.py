"""What the CRM stand-ins share (tests/hubspot_standin.py, tests/salesforce_standin.py): a threaded HTTP server
on 127.0.0.1 (port 0) answering through the stand-in object, keep-alive handlers, and faults on demand."""

from __future__ import annotations

import functools
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LocalServer:
    """`with StandIn() as server:` serves it in a thread (its handler reaches it as `self.server.standin`);
    `server.url` is where. Subclasses set `handler` and `thread_name`."""

    handler: type[BaseHTTPRequestHandler]
    thread_name = "standin"
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def __enter__(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self._server.standin = self  # type: ignore[attr-defined]
        self._server.daemon_threads = True
        serve = functools.partial(self._server.serve_forever, poll_interval=0.02)
        self._thread = threading.Thread(target=serve, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None, "the stand-in is not started"
        return f"http://127.0.0.1:{self._server.server_port}"


class KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the CRMs' servers

    def setup(self) -> None:
        super().setup()  # headers and body go out in two writes: without this, Nagle waits for a delayed ACK
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def answer_with(self, method: str) -> None:
        """Read the request, ask the stand-in, `reply`: each stand-in's handler says how."""
        raise NotImplementedError

    def reply(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        """Send the answer; status 0 drops the request: the connection closes without an answer."""
        if status == 0:
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.answer_with("GET")

    def do_POST(self) -> None:
        self.answer_with("POST")

    def do_PUT(self) -> None:
        self.answer_with("PUT")

    def do_PATCH(self) -> None:
        self.answer_with("PATCH")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@dataclass(frozen=True)
class Fault:
    status: int
    detail: str | None = None  # HubSpot: the Retry-After header; Salesforce: the errorCode
    drop: bool = False  # the connection closes without an answer
    after: bool = False  # carry the request out, then drop the connection (the answer is lost)


class Faults:
    """Faults queued per path fragment (and method, when given): `passing` matching requests answered, then
    `times` failing ones. Not thread-safe by itself: the stand-in calls it under its own lock."""

    def __init__(self) -> None:
        self._queue: list[tuple[str, str | None, Fault | None]] = []  # None: let this one through

    def add(self, path_part: str, fault: Fault, *, times: int = 1, passing: int = 0, method: str | None = None) -> None:
        self._queue.extend((path_part, method, None) for _ in range(passing))
        self._queue.extend((path_part, method, fault) for _ in range(times))

    def take(self, path: str, method: str) -> Fault | None:
        """The fault for this request (None: answer it normally)."""
        for index, (part, wanted, fault) in enumerate(self._queue):
            if part in path and wanted in (None, method):
                del self._queue[index]
                return fault
        return None
