"""/stakemap chart and the map's Chart button: one PNG uploaded to the channel (in the map's thread
from the button), with a title and alt text, after the ack; refusals reach only the caller."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.services.demo import load_demo
from tests.conftest import TEAM


@pytest.fixture
def demo(runtime):
    with runtime.db.session() as session:
        load_demo(session, TEAM, runtime.now())


def uploaded(standin) -> tuple[dict, dict, bytes]:
    """(getUploadURLExternal body, completeUploadExternal body, the bytes uploaded)."""
    [complete] = standin.wait_for("files.completeUploadExternal", ok=True)
    asked = standin.calls_to("files.getUploadURLExternal", ok=True)[-1]  # a retried upload asks again
    [sent] = [c for c in standin.calls_to("upload", ok=True) if c.body["file_id"] == asked.response["file_id"]]
    return asked.body, complete.body, sent.body["content"]


def test_chart_command_uploads_one_png_to_the_channel(slack, standin, demo):
    response = slack.command("chart acme")
    assert response.status == 200 and response.body == ""  # acked; drawing happens afterwards
    asked, complete, png = uploaded(standin)
    assert complete["channel_id"] == "C0ACME" and "thread_ts" not in complete
    assert complete["files"] == [{"id": asked_id(standin), "title": "Acme: stakeholder chart"}]
    assert asked["filename"] == "stakemap-acme.png" and int(asked["length"]) == len(png)
    assert "Keep satisfied: Sarah Kim." in asked["alt_txt"] and "Manage closely: " in asked["alt_txt"]
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 1000 and image.size[1] >= 900
    assert len(standin.calls_to("files.completeUploadExternal")) == 1  # exactly one picture


def asked_id(standin) -> str:
    return standin.calls_to("files.getUploadURLExternal", ok=True)[-1].response["file_id"]


def test_chart_button_replies_in_the_maps_thread(slack, standin, demo):
    slack.command("Acme")
    blocks = slack.reply()["blocks"]
    [chart] = [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "map_chart"]
    assert chart["text"]["text"] == "Chart"
    slack.click("map_chart", chart["value"])
    _asked, complete, _png = uploaded(standin)
    assert complete["channel_id"] == "C0ACME" and complete["thread_ts"] == "1700000000.000100"


def test_unknown_account_is_told_to_the_caller_only(slack, standin, demo):
    slack.command("chart Acmee")
    reply = slack.reply()
    assert reply["response_type"] == "ephemeral" and "Acmee" in reply["text"] and "*Acme*" in reply["text"]
    assert standin.calls_to("files.getUploadURLExternal") == []


def test_another_workspace_cannot_chart_this_ones_account(other_slack, standin, demo):
    other_slack.command("chart Acme")
    assert "No account named" in other_slack.reply()["text"]
    assert standin.calls_to("files.getUploadURLExternal") == []


def test_a_channel_the_bot_is_not_in_gets_an_invite_hint(slack, standin, demo):
    standin.fail("files.completeUploadExternal", error="not_in_channel")
    slack.command("chart Acme")
    reply = slack.reply()
    assert reply["response_type"] == "ephemeral" and "/invite @stakemap" in reply["text"]


def test_a_failed_upload_step_is_tried_again(slack, standin, demo):
    standin.fail("upload", status=500)
    slack.command("chart Acme")
    _asked, complete, png = uploaded(standin)
    assert len(standin.calls_to("upload")) == 2 and png.startswith(b"\x89PNG")
    assert len(standin.calls_to("files.completeUploadExternal")) == 1


def test_a_share_whose_answer_is_lost_is_not_shared_again(slack, standin, demo):
    """The completion shares the file in the channel: when its answer is lost, it may have happened, so
    the upload is not repeated (it was, once, and the chart then appeared twice)."""
    standin.fail("files.completeUploadExternal", drop=True, performed=True)
    slack.command("chart Acme")
    slack.drain()
    assert len(standin.calls_to("files.completeUploadExternal")) == 1
    assert len(standin.calls_to("files.getUploadURLExternal")) == 1
