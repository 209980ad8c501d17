"""The map message stays valid Block Kit for any account: sizes, long names, emoji, markup."""

import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.assessment import assess
from app.core.domain import ContactStatus, Level, Relationship, Sentiment, StakeholderType
from blocks.map import MESSAGE_MAX_BLOCKS, map_message
from tests.block_limits import message_problems
from tests.factories import account, contact, step, touch

TODAY = date(2026, 3, 10)
TYPES = list(StakeholderType)


def people(count: int, name=lambda n: f"Person {n}", **fields) -> list:
    return [
        contact(name(n), TYPES[n % len(TYPES)], department=f"Dept {n % 7}", level=list(Level)[n % 5],
                title=f"Title {n}", notes=f"Notes about person {n}", **fields)
        for n in range(count)
    ]


def render(contacts, touches=(), steps=()):
    result = assess(account("Acme", TODAY + timedelta(days=40)), contacts, touches, steps, TODAY)
    return map_message(result, 1)


def shown_active(message) -> int:
    """Active contacts visible as a detailed section or a condensed line, plus those counted as 'more'."""
    texts = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    start = next(i for i, t in enumerate(texts) if t.startswith("*Active Contacts*"))
    count = 0
    for text in texts[start + 1:]:
        if text.startswith(("*Known But Not Engaged*", "*Coverage Assessment*")):
            break
        count += text.count("\n• ") + text.startswith("• ") if "• " in text else 1
        more = re.search(r"…and (\d+) more active contacts", text)
        count += int(more.group(1)) if more else 0
    return count


@pytest.mark.parametrize("size", [0, 1, 60, 500])
def test_any_size_fits(size):
    contacts = people(size)
    message = render(contacts, [touch(c, TODAY - timedelta(days=n % 50)) for n, c in enumerate(contacts)])
    assert message_problems(message.blocks, message.text) == []
    assert len(message.blocks) <= MESSAGE_MAX_BLOCKS
    assert shown_active(message) == size
    assert message.blocks[-1]["type"] == "actions"


def test_300_character_names_and_emoji():
    long_name = ("Ünïcødé 🚀 Name " * 30)[:300]
    contacts = people(60, name=lambda n: f"{n} {long_name}")
    contacts += people(40, name=lambda n: f"Known {n} {long_name}", status=ContactStatus.NOT_ENGAGED)
    contacts += people(40, name=lambda n: f"Gone {n} {long_name}", status=ContactStatus.LEFT)
    steps = [step(c) for c in contacts[:40]]
    message = render(contacts, [touch(c, TODAY) for c in contacts], steps)
    assert message_problems(message.blocks, message.text) == []


def test_user_text_cannot_inject_mentions_or_links():
    evil = contact("<!everyone> <https://evil.example|click>", StakeholderType.CHAMPION, notes="<@U123> & co")
    message = render([evil], [touch(evil, TODAY)])
    text = str(message.blocks)
    assert "<!everyone>" not in text and "<https://evil" not in text and "<@U123>" not in text
    assert "&lt;!everyone&gt;" in text and "&amp; co" in text


def test_empty_account_still_has_every_section():
    message = render([])
    headings = [b["text"]["text"].split("\n")[0] for b in message.blocks
                if b["type"] == "section" and not b["text"]["text"].startswith("💡")]  # suggestions: one each
    assert headings[1:] == ["*Active Contacts* (0)", "*Coverage Assessment*", "*Engagement Strategy*",
                            "*Single-Thread Risk*", "*Multi-Threading Plan*"]


printable = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@st.composite
def random_contact(draw):
    return contact(
        draw(st.one_of(st.none(), printable)) or None,
        draw(st.sampled_from(TYPES)),
        title=draw(st.one_of(st.none(), printable)) or "T",
        department=draw(st.one_of(st.none(), printable)),
        level=draw(st.one_of(st.none(), st.sampled_from(list(Level)))),
        relationship=draw(st.sampled_from(list(Relationship))),
        sentiment=draw(st.sampled_from(list(Sentiment))),
        status=draw(st.sampled_from(list(ContactStatus))),
        notes=draw(st.one_of(st.none(), printable)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(random_contact(), max_size=80), st.integers(min_value=0, max_value=200),
       st.one_of(st.none(), printable))
def test_random_maps_are_valid_block_kit(contacts, idle, account_name):
    touches = [touch(c, TODAY - timedelta(days=(idle + n) % 200)) for n, c in enumerate(contacts[::2])]
    result = assess(account(account_name or "X", TODAY + timedelta(days=idle - 50)), contacts, touches, [], TODAY)
    message = map_message(result, 1)
    assert message_problems(message.blocks, message.text) == []


@pytest.mark.parametrize("size", [0, 1, 60, 500])
def test_the_engagement_strategy_section_fits_at_any_size(size):
    """Every active contact is in one group (named, or counted as "…and N more in this group")."""
    from app.core.domain import Influence

    levels = list(Influence)
    contacts = people(size, influence=None)
    for n, person in enumerate(contacts):
        person.influence, person.interest = levels[n % 3], levels[(n // 3) % 3]
        person.objectives = f"Objective <{n}> " * 20
    message = render(contacts, [touch(c, TODAY) for c in contacts])
    assert message_problems(message.blocks, message.text) == []
    texts = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    start = next(i for i, t in enumerate(texts) if t.startswith("*Engagement Strategy*"))
    end = next(i for i, t in enumerate(texts) if t.startswith("*Single-Thread Risk*"))
    groups = texts[start + 1:end]
    assert len(groups) <= 5
    named = sum(t.count("\n• ") for t in groups)
    more = sum(int(m) for t in groups for m in re.findall(r"…and (\d+) more in this group", t))
    assert named + more == size
    assert "<" not in "".join(groups) and (size == 0 or "&lt;" in "".join(groups))  # objectives escaped
    buttons = [b for b in message.blocks if b.get("block_id") == "strategy_actions"]
    assert len(buttons) == (1 if size else 0)
    if size:
        assert len(buttons[0]["elements"]) == min(size, 4) + (size > 1) + 1  # and "Plan a step for…"
