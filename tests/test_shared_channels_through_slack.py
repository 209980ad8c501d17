"""Slack Connect: in a channel shared with another organisation — or one Slack says nothing about —
nothing internal is posted; the caller alone gets the answer, with one sentence saying why.

Every surface that posts in a channel is driven through signed requests; what left is read from the
stand-in's record of calls (chat.postMessage, file uploads, response_url posts and their response_type).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.services.channel_links import linked_account
from app.services.channels import TRUST_FOR, is_shared, shared_beyond
from tests.conftest import TEAM
from tests.seeding import seed_demo
from tests.slack_standin import CUSTOMER_TEAM
from tests.test_contact_menu_through_slack import choose, contact

CHANNEL = "C0ACME"
WHY = "This channel is shared with another organisation"


def make_shared(standin, how: str) -> None:
    """Make CHANNEL look shared (or unknowable) to the bot, the way Slack would say it."""
    if how == "ext_shared":
        standin.add_channel(CHANNEL, shared=True)
    elif how == "pending":
        standin.add_channel(CHANNEL, pending=True)
    elif how == "other_team":
        standin.add_channel(CHANNEL, shared_with=("T0VENDOR",))
    elif how == "private_without_bot":
        standin.add_channel(CHANNEL, private=True, member=False)
    elif how == "missing_scope":
        standin.fail("conversations.info", error="missing_scope", times=10)
    elif how == "server_error":
        standin.fail("conversations.info", status=500, times=10)  # the client's retries all fail too
    else:
        raise ValueError(how)


SHARED = ["ext_shared", "pending", "other_team", "private_without_bot", "missing_scope", "server_error"]


@pytest.fixture
def acme(runtime):
    seed_demo(runtime, TEAM, channel=CHANNEL)


def response_posts(standin) -> list[dict]:
    return [c.body for c in standin.calls_to("response_url")]


def assert_nothing_public(standin) -> None:
    """No message, file or in-channel reply reached the channel: only ephemeral answers left."""
    assert standin.calls_to("chat.postMessage") == []
    assert [c.body["channel_id"] for c in standin.calls_to("files.completeUploadExternal")
            if c.body.get("channel_id") == CHANNEL] == []
    assert all(post.get("response_type") == "ephemeral" for post in response_posts(standin)
               if not post.get("replace_original")), response_posts(standin)
    assert [p for p in response_posts(standin) if p.get("replace_original")] == []


def private_map(slack) -> dict:
    """The map shown only to the caller, followed by the one sentence saying why."""
    shown, why = slack.replies(2)
    assert shown["response_type"] == "ephemeral" and shown["blocks"][0]["text"]["text"] == "Stakeholder Map: Acme"
    assert why["response_type"] == "ephemeral" and why["text"].startswith(WHY)
    assert why["text"].count(". ") == 0 and why["text"].endswith("App Home.")  # one sentence
    return shown


# --- the decision -------------------------------------------------------------------------------


@pytest.mark.parametrize(("registered", "shared"), [
    ({}, False),
    ({"shared": True}, True),
    ({"pending": True}, True),
    ({"shared_with": ("T0VENDOR",)}, True),
    ({"org_shared": True}, False),
])
def test_slacks_conversation_object_decides(standin, registered, shared):
    channel = standin.add_channel("C0NEW", **registered)
    assert shared_beyond(channel, TEAM) is shared


def test_a_team_list_or_host_naming_another_team_is_shared_even_without_the_flags():
    assert shared_beyond({"is_shared": False, "shared_team_ids": [TEAM, CUSTOMER_TEAM]}, TEAM) is True
    assert shared_beyond({"connected_team_ids": [TEAM, "T9"]}, TEAM) is True
    assert shared_beyond({"conversation_host_id": CUSTOMER_TEAM}, TEAM) is True
    assert shared_beyond({"shared_team_ids": [TEAM], "conversation_host_id": TEAM}, TEAM) is False


def test_an_unknown_answer_counts_as_shared_and_is_not_kept(runtime):
    asked = []

    def ask(channel):
        asked.append(channel)
        return None if len(asked) == 1 else {"id": channel, "is_shared": False, "shared_team_ids": [TEAM]}

    assert is_shared(runtime.db, TEAM, "C0X", ask, runtime.now()) is True
    assert is_shared(runtime.db, TEAM, "C0X", ask, runtime.now()) is False  # asked again, then kept
    assert is_shared(runtime.db, TEAM, "C0X", ask, runtime.now()) is False
    assert asked == ["C0X", "C0X"]
    assert is_shared(runtime.db, TEAM, "D0DM", ask, runtime.now()) is False and len(asked) == 3  # a DM, asked too
    assert is_shared(runtime.db, TEAM, None, ask, runtime.now()) is True


# --- /stakemap Acme, /stakemap alone, the Show button ---------------------------------------------


@pytest.mark.parametrize("how", SHARED)
def test_map_command_in_a_shared_channel_answers_only_the_caller(slack, standin, acme, how):
    make_shared(standin, how)
    slack.command("Acme")
    slack.drain()
    private_map(slack)
    assert_nothing_public(standin)


@pytest.mark.parametrize("how", ["ext_shared", "missing_scope"])
def test_stakemap_alone_in_a_shared_linked_channel_answers_only_the_caller(slack, standin, acme, how):
    make_shared(standin, how)
    slack.command("")
    private_map(slack)
    slack.drain()
    assert_nothing_public(standin)


def test_show_button_of_the_unknown_account_notice_in_a_shared_channel(slack, standin, acme):
    make_shared(standin, "ext_shared")
    slack.click("show_account:0", "Acme")
    private_map(slack)
    slack.drain()
    assert_nothing_public(standin)


def test_in_an_internal_channel_the_map_is_posted_and_slack_is_asked_once(slack, standin, acme):
    slack.command("Acme")
    posted = slack.reply()
    assert posted["response_type"] == "in_channel" and posted["blocks"][0]["text"]["text"] == "Stakeholder Map: Acme"
    slack.command("Globex")
    assert slack.reply()["response_type"] == "in_channel"
    [asked] = standin.calls_to("conversations.info")
    assert asked.body["channel"] == CHANNEL


def test_the_dm_with_the_bot_gets_the_map(slack, standin, acme):
    slack.command("Acme", channel_id="D0DIRECT")
    assert slack.reply()["response_type"] == "in_channel"
    [asked] = standin.calls_to("conversations.info")
    assert asked.body["channel"] == "D0DIRECT"


@pytest.mark.parametrize("dm", [dict(private=True, member=False), dict(shared=True)])
def test_a_dm_with_someone_of_another_organisation_gets_only_an_ephemeral_answer(slack, standin, acme, dm):
    """A Slack Connect DM between a CSM and the customer: the bot is not in it (Slack answers
    channel_not_found) or Slack says it is shared. Either way the map goes to the caller only."""
    standin.add_channel("D0CUSTOMER", **dm)
    slack.command("Acme", channel_id="D0CUSTOMER")
    private_map(slack)


def test_an_unknown_answer_is_asked_again_next_time(slack, standin, acme):
    standin.fail("conversations.info", error="internal_error")
    slack.command("Acme")
    private_map(slack)
    slack.command("Acme")
    assert slack.reply()["response_type"] == "in_channel"  # Slack answered this time: internal


def test_the_answer_is_asked_again_after_a_while(slack, standin, runtime, acme):
    slack.command("Acme")
    assert slack.reply()["response_type"] == "in_channel"
    standin.add_channel(CHANNEL, shared=True)  # shared while the bot missed the event
    runtime.clock.set(runtime.now() + TRUST_FOR + timedelta(minutes=1))
    slack.command("Acme")
    private_map(slack)
    assert len(standin.calls_to("conversations.info")) == 2


# --- channel_shared / channel_unshared ------------------------------------------------------------


def test_channel_shared_and_unshared_events_flip_the_answer(slack, standin, acme):
    slack.command("Acme")
    assert slack.reply()["response_type"] == "in_channel"  # internal, and kept
    assert slack.event({"type": "channel_shared", "connected_team_id": CUSTOMER_TEAM, "channel": CHANNEL,
                        "event_ts": "1561064063.001100"}).status == 200
    slack.drain()
    slack.command("Acme")
    private_map(slack)  # the event alone decided: Slack was not asked again
    assert len(standin.calls_to("conversations.info")) == 1
    assert slack.event({"type": "channel_unshared", "previously_connected_team_id": CUSTOMER_TEAM,
                        "channel": CHANNEL, "is_ext_shared": False, "event_ts": "1561064063.001200"}).status == 200
    slack.drain()
    slack.command("Acme")
    assert slack.reply()["response_type"] == "in_channel"  # asked Slack again: internal
    assert len(standin.calls_to("conversations.info")) == 2


def test_a_shared_event_in_another_workspace_changes_nothing_here(slack, other_slack, standin, acme):
    other_slack.event({"type": "channel_shared", "connected_team_id": CUSTOMER_TEAM, "channel": CHANNEL,
                       "event_ts": "1561064063.001100"})
    slack.drain()
    slack.command("Acme")
    assert slack.reply()["response_type"] == "in_channel"


# --- charts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["ext_shared", "pending", "server_error"])
def test_chart_command_in_a_shared_channel_goes_to_the_callers_dm(slack, standin, acme, how):
    make_shared(standin, how)
    slack.command("chart Acme")
    slack.drain()
    told = slack.reply()
    assert told["response_type"] == "ephemeral" and told["text"].startswith(WHY) and "*Acme*" in told["text"]
    [complete] = standin.wait_for("files.completeUploadExternal", ok=True)
    [opened] = standin.calls_to("conversations.open", ok=True)
    assert opened.body["users"] == "U0CSM"
    assert complete.body["channel_id"] == opened.response["channel"]["id"] and "thread_ts" not in complete.body
    slack.drain()
    assert_nothing_public(standin)


def test_chart_button_on_a_map_in_a_channel_shared_since_goes_to_the_dm(slack, standin, acme):
    slack.command("Acme")
    posted = slack.reply()
    standin.add_channel(CHANNEL, shared=True)
    slack.event({"type": "channel_shared", "connected_team_id": CUSTOMER_TEAM, "channel": CHANNEL,
                 "event_ts": "1561064063.001100"})
    slack.drain()
    [chart] = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == "map_chart"]
    standin.clear()
    slack.click("map_chart", chart["value"], message=posted)
    slack.drain()
    assert slack.reply()["text"].startswith(WHY)
    [complete] = standin.wait_for("files.completeUploadExternal", ok=True)
    assert complete.body["channel_id"].startswith("D") and "thread_ts" not in complete.body
    assert_nothing_public(standin)


# --- coverage changes and redraws -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["ext_shared", "missing_scope"])
def test_departure_in_a_shared_linked_channel_goes_to_the_owners_dm(slack, standin, runtime, acme, how):
    slack.command("Acme")
    posted = slack.reply()  # internal when the map was posted
    standin.clear()
    if how == "ext_shared":
        slack.event({"type": "channel_shared", "connected_team_id": CUSTOMER_TEAM, "channel": CHANNEL,
                     "event_ts": "1561064063.001100"})
    else:  # the kept answer is forgotten, and Slack then refuses to say
        slack.event({"type": "channel_unshared", "previously_connected_team_id": CUSTOMER_TEAM, "channel": CHANNEL,
                     "is_ext_shared": False, "event_ts": "1561064063.001200"})
        make_shared(standin, how)
    slack.drain()
    choose(slack, posted, contact(runtime, "Tom Chen").id, "Left the company")
    slack.drain()
    slack.drain()  # the redraw is queued by work that ran after the ack: drained on the second pass
    told = slack.reply()
    assert told["response_type"] == "ephemeral"
    assert told["text"].endswith("Coverage changed: told the owner, <@U0CSM>, by direct message (the account's "
                                 "channel is shared with another organisation).")
    [post] = standin.calls_to("chat.postMessage", ok=True)
    [opened] = standin.calls_to("conversations.open", ok=True)
    assert post.body["channel"] == opened.response["channel"]["id"] and opened.body["users"] == "U0CSM"
    assert "Tom Chen" in post.body["blocks"][0]["text"]["text"]
    # the map in the (now shared) channel is not redrawn with the new assessment
    assert [p for p in response_posts(standin) if p.get("replace_original")] == []
    assert all(p.get("response_type") == "ephemeral" for p in response_posts(standin))


def test_an_edit_redraws_the_map_in_an_internal_channel(slack, standin, runtime, acme):
    slack.command("Acme")
    posted = slack.reply()
    choose(slack, posted, contact(runtime, "Tom Chen").id, "Left the company")
    _told, redrawn = slack.replies(2)
    assert redrawn["replace_original"] is True


# --- /stakemap link -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["ext_shared", "missing_scope"])
def test_link_in_a_shared_channel_links_and_warns(slack, standin, runtime, acme, how):
    make_shared(standin, how)
    slack.command("link Globex")
    told = slack.reply()
    assert told["response_type"] == "ephemeral"
    assert told["text"] == ("Linked this channel to *Globex* (it was linked to Acme), but it is shared with another "
                            "organisation, so stakemap posts nothing in it: `/stakemap` here shows the map only to "
                            "you, and coverage changes go to the account's owner by direct message.")
    with runtime.db.session() as session:
        linked = linked_account(session, TEAM, CHANNEL)
    assert linked.name == "Globex"
    slack.drain()
    assert_nothing_public(standin)


def test_an_edit_from_a_modal_does_not_redraw_a_map_in_a_channel_shared_since(slack, standin, runtime, acme):
    slack.command("Acme")
    posted = slack.reply()
    choose(slack, posted, contact(runtime, "Lisa Park").id, "Edit")
    view = slack.wait_for_views(1)
    slack.event({"type": "channel_shared", "connected_team_id": CUSTOMER_TEAM, "channel": CHANNEL,
                 "event_ts": "1561064063.001100"})
    slack.drain()
    standin.clear()
    assert slack.submit(view, {"Title": "Director of Engineering"}).body == ""
    slack.drain()
    slack.drain()  # the follow-up (notice, redraw) runs after the ack
    assert any("Saved *Lisa Park*" in p["text"] for p in response_posts(standin))
    assert_nothing_public(standin)
