"""Bodies Bolt would crash on (found by the hostile-input tests) answer 400 before reaching it."""

import json
from urllib.parse import urlencode

import pytest

from app.inbound import is_well_formed

FORM = "application/x-www-form-urlencoded"


def payload(data) -> str:
    return urlencode({"payload": json.dumps(data)})


BASE = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot json", FORM),
        (payload([1, 2]), FORM),
        (payload("x"), FORM),
        (payload({"team": {"id": "T1"}}), FORM),  # no type
        (payload(BASE | {"actions": []}), FORM),  # Bolt reads actions[0]
        (payload(BASE | {"actions": ["x"]}), FORM),
        (payload(BASE | {"actions": "x"}), FORM),
        (payload(BASE | {"team": "T1"}), FORM),
        (payload(BASE | {"view": None, "actions": [{"action_id": "a"}]}), FORM),  # Bolt reads view.get
        (payload({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"}, "view": {"state": {}}}), FORM),
        (payload({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"},
                  "view": {"type": "modal", "state": {"values": [1]}}}), FORM),
        ("command=%2Fstakemap&text=a&text=b", FORM),
        ("command=%2Fstakemap&text=Acme&user_id=U1", FORM),  # every listener is scoped by the team
        ("command=%2Fstakemap&text=Acme&team_id=T1&user_id=", FORM),
        ('{"type":"event_callback","event":"x"}', "application/json"),
        ("{", "text/plain"),  # Bolt parses any body starting with "{" as JSON, whatever the content type
        ("{", FORM),
        ("x" * 1_000_001, FORM),
    ],
)
def test_refused(body, content_type):
    assert not is_well_formed(body, content_type)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("", FORM),
        ("command=%2Fstakemap&text=Acme&team_id=T1&user_id=U1", FORM),
        (payload(BASE | {"actions": [{"action_id": "a", "value": "1"}], "enterprise": None}), FORM),
        (payload({"type": "view_submission", "team": None, "user": {"id": "U1"},
                  "view": {"type": "modal", "callback_id": "c", "state": {"values": {"b": {"a": {"type": "x"}}}}}}), FORM),
        ('{"type":"event_callback","event":{"type":"app_home_opened"},"event_id":"Ev1"}', "application/json"),
        ('{"type":"url_verification","challenge":"abc"}', "application/json"),
    ],
)
def test_accepted(body, content_type):
    assert is_well_formed(body, content_type)
