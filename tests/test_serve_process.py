"""The real `stakemap serve` process, driven over HTTP and over Socket Mode."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
import websockets

from app.services.demo import load_demo
from tests.conftest import BOT_TOKEN
from tests.slack_driver import SIGNING_SECRET, sign


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def stakemap_serve(db_url: str, standin, *args: str, command: str = "serve", **env: str):
    environment = {**os.environ, "DATABASE_URL": db_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
                   "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": standin.api_url, **env}
    process = subprocess.Popen([sys.executable, "-m", "app", command, *args], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def http(url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_healthy(base: str, process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stdout.read().decode(errors='replace')}")
        try:
            if http(base + "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve never became healthy")


@pytest.fixture
def demo_db(runtime):
    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
    runtime.db.dispose()
    return runtime.settings.database_url


def command_body(standin, text: str) -> str:
    return urlencode({"team_id": "T0001", "channel_id": "C1", "user_id": "U0CSM", "command": "/stakemap",
                      "text": text, "response_url": standin.response_url("http"), "trigger_id": "1.2.3"})


def test_http_mode_serves_slack_and_health(demo_db, standin):
    port = free_port()
    with stakemap_serve(demo_db, standin, "--mode", "http", "--port", str(port)) as process:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, process)
        assert json.loads(http(base + "/healthz")[1]) == {"ok": True, "database": "up"}

        body = command_body(standin, "Acme")
        started = time.monotonic()
        status, _ = http(base + "/slack/events", body.encode(),
                         {"Content-Type": "application/x-www-form-urlencoded", **sign(body)})
        acked = time.monotonic() - started
        assert status == 200 and acked < 3
        posted = standin.replies("http")[0].body
        assert posted["response_type"] == "in_channel"
        assert posted["blocks"][0]["text"]["text"] == "Stakeholder Map: Acme"

        forged = {**sign(body), "x-slack-signature": "v0=" + "0" * 64}
        assert http(base + "/slack/events", body.encode(), forged)[0] == 401
        assert http(base + "/nowhere")[0] == 404


def test_start_with_tokens_serves_slack(demo_db, standin):
    """The README's first command: with tokens, `stakemap start` serves Slack (HTTP on PORT here)."""
    port = free_port()
    with stakemap_serve(demo_db, standin, command="start", PORT=str(port)) as process:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, process)
        body = command_body(standin, "Globex")
        assert http(base + "/slack/events", body.encode(),
                    {"Content-Type": "application/x-www-form-urlencoded", **sign(body)})[0] == 200
        assert standin.replies("http")[0].body["blocks"][0]["text"]["text"] == "Stakeholder Map: Globex"


def test_serve_without_tokens_says_what_to_set(demo_db, standin):
    environment = {**os.environ, "DATABASE_URL": demo_db, "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": ""}
    result = subprocess.run([sys.executable, "-m", "app", "serve", "--mode", "http"], env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see README: 'Create the Slack app').")


class SocketModeServer:
    """A local stand-in for Slack's Socket Mode WebSocket: says hello, sends envelopes, collects acks."""

    def __init__(self):
        self.acks: list[dict] = []
        self.connected = threading.Event()
        self._outbox: asyncio.Queue | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self):
        self._outbox = asyncio.Queue()
        async with websockets.serve(self._session, "127.0.0.1", 0) as server:
            self.url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/link"
            self._ready.set()
            await asyncio.Future()

    async def _session(self, connection):
        await connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                          "connection_info": {"app_id": "A0STAKEMAP"}}))
        self.connected.set()

        async def receive():
            async for message in connection:
                self.acks.append(json.loads(message))

        receiving = asyncio.ensure_future(receive())
        while True:
            envelope = await self._outbox.get()
            await connection.send(json.dumps(envelope))
            if receiving.done():
                break

    def send(self, envelope: dict) -> None:
        self._loop.call_soon_threadsafe(self._outbox.put_nowait, envelope)

    def wait_ack(self, envelope_id: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ack in self.acks:
                if ack.get("envelope_id") == envelope_id:
                    return ack
            time.sleep(0.05)
        raise AssertionError(f"no ack for {envelope_id}; got {self.acks}")


def test_socket_mode_answers_a_command_over_the_websocket(demo_db, standin):
    server = SocketModeServer()
    standin.socket_mode_url = server.url
    with stakemap_serve(demo_db, standin, "--mode", "socket", SLACK_APP_TOKEN="xapp-test") as process:
        if not server.connected.wait(30):
            raise AssertionError(f"never connected: {process.stdout.read1().decode(errors='replace')}")
        assert standin.calls_to("apps.connections.open")[0].token == "xapp-test"
        payload = {"team_id": "T0001", "channel_id": "C1", "user_id": "U0CSM", "command": "/stakemap",
                   "text": "acme", "response_url": standin.response_url("socket"), "trigger_id": "1.2.3",
                   "api_app_id": "A0STAKEMAP"}
        server.send({"envelope_id": "e-1", "type": "slash_commands", "payload": payload,
                     "accepts_response_payload": True})
        assert server.wait_ack("e-1")["envelope_id"] == "e-1"
        posted = standin.replies("socket")[0].body
        assert posted["response_type"] == "in_channel"
        assert posted["blocks"][0]["text"]["text"] == "Stakeholder Map: Acme"
