"""/stakemap: grammar, help, unknown accounts, retries, the contact picker's search."""

import json

import pytest

from app.services.demo import load_demo
from handlers.commands import Command, parse_command
from tests.block_limits import message_problems, view_problems


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", Command("here", "")),
        (None, Command("here", "")),
        ("a\nb", Command("show", "a b")),
        ("help", Command("help", "")),
        ("HELP", Command("help", "")),
        ("Acme", Command("show", "Acme")),
        ("show Acme Corp", Command("show", "Acme Corp")),
        ("new  Acme  Corp ", Command("new", "Acme Corp")),  # spaces collapsed, as Slack users type them
        ("add Ünïcødé & <Co>", Command("add", "Ünïcødé & <Co>")),
        ("log acme", Command("log", "acme")),
        ("new", Command("show", "new")),  # a verb alone names an account
        ("help me", Command("show", "help me")),
    ],
)
def test_grammar(text, command):
    assert parse_command(text) == command


def test_help_only_to_the_caller(slack):
    slack.command("")
    reply = slack.reply()
    assert reply["response_type"] == "ephemeral"
    assert "`/stakemap new &lt;account&gt;` — create an account" in reply["text"]  # Slack shows <account>
    assert "`/stakemap log &lt;account&gt;`" in reply["text"]


@pytest.fixture
def demo(runtime):
    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())


def test_unknown_account_offers_close_matches_and_create(slack, demo):
    response = slack.command("Acmee")
    assert response.status == 200 and response.body == ""
    reply = slack.reply()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "No account named “Acmee” in this workspace. Did you mean *Acme*?"
    assert message_problems(reply["blocks"], reply["text"]) == []
    buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [("Show Acme", "Acme"), ("Create Acmee", "Acmee")]
    view = slack.modal_from_click("create_account", "Acmee")
    name = next(b for b in view["blocks"] if b.get("block_id") == "name")
    assert name["element"]["initial_value"] == "Acmee"
    slack.click(buttons[0]["action_id"], "Acme")
    assert slack.reply()["response_type"] == "in_channel"


def test_unknown_name_is_escaped_and_bounded(slack, demo):
    slack.command("<!channel> " + "x" * 400)
    reply = slack.reply()
    assert "&lt;!channel&gt;" in reply["text"] and "<!channel>" not in reply["text"]
    assert message_problems(reply["blocks"], reply["text"]) == []


def test_lookup_ignores_case_and_surrounding_space(slack, demo):
    slack.command("   gLoBeX   ")
    reply = slack.reply()
    assert reply["response_type"] == "in_channel"
    assert reply["blocks"][0]["text"]["text"] == "Stakeholder Map: Globex"


def test_log_on_an_account_without_contacts_says_add_one_first(slack):
    assert slack.submit(slack.modal("new Empty"), {}).body == ""
    slack.command("log Empty")
    reply = slack.reply()
    assert reply["text"] == "*Empty* has no contacts to log a touch with yet. Add one first."
    assert [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "map_add_contact"]


def test_views_open_is_retried_after_429_and_500(slack, standin):
    standin.fail("views.open", status=429, retry_after=1)
    standin.fail("views.open", status=500)
    view = slack.modal("new Acme")
    assert view["callback_id"] == "account_modal"
    assert [c.status for c in standin.calls_to("views.open")] == [429, 500, 200]


def test_contact_picker_searches_big_accounts(slack, runtime, demo):
    from app.core.domain import StakeholderType
    from app.core.models import ContactCreate
    from app.services.accounts import find_account
    from app.services.contacts import add_contact

    with runtime.db.session() as session:
        acme = find_account(session, "T0001", "Acme")
        for n in range(150):
            kind = StakeholderType.INFLUENCER if n % 2 else StakeholderType.GATEKEEPER
            add_contact(session, acme, ContactCreate(name=f"Person {n:03}", title=f"Analyst {n}", type=kind), None,
                        runtime.now())
    view = slack.modal("log Acme")
    assert view_problems(view) == []
    who = next(b for b in view["blocks"] if b.get("block_id") == "contact_id")["element"]
    assert who["type"] == "external_select"
    response = slack.options(view, "contact_id", who["action_id"], "tom")
    options = json.loads(response.body)["options"]
    assert [o["text"]["text"] for o in options] == ["Tom Chen — VP Engineering · Champion"]
    gatekeepers = json.loads(slack.options(view, "contact_id", who["action_id"], "gatekeep").body)["options"]
    assert len(gatekeepers) == 75
    everyone = json.loads(slack.options(view, "contact_id", who["action_id"], "").body)["options"]
    assert len(everyone) == 100  # Slack shows at most 100 options
    tom = options[0]
    assert slack.submit(view, {"Who": tom, "Kind": "meeting"}).body == ""
    assert slack.reply()["text"] == "Logged a meeting with *Tom Chen* at *Acme* (Mar 10)."


def test_picker_answers_nothing_to_another_workspace(slack, other_slack, demo):
    view = slack.modal("log Acme")
    response = other_slack.options(view, "contact_id", "contact_picker", "")
    assert json.loads(response.body) == {"options": []}
