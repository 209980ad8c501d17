"""An account with 1,000 contacts: the contact picker searches, the map and the Home stay valid Block Kit."""

import json

import pytest

from tests.block_limits import message_problems, view_problems
from tests.conftest import TEAM
from tests.seeding import big_account
from tests.sql_counter import count_statements

CONTACTS = 1000


@pytest.fixture
def megacorp(runtime) -> int:
    return big_account(runtime, TEAM, CONTACTS)


def labels(response) -> list[str]:
    return [o["text"]["text"] for o in json.loads(response.body)["options"]]


def test_a_thousand_contacts(slack, other_slack, standin, runtime, megacorp):
    """The picker searches names, titles and types in one statement; the map and the Home stay valid."""
    slack.command("log Megacorp")
    view = slack.wait_for_views(1)
    who = next(b for b in view["blocks"] if b.get("block_id") == "contact_id")["element"]
    assert who["type"] == "external_select" and who["action_id"] == "contact_picker"
    assert len(labels(slack.options(view, "contact_id", "contact_picker", ""))) == 100
    found = labels(slack.options(view, "contact_id", "contact_picker", "ana"))
    named = [label for label in found if label.startswith("Ana ")]
    assert named and found[:len(named)] == named  # names starting with the query come first
    assert any("Data Analyst" in label for label in found[len(named):])  # then titles containing it
    assert all(" — CFO · " in label for label in labels(slack.options(view, "contact_id", "contact_picker", "cfo")))
    buyers = labels(slack.options(view, "contact_id", "contact_picker", "economic"))
    assert buyers and all(label.endswith("· Economic Buyer") for label in buyers)
    both = labels(slack.options(view, "contact_id", "contact_picker", "  ANA   cfo "))
    assert both[0].startswith("Ana ") and all("ana" in label.lower() and " — CFO · " in label for label in both)
    assert labels(slack.options(view, "contact_id", "contact_picker", "100%_\\")) == []
    with count_statements(runtime.db.engine) as statements:
        slack.options(view, "contact_id", "contact_picker", "ana")
    assert len(statements) == 1
    # the other workspace holding this view gets nothing
    assert labels(other_slack.options(view, "contact_id", "contact_picker", "ana")) == []


    # the map and the Home stay valid Block Kit
    slack.command("Megacorp")
    posted = slack.reply()
    assert message_problems(posted["blocks"], posted["text"]) == []
    menus = [b for b in posted["blocks"] if b.get("accessory", {}).get("type") == "overflow"]
    assert 0 < len(menus) <= 17
    slack.open_home()
    home = slack.home()
    assert view_problems(home) == [] and "Megacorp" in str(home)
    slack.click("home_open_map", str(megacorp), view=home)
    assert view_problems(slack.wait_for_views(1)) == []
