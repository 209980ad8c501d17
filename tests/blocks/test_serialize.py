"""blocks.serialize.as_json gives exactly what slack_sdk's to_dict gives, and refuses what it refuses."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, Option, OverflowMenuElement, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from app.core.portfolio import Portfolio, ranked_by_risk
from app.core.trends import Trend
from blocks.home import home_view
from blocks.map import map_message
from blocks.portfolio import portfolio_notice
from blocks.serialize import as_json
from tests.test_blocks_any_size import TODAY, build, names, people, slack_connect, stale_of


def as_slack_sdk_gives(blocks: list[dict]) -> list[dict]:
    """The same blocks read back into slack_sdk's objects and turned into dicts by slack_sdk itself."""
    return [block.to_dict() for block in Block.parse_all(blocks)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(people, max_size=40), st.integers(0, 12), st.integers(0, 12), st.integers(0, 20), names)
def test_a_map_is_what_slack_sdk_would_send(spec, steps, seen, channels, name):
    acct, assessment, contacts = build(spec, 1, steps)
    trends = {c.id: [Trend(c.id, "sentiment", "Neutral", "Skeptical", TODAY)] for c in contacts}
    pulses, seen_list = slack_connect(acct, seen, channels, name)
    message = map_message(assessment, acct.id, trends, channels=pulses, seen=seen_list)
    assert message.blocks == as_slack_sdk_gives(message.blocks)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(people, max_size=5), max_size=25), st.integers(0, 2))
def test_the_home_and_the_list_are_what_slack_sdk_would_send(accounts, page):
    assessments = [build(spec, n, n % 3)[1] for n, spec in enumerate(accounts)]
    ranked = ranked_by_risk(assessments)
    view = home_view(Portfolio(ranked, stale_of(assessments)), page)
    assert view == View(**view).to_dict()
    notice = portfolio_notice(ranked, "All")
    assert notice.blocks == as_slack_sdk_gives(notice.blocks)


def test_what_slack_sdk_refuses_is_refused():
    too_long = SectionBlock(text="x" * 3001)
    with pytest.raises(SlackObjectFormationError):
        too_long.to_dict()
    with pytest.raises(SlackObjectFormationError):
        as_json([too_long])
    menu = OverflowMenuElement(action_id="a", options=[Option(text=PlainTextObject(text="Edit"), value="v" * 151)])
    with pytest.raises(SlackObjectFormationError):
        as_json(SectionBlock(text="ok", accessory=menu))


def test_empty_lists_and_nones_are_left_out_as_slack_sdk_leaves_them():
    section = SectionBlock(text="ok", fields=[])
    assert as_json(section) == section.to_dict() == {"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}
