"""Two workspaces do the same things through Slack; nothing either is sent ever holds the other's data."""

from __future__ import annotations

import json

import pytest

from tests.slack_driver import SlackDriver


def option_of(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]["options"][0]


def work_as(slack: SlackDriver, marker: str) -> None:
    """Everything a CSM does in a day, with names that carry the workspace's marker."""
    assert slack.submit(slack.modal("new Acme"), {"ARR": "1000"}).body == ""
    assert slack.submit(slack.modal(f"new Solo {marker}"), {}).body == ""  # an account only this one has
    for name, kind in ((f"Champ {marker}", "Champion"), (f"Buyer {marker}", "Economic Buyer")):
        assert slack.submit(slack.modal("add Acme"), {"Name": name, "Stakeholder type": kind,
                                                      "Notes": f"notes {marker}"}).body == ""
    view = slack.modal("log Acme")
    assert slack.submit(view, {"Who": option_of(view, "contact_id")["value"],
                               "Notes": f"call {marker}"}).body == ""
    plan = slack.modal("plan Acme")
    assert slack.submit(plan, {"First action": f"action {marker}", "Path to engagement": f"path {marker}",
                               "Target role (when no contact)": f"role {marker}"}).body == ""
    slack.command("Acme")
    slack.reply()
    slack.command("list")
    slack.reply()
    slack.open_home()
    slack.home()
    json.loads(slack.options(view, "contact_id", "contact_picker", "").body)
    slack.drain()


@pytest.fixture
def both(slack, bolt_app, runtime, standin):
    """The same person (on Enterprise Grid a user id is the same in every workspace of the org) in two."""
    standin.add_user("U0CSM", "csm")
    other = SlackDriver(bolt_app, standin, team_id="T0002", user_id="U0CSM", pools=(runtime.after_ack,))
    work_as(slack, "ONE")
    work_as(other, "TWO")
    return slack, other


def sent(standin) -> str:
    return json.dumps([call.body for call in standin.calls], default=str)


def test_each_workspace_sees_only_its_own(both, standin):
    one, two = both
    for reader, own, foreign in ((two, "TWO", "ONE"), (one, "ONE", "TWO")):
        standin.clear()
        reader.command("Acme")
        reader.reply()
        reader.command("list")
        reader.reply()
        reader.open_home()
        reader.home()
        reader.drain()
        out = sent(standin)
        assert f"Champ {own}" in out and foreign not in out
