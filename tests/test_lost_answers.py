"""Slack's answer lost: the bot's Web API client never repeats a write that may have been done.

Driven through the stand-in, which can carry a call out and then drop the connection or answer 500
(the answer is lost), or fail it without doing anything.
"""

from __future__ import annotations

from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.state import RetryState

from app.core.domain import StakeholderType
from app.platform.slack_client import web_client
from app.platform.slack_retries import UnsentConnectionRetryHandler, outcome_unknown, safe_to_repeat
from handlers.common.departures import record_departure
from tests.nudge_world import MONDAY, Person, at, seed_account

LOST = [dict(drop=True), dict(status=500), dict(status=503)]
LOST_IDS = ["dropped", "500", "503"]


@pytest.fixture
def client(runtime):
    return web_client(runtime.settings)


@pytest.mark.parametrize("lost", LOST, ids=LOST_IDS)
def test_a_post_whose_answer_is_lost_is_not_repeated_by_the_client(standin, client, lost):
    standin.fail("chat.postMessage", performed=True, **lost)
    with pytest.raises((SlackApiError, ConnectionError)) as raised:
        client.chat_postMessage(channel="C0ACME", text="coverage changed")
    assert outcome_unknown(raised.value)
    [call] = standin.calls_to("chat.postMessage")
    assert (call.ok, call.lost_answer) == (True, "dropped" if lost.get("drop") else str(lost["status"]))
    history = client.conversations_history(channel="C0ACME")["messages"]
    assert [m["text"] for m in history] == ["coverage changed"]  # posted once, as Slack did it


@pytest.mark.parametrize("method", ["chat.postEphemeral", "files.completeUploadExternal"])
def test_other_writes_are_not_repeated_after_a_500(standin, client, method):
    standin.fail(method, status=500)
    with pytest.raises(SlackApiError):
        if method == "chat.postEphemeral":
            client.chat_postEphemeral(channel="C0ACME", user="U0ANA", text="only you")
        else:
            client.files_upload_v2(channel="C0ACME", content=b"png", filename="chart.png", title="Chart")
    assert len(standin.calls_to(method)) == 1


@pytest.mark.parametrize("lost", [dict(drop=True), dict(status=500)], ids=["dropped", "500"])
def test_reads_and_idempotent_writes_are_still_retried(standin, client, lost):
    standin.add_user("U0ANA", "ana")
    standin.fail("users.info", **lost)
    standin.fail("conversations.history", **lost)
    standin.fail("views.publish", performed=True, **lost)
    assert client.users_info(user="U0ANA")["user"]["id"] == "U0ANA"
    assert client.conversations_history(channel="C0ACME")["ok"]
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Home"}}]}
    assert client.views_publish(user_id="U0ANA", view=home)["ok"]
    for method in ("users.info", "conversations.history", "views.publish"):
        assert len(standin.calls_to(method)) == 2, method


def test_a_429_is_retried_for_a_post_and_delivers_once(standin, client):
    standin.fail("chat.postMessage", status=429, retry_after=1)
    assert client.chat_postMessage(channel="C0ACME", text="hello")["ok"]
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [429, 200]
    assert len(standin.calls_to("chat.postMessage", ok=True)) == 1


def test_a_connection_refused_before_sending_is_retried_for_any_method():
    handler = UnsentConnectionRetryHandler(max_retry_count=2)

    def can_retry(method: str, error: Exception) -> bool:
        request = HttpRequest(method="POST", url=f"https://slack.com/api/{method}", headers={})
        return handler.can_retry(state=RetryState(), request=request, error=error)

    refused = URLError(ConnectionRefusedError(111, "Connection refused"))
    assert can_retry("chat.postMessage", refused) and can_retry("users.info", refused)
    assert not outcome_unknown(refused)
    dropped = ConnectionResetError(104, "Connection reset by peer")
    assert not can_retry("chat.postMessage", dropped) and can_retry("users.info", dropped)
    assert not can_retry("chat.postMessage", TimeoutError("timed out"))


@pytest.mark.parametrize(("method", "safe"), [
    ("chat.postMessage", False), ("chat.postEphemeral", False), ("chat.scheduleMessage", False),
    ("files.completeUploadExternal", False), ("reactions.add", False), ("chat.delete", False),
    ("users.info", True), ("conversations.history", True), ("auth.test", True), ("users.lookupByEmail", True),
    ("views.publish", True), ("views.update", True), ("conversations.open", True), ("chat.getPermalink", True),
])
def test_which_methods_are_safe_to_repeat(method, safe):
    assert safe_to_repeat(method) is safe


@pytest.mark.parametrize("lost", [dict(drop=True), dict(status=500)], ids=["dropped", "500"])
def test_a_coverage_change_whose_answer_is_lost_is_posted_once_and_nothing_breaks(runtime, standin, client, lost):
    runtime.clock.set(at(MONDAY, 10))
    ids = seed_account(runtime, "Acme", "U0ANA", [
        Person("Tom Chen", StakeholderType.CHAMPION, touched=3), Person("Sarah Kim", StakeholderType.ECONOMIC_BUYER,
                                                                        touched=10, title="CFO")], channel="C0ACME")
    standin.fail("chat.postMessage", performed=True, **lost)
    notice = record_departure(runtime, client, "T0001", ids["Sarah Kim"], "U0BEN")  # logged, not raised
    in_channel = [c for c in standin.calls_to("chat.postMessage") if c.body["channel"] == "C0ACME"]
    assert len(in_channel) == 1 and in_channel[0].ok
    assert "Marked *Sarah Kim*" in notice.text
