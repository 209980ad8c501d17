"""Installing into many workspaces (OAuth): install, use the workspace's own token, uninstall."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from sqlalchemy import func, select, text

from app.core.models import Workspace
from app.edge.server import wsgi_app
from app.platform.installations import BOT_SCOPES, installed_bots
from tests.conftest import make_settings, running, serving
from tests.slack_driver import SlackDriver


@pytest.fixture
def oauth_runtime(db_url, standin, clock):
    settings = make_settings(db_url, standin.api_url, slack_bot_token=None, slack_client_id="111.222",
                             slack_client_secret="client-secret")
    with running(settings, clock) as runtime:
        yield runtime


@pytest.fixture
def oauth_app(oauth_runtime):
    with serving(oauth_runtime) as app:
        yield app


def get(application, path: str, query: str = "", cookie: str = "") -> tuple[str, dict, str]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1",
               "wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": "0", "HTTP_COOKIE": cookie,
               "SERVER_NAME": "stakemap.test", "SERVER_PORT": "443", "wsgi.url_scheme": "https"}
    answer = {}
    body = b"".join(application(environ, lambda status, headers: answer.update(status=status, headers=headers)))
    headers: dict[str, list[str]] = {}
    for name, value in answer["headers"]:
        headers.setdefault(name.lower(), []).append(value)
    return answer["status"], headers, body.decode()


def install(application, standin, code: str, team_id: str, token: str, enterprise_id: str | None = None):
    status, headers, page = get(application, "/slack/install")
    assert status.startswith("200")
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize[^"]+)"', page).group(1).replace("&amp;", "&")
    query = parse_qs(urlparse(link).query)
    assert query["client_id"] == ["111.222"] and set(query["scope"][0].split(",")) == set(BOT_SCOPES)
    cookie = headers["set-cookie"][0].split(";")[0]
    standin.grant(code, team_id=team_id, token=token, enterprise_id=enterprise_id, team_name=f"Team {team_id}")
    return get(application, "/slack/oauth_redirect", f"code={code}&state={query['state'][0]}", cookie)


def test_install_then_commands_use_that_workspaces_token(oauth_runtime, oauth_app, standin):
    application = wsgi_app(oauth_app, oauth_runtime)
    status, _, page = install(application, standin, "code-3", "T0003", "xoxb-team-3")
    assert status.startswith("200") and "Thank you!" in page
    standin.grant("code-4", team_id="T0004", token="xoxb-team-4", enterprise_id="E0001")
    assert install(application, standin, "code-4", "T0004", "xoxb-team-4", "E0001")[0].startswith("200")

    three = SlackDriver(oauth_app, standin, team_id="T0003", pools=(oauth_runtime.after_ack,))
    three.modal("new Acme")
    four = SlackDriver(oauth_app, standin, team_id="T0004", enterprise_id="E0001", pools=(oauth_runtime.after_ack,))
    four.modal("new Acme")
    assert [c.token for c in standin.calls_to("views.open")] == ["xoxb-team-3", "xoxb-team-4"]
    with oauth_runtime.db.session() as session:
        names = {w.team_id: (w.name, w.enterprise_id) for w in session.scalars(select(Workspace))}
    assert names == {"T0003": ("Team T0003", None), "T0004": ("Team T0004", "E0001")}
    bots = {(b.team_id, b.enterprise_id, b.token) for b in installed_bots(oauth_runtime.settings, oauth_runtime.db.engine)}
    assert bots == {("T0003", None, "xoxb-team-3"), ("T0004", "E0001", "xoxb-team-4")}


def test_state_is_single_use_and_required(oauth_runtime, oauth_app, standin):
    application = wsgi_app(oauth_app, oauth_runtime)
    status, headers, page = get(application, "/slack/install")
    state = re.search(r"state=([\w-]+)", page).group(1)
    cookie = headers["set-cookie"][0].split(";")[0]
    standin.grant("code-5", team_id="T0005", token="xoxb-5")
    assert get(application, "/slack/oauth_redirect", "code=code-5&state=forged", cookie)[0].startswith("400")
    assert get(application, "/slack/oauth_redirect", f"code=code-5&state={state}", cookie)[0].startswith("200")
    assert get(application, "/slack/oauth_redirect", f"code=code-5&state={state}", cookie)[0].startswith("401")
    assert installed_bots(oauth_runtime.settings, oauth_runtime.db.engine)[0].team_id == "T0005"


def test_uninstall_removes_the_tokens(oauth_runtime, oauth_app, standin):
    application = wsgi_app(oauth_app, oauth_runtime)
    install(application, standin, "code-6", "T0006", "xoxb-6")
    team = SlackDriver(oauth_app, standin, team_id="T0006", pools=(oauth_runtime.after_ack,))
    event = {"type": "event_callback", "team_id": "T0006", "api_app_id": "A0STAKEMAP", "event_id": "Ev1",
             "event_time": 1, "event": {"type": "app_uninstalled"}}
    assert team.send(json.dumps(event), "application/json").status == 200
    team.drain()
    assert installed_bots(oauth_runtime.settings, oauth_runtime.db.engine) == []
    with oauth_runtime.db.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM slack_installations")).scalar() == 0
    response = team.command("new Acme")
    assert response.status < 500 and standin.calls_to("views.open") == []


def test_uninstalled_workspaces_data_stays_until_forgotten(oauth_runtime, oauth_app, standin):
    """Removing the app deletes its tokens, not the customer map: reinstalling finds it again."""
    application = wsgi_app(oauth_app, oauth_runtime)
    install(application, standin, "code-7", "T0007", "xoxb-7")
    with oauth_runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Workspace)) == 1


def test_manifest_scopes_are_the_apps():
    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
