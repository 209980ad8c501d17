"""Two real `stakemap serve` processes on one database behave as one app behind a load balancer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
from slack_bolt import BoltResponse

from tests.slack_driver import SlackDriver, sign
from tests.test_serve_process import free_port, stakemap_serve, wait_healthy


class HttpSlack(SlackDriver):
    """The test driver, sending each request over HTTP to one replica."""

    def __init__(self, base: str, standin, **kwargs):
        super().__init__(None, standin, **kwargs)
        self.base = base

    def send(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> BoltResponse:
        request = urllib.request.Request(self.base + "/slack/events", data=body.encode(),
                                         headers={"Content-Type": content_type, **sign(body), **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return BoltResponse(status=response.status, body=response.read().decode())
        except urllib.error.HTTPError as error:
            return BoltResponse(status=error.code, body=error.read().decode())


@pytest.fixture
def replicas(runtime, standin):
    runtime.db.dispose()
    with ExitStack() as stack:
        drivers = []
        for _ in range(2):
            port = free_port()
            process = stack.enter_context(stakemap_serve(runtime.settings.database_url, standin, "--mode", "http",
                                                         "--port", str(port), "--no-scheduler"))
            wait_healthy(f"http://127.0.0.1:{port}", process)
            drivers.append(HttpSlack(f"http://127.0.0.1:{port}", standin))
        yield drivers


def map_text(driver: HttpSlack) -> str:
    driver.command("Acme")
    return json.dumps(driver.reply()["blocks"])


def test_requests_alternating_between_replicas_see_one_state(replicas, standin, runtime):
    a, b = replicas
    assert b.submit(a.modal("new Acme"), {"ARR": "120000"}).body == ""
    assert a.submit(b.modal("add Acme"), {"Name": "Tom Chen", "Stakeholder type": "Champion",
                                           "Relationship strength": "Strong"}).body == ""
    before = map_text(a)  # replica A renders (and caches) the map
    assert "never touched" in before

    view = a.modal("log Acme")
    tom = next(b_ for b_ in view["blocks"] if b_.get("block_id") == "contact_id")["element"]["options"][0]
    assert b.submit(view, {"Who": tom["value"], "Kind": "meeting"}).body == ""  # replica B writes

    after_a, after_b = map_text(a), map_text(b)
    assert after_a == after_b != before  # A's cache did not hide B's change
    assert "(meeting)" in after_a

    duplicate = b.modal("add Acme")
    assert json.loads(a.submit(duplicate, {"Name": "tom chen", "Stakeholder type": "Influencer"}).body) == {
        "response_action": "errors", "errors": {"name": "tom chen is already on the Acme map."}}


def test_an_event_delivered_to_both_replicas_is_handled_once(replicas, standin):
    a, b = replicas
    event = json.dumps({"type": "event_callback", "team_id": "T0001", "api_app_id": "A0STAKEMAP",
                        "event_id": "EvBoth", "event_time": 1,
                        "event": {"type": "app_home_opened", "user": "U0CSM", "tab": "home"}})
    assert a.send(event, "application/json").status == 200
    assert b.send(event, "application/json", {"x-slack-retry-num": "1"}).status == 200
    standin.wait_for("views.publish")
    assert len(standin.calls_to("views.publish")) == 1


def test_the_same_account_created_on_both_replicas_at_once_exists_once(replicas, standin, runtime):
    a, b = replicas
    views = [a.modal("new Globex"), b.modal("new Globex")]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda pair: pair[0].submit(pair[1], {}).body, zip((a, b), views, strict=True)))
    assert sorted(answers)[0] == ""
    assert json.loads(sorted(answers)[1])["errors"] == {"name": "An account named Globex already exists."}
