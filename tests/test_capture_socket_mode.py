"""Capture over Socket Mode: the real `stakemap serve --mode socket` acks a Slack Connect message event
envelope and turns it into a captured touch, as it does over HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import select

from app.core.domain import TouchKind
from app.core.models import Contact, Touch
from app.services.accounts import find_account
from app.services.channel_links import link_channel
from tests.capture_world import EXT, envelope, message_event, ts_of
from tests.test_serve_process import SocketModeServer, demo_db, stakemap_serve

__all__ = ["demo_db"]


def captured_for(runtime, name: str) -> list[Touch]:
    with runtime.db.reading() as session:
        contact = session.scalar(select(Contact).where(Contact.name == name))
        return list(session.scalars(select(Touch).where(Touch.contact_id == contact.id,
                                                        Touch.capture_day.is_not(None))))


def test_socket_mode_captures_a_customer_message(demo_db, runtime, standin):
    with runtime.db.session() as session:
        link_channel(session, find_account(session, "T0001", "Acme"), EXT, runtime.now(), name="ext-acme")
    runtime.db.dispose()
    standin.add_channel(EXT, "ext-acme", shared=True)
    standin.add_customer("U0SARAH", "Sarah Kim", title="CFO")
    server = SocketModeServer()
    standin.socket_mode_url = server.url
    with stakemap_serve(demo_db, standin, "--mode", "socket", "--no-scheduler", SLACK_APP_TOKEN="xapp-test") as process:
        if not server.connected.wait(30):
            raise AssertionError(f"never connected: {process.stdout.read1().decode(errors='replace')}")
        event = message_event("U0SARAH", ts_of(datetime.now(UTC)))
        server.send({"envelope_id": "e-capture", "type": "events_api", "payload": envelope(event),
                     "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""})
        assert server.wait_ack("e-capture")["envelope_id"] == "e-capture"
        deadline = time.monotonic() + 15
        while not captured_for(runtime, "Sarah Kim") and time.monotonic() < deadline:
            time.sleep(0.1)
    [touch] = captured_for(runtime, "Sarah Kim")
    assert (touch.kind.value, touch.capture_messages, touch.capture_channel_id, touch.notes) == (
        TouchKind.CHAT.value, 1, EXT, None)  # metadata only: the message's text is nowhere
    assert [call.method for call in standin.calls if call.method == "chat.postMessage"] == []
