"""The Slack stand-in, driven by the real slack_sdk clients the bot uses."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, DividerBlock, SectionBlock
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from tests.slack_standin import SlackStandIn

FALLBACK = "stakemap update"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


def make_client(slack: SlackStandIn, token: str = "xoxb-test") -> WebClient:
    fast_backoff = FixedValueRetryIntervalCalculator(0.01)  # keep 5xx retries quick; 429s honour Retry-After
    return WebClient(
        token=token,
        base_url=slack.api_url,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2, interval_calculator=fast_backoff),
        ],
    )


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return make_client(slack)


def post_form(url: str, fields: dict[str, str]) -> dict:
    """A form-encoded POST without slack_sdk, e.g. to send the token as a field."""
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST")) as response:
        return json.loads(response.read())


def section(text: str, block_id: str | None = None) -> dict:
    return SectionBlock(text=text, block_id=block_id).to_dict()


# -- faults and retries ---------------------------------------------------------------------


def test_rate_limit_then_server_error_then_success_delivers_once(
    slack: SlackStandIn, client: WebClient
) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=1)
    slack.fail("chat.postMessage", status=500)
    started = time.monotonic()

    response = client.chat_postMessage(channel="C1", text="hello")

    assert response["ok"] is True
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    attempts = slack.calls_to("chat.postMessage")
    assert [c.status for c in attempts] == [429, 500, 200]
    assert attempts[0].response == {"ok": False, "error": "ratelimited"}
    [delivered] = slack.calls_to("chat.postMessage", ok=True)
    assert delivered.body["text"] == "hello"
    assert delivered.response["ts"] == response["ts"]


def test_retries_exhausted_surface_the_last_error(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail("chat.postMessage", status=503, times=3)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="hello")

    assert raised.value.response.status_code == 503
    assert raised.value.response["error"] == "service_unavailable"
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert slack.calls_to("chat.postMessage", ok=True) == []


def test_ok_false_fault_is_not_retried(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail("chat.postMessage", error="channel_not_found")

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C404", text="hello")

    assert raised.value.response["error"] == "channel_not_found"
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert client.chat_postMessage(channel="C1", text="again")["ok"] is True  # the fault was used up


def test_a_fault_after_some_calls_lets_those_through(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail("chat.postMessage", error="channel_not_found", after=2)
    assert [client.chat_postMessage(channel="C1", text="hi")["ok"] for _ in range(2)] == [True, True]
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="third")
    assert client.chat_postMessage(channel="C1", text="fourth")["ok"] is True


def test_history_lists_delivered_messages_newest_first(slack: SlackStandIn, client: WebClient) -> None:
    channel = client.conversations_open(users="U0ANA")["channel"]["id"]
    for n in range(3):
        client.chat_postMessage(channel=channel, text=f"m{n}", metadata={"event_type": "e", "event_payload": {"n": n}})
    client.chat_postMessage(channel="C0OTHER", text="elsewhere")
    history = client.conversations_history(channel=channel, limit=2, include_all_metadata=True)
    assert [(m["text"], m["metadata"]["event_payload"]["n"]) for m in history["messages"]] == [("m2", 2), ("m1", 1)]
    assert history["has_more"] is True
    assert "metadata" not in client.conversations_history(channel=channel)["messages"][0]


def test_fault_at_status_200_needs_an_error(slack: SlackStandIn) -> None:
    with pytest.raises(ValueError):
        slack.fail("chat.postMessage")


# -- messages -------------------------------------------------------------------------------


def test_post_message_records_decoded_blocks_from_models(slack: SlackStandIn, client: WebClient) -> None:
    blocks = [SectionBlock(text="*Acme*", block_id="head"), DividerBlock()]

    response = client.chat_postMessage(channel="C1", text=FALLBACK, blocks=blocks)

    [call] = slack.calls_to("chat.postMessage")
    assert call.headers["content-type"].startswith("application/json")
    assert call.token == "xoxb-test"
    assert call.body["blocks"] == [b.to_dict() for b in blocks]
    assert response["message"]["blocks"] == call.body["blocks"]
    assert response["message"]["bot_id"] == "B0001"


def test_form_encoded_blocks_and_token_field_are_decoded(slack: SlackStandIn) -> None:
    blocks = [section("from a form")]
    fields = {"token": "xoxb-test", "channel": "C1", "text": FALLBACK, "blocks": json.dumps(blocks)}

    response = post_form(slack.api_url + "chat.postMessage", fields)

    assert response["ok"] is True
    [call] = slack.calls_to("chat.postMessage")
    assert call.token == "xoxb-test"
    assert call.body["blocks"] == blocks
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"


def test_timestamps_strictly_increase(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(5)]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 5
    assert stamps[0] == "1700000000.000100"


def test_invalid_blocks_are_rejected_like_slack(slack: SlackStandIn, client: WebClient) -> None:
    too_many = [DividerBlock() for _ in range(51)]

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text=FALLBACK, blocks=too_many)

    assert raised.value.response["error"] == "invalid_blocks"
    assert raised.value.response["errors"] == ["blocks: 51 items > 50"]
    assert slack.calls_to("chat.postMessage", ok=True) == []


def test_blocks_without_fallback_text_are_rejected(client: WebClient) -> None:
    with pytest.warns(UserWarning), pytest.raises(SlackApiError) as raised:  # slack_sdk only warns
        client.chat_postMessage(channel="C1", blocks=[section("no fallback")])
    assert raised.value.response["errors"] == ["text: missing fallback text for blocks"]


def test_message_without_text_or_blocks_is_no_text(client: WebClient) -> None:
    with pytest.warns(UserWarning), pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1")
    assert raised.value.response["error"] == "no_text"


def test_chat_update_validates_too(client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="v1")["ts"]
    assert client.chat_update(channel="C1", ts=ts, text="v2")["ts"] == ts
    duplicate = [section("a", "same"), section("b", "same")]
    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel="C1", ts=ts, text="v3", blocks=duplicate)
    assert "duplicate block_id 'same'" in raised.value.response["errors"][0]


def test_ephemeral_delete_and_permalink(client: WebClient) -> None:
    ephemeral = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    permalink = client.chat_getPermalink(channel="C1", message_ts=ts)
    deleted = client.chat_delete(channel="C1", ts=ts)

    assert float(ephemeral["message_ts"]) < float(ts)
    assert permalink["permalink"].endswith(f"/archives/C1/p{ts.replace('.', '')}")
    assert (deleted["channel"], deleted["ts"]) == ("C1", ts)


def test_missing_required_argument_is_invalid_arguments(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("chat.postEphemeral", json={"channel": "C1", "text": "no user"})
    assert raised.value.response["error"] == "invalid_arguments"


def test_unknown_methods_answer_ok(client: WebClient) -> None:
    assert client.api_call("reactions.add", params={"name": "eyes"}).data == {"ok": True}


# -- auth -----------------------------------------------------------------------------------


def test_auth_test_answers_per_token() -> None:
    other = {"team_id": "T0002", "user_id": "UBOT2", "bot_id": "B0002", "enterprise_id": "E0001"}
    with SlackStandIn(enterprise_id=None, tokens={"xoxb-other": other}) as slack:
        first = make_client(slack).auth_test()
        second = make_client(slack, "xoxb-other").auth_test()
        with pytest.raises(SlackApiError) as raised:
            make_client(slack, "xoxb-wrong").auth_test()

    assert (first["team_id"], first["user_id"], first["bot_id"]) == ("T0001", "UBOT", "B0001")
    assert "enterprise_id" not in first
    assert (second["team_id"], second["enterprise_id"]) == ("T0002", "E0001")
    assert raised.value.response["error"] == "invalid_auth"


def test_missing_token_is_not_authed(slack: SlackStandIn) -> None:
    assert post_form(slack.api_url + "auth.test", {}) == {"ok": False, "error": "not_authed"}


def test_socket_mode_needs_an_app_token(slack: SlackStandIn, client: WebClient) -> None:
    slack.socket_mode_url = "ws://127.0.0.1:9/socket"

    opened = make_client(slack, "xapp-1-test").apps_connections_open(app_token="xapp-1-test")
    with pytest.raises(SlackApiError) as raised:
        client.apps_connections_open(app_token="xoxb-test")

    assert opened["url"] == "ws://127.0.0.1:9/socket"
    assert raised.value.response["error"] == "not_allowed_token_type"


# -- views ----------------------------------------------------------------------------------


def modal(title: str = "Add contact", **fields: Any) -> View:
    return View(type="modal", title=title, blocks=[section("Who?")], **fields)


def test_views_open_needs_a_trigger_id(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("views.open", json={"view": modal().to_dict()})
    assert raised.value.response["error"] == "invalid_arguments"


def test_views_open_then_update_by_id_and_external_id(slack: SlackStandIn, client: WebClient) -> None:
    opened = client.views_open(trigger_id="123.456", view=modal(external_id="contact-1"))["view"]
    by_id = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Loaded"))["view"]
    by_external = client.views_update(external_id="contact-1", view=modal("Again", external_id="contact-1"))[
        "view"
    ]

    assert opened["id"] == "V0001"
    assert opened["external_id"] == "contact-1"
    assert by_id["id"] == opened["id"] and by_id["title"]["text"] == "Loaded"
    assert by_id["hash"] != opened["hash"]
    assert by_external["id"] == opened["id"]
    assert slack.calls_to("views.update")[0].body["view"]["title"]["text"] == "Loaded"


def test_views_update_with_a_stale_hash_conflicts(client: WebClient) -> None:
    opened = client.views_open(trigger_id="t", view=modal())["view"]
    client.views_update(view_id=opened["id"], view=modal("Newer"))
    with pytest.raises(SlackApiError) as raised:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Stale"))
    assert raised.value.response["error"] == "hash_conflict"


def test_invalid_view_is_rejected(client: WebClient) -> None:
    view = modal().to_dict() | {"title": {"type": "plain_text", "text": "x" * 25}}
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id="t", view=view)
    assert raised.value.response["error"] == "invalid_blocks"
    assert raised.value.response["errors"] == ["view.title.text: 25 chars > 24"]


def test_views_publish_home_per_user(slack: SlackStandIn, client: WebClient) -> None:
    home = View(type="home", blocks=[section("Your accounts")])
    first = client.views_publish(user_id="U1", view=home)["view"]
    again = client.views_publish(user_id="U1", view=home)["view"]
    with pytest.raises(SlackApiError) as raised:
        client.views_publish(user_id="U1", view=modal())

    assert first["id"] == again["id"]
    assert first["type"] == "home"
    assert raised.value.response["error"] == "invalid_arguments"


# -- conversations and users ----------------------------------------------------------------


def test_dm_channels_are_stable_and_posts_to_users_land_there(client: WebClient) -> None:
    first = client.conversations_open(users=["U1"])
    again = client.conversations_open(users="U1")
    posted = client.chat_postMessage(channel="U1", text="hi")
    info = client.conversations_info(channel=first["channel"]["id"])

    assert first["channel"]["id"].startswith("D")
    assert again["channel"]["id"] == first["channel"]["id"] and again["already_open"] is True
    assert posted["channel"] == first["channel"]["id"]
    assert info["channel"]["is_im"] is True


def test_users_info_and_lookup_by_email(slack: SlackStandIn, client: WebClient) -> None:
    slack.add_user("U1", "alice", tz="Europe/Berlin", tz_offset=3600)

    user = client.users_info(user="U1")["user"]
    found = client.users_lookupByEmail(email="alice@example.com")["user"]
    with pytest.raises(SlackApiError) as missing_user:
        client.users_info(user="U404")
    with pytest.raises(SlackApiError) as missing_email:
        client.users_lookupByEmail(email="nobody@example.com")

    assert (user["name"], user["tz"], user["tz_offset"], user["is_admin"]) == (
        "alice",
        "Europe/Berlin",
        3600,
        False,
    )
    assert found["id"] == "U1"
    assert missing_user.value.response["error"] == "user_not_found"
    assert missing_email.value.response["error"] == "users_not_found"


# -- response_url ---------------------------------------------------------------------------


def test_response_url_records_and_validates(slack: SlackStandIn) -> None:
    webhook = WebhookClient(slack.response_url("cmd-1"))
    blocks = [SectionBlock(text="Coverage: 3 of 5 roles")]

    sent = webhook.send(text=FALLBACK, blocks=blocks, response_type="ephemeral")
    rejected = webhook.send(text=FALLBACK, blocks=[{"type": "section"}])

    assert (sent.status_code, json.loads(sent.body)) == (200, {"ok": True})
    assert rejected.status_code == 400
    assert json.loads(rejected.body)["errors"] == ["blocks[0]: a section needs text or fields"]
    first = slack.calls_to("response_url")[0]
    assert first.path == "/response/cmd-1"
    assert first.body == {"text": FALLBACK, "blocks": [blocks[0].to_dict()], "response_type": "ephemeral"}


def test_response_url_delete_original_needs_no_text(slack: SlackStandIn) -> None:
    assert WebhookClient(slack.response_url()).send(delete_original=True).status_code == 200


# -- files ----------------------------------------------------------------------------------


def test_files_upload_v2_end_to_end(slack: SlackStandIn, client: WebClient) -> None:
    content = b"# Acme\n\n- Economic buyer: missing\n"

    response = client.files_upload_v2(channel="C1", content=content, filename="acme.md", title="Acme map")

    assert response["file"]["title"] == "Acme map"
    [grant] = slack.calls_to("files.getUploadURLExternal")
    assert grant.body == {"filename": "acme.md", "length": str(len(content))}
    [upload] = slack.calls_to("upload")
    assert upload.body == {
        "file_id": response["file"]["id"],
        "filename": "acme.md",
        "length": len(content),
        "content": content,
    }
    assert upload.token is None  # the upload URL itself is the credential
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert complete.body["files"] == [{"id": response["file"]["id"], "title": "Acme map"}]
    assert complete.body["channel_id"] == "C1"


def test_complete_upload_of_unknown_file_fails(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.files_completeUploadExternal(files=[{"id": "F9999", "title": "x"}])
    assert raised.value.response["error"] == "file_not_found"


# -- waiting for background work ------------------------------------------------------------


def test_wait_for_calls_made_after_an_ack(slack: SlackStandIn, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.1)
        client.chat_postMessage(channel="C1", text="one")
        client.chat_postMessage(channel="C1", text="two")

    threading.Thread(target=later, daemon=True).start()

    calls = slack.wait_for("chat.postMessage", count=2)
    assert [c.body["text"] for c in calls] == ["one", "two"]


def test_wait_for_times_out_naming_what_arrived(slack: SlackStandIn, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(TimeoutError, match=r"auth\.test"):
        slack.wait_for("chat.postMessage", timeout=0.05)


def test_clear_forgets_calls_and_faults(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail("chat.postMessage", error="channel_not_found")
    client.auth_test()
    slack.clear()
    assert slack.calls == []
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True


def test_actions_payload_roundtrip_keeps_action_ids(slack: SlackStandIn, client: WebClient) -> None:
    actions = ActionsBlock(
        block_id="acts", elements=[ButtonElement(text="Log touch", action_id="touch", value="42")]
    )
    client.chat_postMessage(channel="C1", text=FALLBACK, blocks=[actions])
    [call] = slack.calls_to("chat.postMessage")
    assert call.body["blocks"][0]["elements"][0] == {
        "type": "button",
        "action_id": "touch",
        "value": "42",
        "text": {"type": "plain_text", "text": "Log touch", "emoji": True},
    }
