"""record_departure(): the helper every surface calls when someone left the company."""

import pytest

from app.core.domain import Risk, StakeholderType
from app.core.errors import NotFound
from app.platform.slack_client import web_client
from handlers.common.departures import record_departure
from tests.nudge_world import MONDAY, Person, at, seed_account

T = StakeholderType
ACME = [Person("Tom Chen", T.CHAMPION, touched=3, title="VP Engineering"),
        Person("Sarah Kim", T.ECONOMIC_BUYER, touched=10, title="CFO"),
        Person("Hank Scorpio", T.EXECUTIVE_SPONSOR, touched=10, title="CEO")]


@pytest.fixture
def client(runtime, standin):
    runtime.clock.set(at(MONDAY, 10))
    return web_client(runtime.settings)


def posts(standin):
    return standin.calls_to("chat.postMessage", ok=True)


def test_without_a_channel_the_owner_gets_a_dm(runtime, standin, client):
    ids = seed_account(runtime, "Acme", "U0ANA", ACME)
    notice = record_departure(runtime, client, "T0001", ids["Sarah Kim"], "U0BEN")
    [post] = posts(standin)
    [opened] = standin.calls_to("conversations.open")
    assert (opened.body["users"], post.body["channel"]) == ("U0ANA", opened.response["channel"]["id"])
    text = post.body["blocks"][0]["text"]["text"]
    assert "*Sarah Kim* (CFO), the economic buyer, left the company — recorded by <@U0BEN>." in text
    assert "Overall risk: 🔴 *High* (was 🟠 Medium)" in text
    assert "💡 *Suggested next step:* Ask Tom who owns the budget for the renewal" in text
    assert notice.text.endswith("Coverage changed: told the owner, <@U0ANA>.")


def test_a_channel_that_refuses_falls_back_to_the_owner(runtime, standin, client):
    ids = seed_account(runtime, "Acme", "U0ANA", ACME, channel="C0GONE")
    standin.fail("chat.postMessage", error="channel_not_found")
    notice = record_departure(runtime, client, "T0001", ids["Hank Scorpio"], "U0ANA")
    assert [c.response.get("error") for c in standin.calls_to("chat.postMessage")] == ["channel_not_found", None]
    assert notice.text.endswith("told the owner, <@U0ANA>.")
    assert "executive sponsor" in posts(standin)[0].body["text"].lower()


def test_nobody_to_tell_is_said_plainly(runtime, standin, client):
    ids = seed_account(runtime, "Acme", None, ACME)
    notice = record_departure(runtime, client, "T0001", ids["Tom Chen"], "U0ANA")
    assert posts(standin) == []
    assert "tell them yourself" in notice.text


def test_another_workspaces_contact_is_not_found(runtime, standin, client):
    ids = seed_account(runtime, "Acme", "U0ANA", ACME, team="T0002")
    with pytest.raises(NotFound):
        record_departure(runtime, client, "T0001", ids["Tom Chen"], "U0ANA")
    assert posts(standin) == []


def test_the_assessment_suggests_replacing_a_departed_champion(runtime, client):
    from app.services.accounts import find_account
    from app.services.departures import contact_left

    ids = seed_account(runtime, "Acme", "U0ANA", ACME[:2])  # Sarah stays: the only thread left
    with runtime.db.session() as session:
        departure = contact_left(session, "T0001", ids["Tom Chen"], "U0ANA", runtime.now())
        assert find_account(session, "T0001", "Acme").version > 1
    assert (departure.risk_before, departure.risk_after, departure.coverage_changed) == (Risk.MEDIUM, Risk.HIGH, True)
    assert departure.next_step.key == "champion:new"
    assert departure.next_step.first_action.startswith("Identify a new champion to replace Tom Chen")
