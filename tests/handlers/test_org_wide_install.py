"""An app installed org-wide on Enterprise Grid: Slack's payloads name no workspace in the authorization
(`authorizations[0].team_id: null`, `is_enterprise_install: true`); the workspace comes from the payload.

Shapes as Slack sends them for org-wide installs (bolt-python's own tests use the same: an authorization
with an enterprise_id and no team_id; interactions with `team: null` and `user.team_id`)."""

import json
import time
from urllib.parse import urlencode

from app.edge.request_workspace import workspace_of
from tests.conftest import TEAM
from tests.seeding import seed_demo

GRID = "E0GRID"


def org_event(event: dict) -> str:
    return json.dumps({
        "token": "verification-token", "team_id": TEAM, "enterprise_id": GRID, "context_team_id": TEAM,
        "context_enterprise_id": GRID, "api_app_id": "A0STAKEMAP", "event": event, "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()), "is_ext_shared_channel": False,
        "authorizations": [{"enterprise_id": GRID, "team_id": None, "user_id": "UBOT", "is_bot": True,
                            "is_enterprise_install": True}],
    })


def test_the_home_of_an_org_wide_install_shows_the_csms_accounts(slack, standin, runtime):
    seed_demo(runtime, TEAM)
    home_opened = {"type": "app_home_opened", "user": "U0CSM", "channel": "D0HOME", "tab": "home",
                   "event_ts": f"{time.time():.6f}",
                   "view": {"id": "V0HOME", "team_id": TEAM, "type": "home", "blocks": []}}
    assert slack.send(org_event(home_opened), "application/json").status == 200
    text = str(slack.home())
    assert "You own no accounts yet" not in text and "*3 accounts*" in text


def test_a_home_button_of_an_org_wide_install_reaches_the_workspace(slack, standin, runtime):
    seed_demo(runtime, TEAM)
    payload = {
        "type": "block_actions", "token": "verification-token", "api_app_id": "A0STAKEMAP", "team": None,
        "enterprise": {"id": GRID, "name": "Grid"}, "is_enterprise_install": True,
        "user": {"id": "U0CSM", "username": "csm", "team_id": TEAM}, "trigger_id": slack.trigger_id(),
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {"id": "V0HOME", "team_id": TEAM, "type": "home", "blocks": [], "state": {"values": {}}, "hash": "1.a"},
        "actions": [{"action_id": "home_page:0", "block_id": "home_pages", "type": "button", "value": "0",
                     "action_ts": f"{time.time():.6f}", "text": {"type": "plain_text", "text": "Next"}}],
    }
    assert slack.send_payload(payload).status == 200
    assert "*3 accounts*" in str(slack.home())


def test_a_command_of_an_org_wide_install_answers_from_the_workspace(slack, standin, runtime):
    seed_demo(runtime, TEAM)
    body = urlencode({
        "token": "verification-token", "team_id": TEAM, "team_domain": "acme-cs", "enterprise_id": GRID,
        "enterprise_name": "Grid", "channel_id": "C0ACME", "channel_name": "acme", "user_id": "U0CSM",
        "user_name": "csm", "command": "/stakemap", "text": "list", "api_app_id": "A0STAKEMAP",
        "is_enterprise_install": "true", "response_url": slack._new_response_url(), "trigger_id": slack.trigger_id(),
    })
    assert slack.send(body, "application/x-www-form-urlencoded").status == 200
    assert "Acme" in str(slack.reply())


def test_the_workspace_is_read_where_slack_puts_it():
    assert workspace_of({"team_id": "T1", "authorizations": [{"team_id": None}]}) == "T1"
    assert workspace_of({"event": {"view": {"team_id": "T2"}}}) == "T2"
    assert workspace_of({"team": None, "user": {"id": "U1", "team_id": "T3"}}) == "T3"
    assert workspace_of({"authorizations": [{"team_id": None}]}) is None
