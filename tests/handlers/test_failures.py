"""When something fails on our side the user is told, and a modal never closes as if it had saved."""

import json
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

from blocks.notices import SORRY


@contextmanager
def unreachable():
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))
    yield


def test_a_modal_stays_open_when_the_database_fails(slack, runtime, monkeypatch):
    view = slack.modal("new Acme")
    monkeypatch.setattr(runtime.db, "session", unreachable)
    response = slack.submit(view, {})
    assert response.status == 200
    assert json.loads(response.body) == {"response_action": "errors", "errors": {"name": SORRY}}


def test_a_command_that_fails_tells_the_user(slack, runtime, monkeypatch):
    monkeypatch.setattr(runtime.db, "session", unreachable)
    monkeypatch.setattr(runtime.db, "reading", unreachable)
    assert slack.command("Acme").status == 200
    assert slack.reply() == {"text": SORRY, "response_type": "ephemeral", "replace_original": False}
