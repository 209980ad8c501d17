"""blocks.limits: one case per Slack limit (at the limit passes, one over fails), plus the rules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    ImageElement,
    InputBlock,
    MarkdownBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    OverflowMenuElement,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from tests.block_limits import BlockKitLimitError, check_message, check_view, message_problems, view_problems

FALLBACK = "stakemap update"


def x(n: int) -> str:
    return "x" * n


def as_dict(item: Any) -> Any:
    return item.to_dict() if hasattr(item, "to_dict") else copy.deepcopy(item)


def stretched(model: Any, path: str, value: Any) -> dict:
    """model serialised by slack_sdk, then the value at a dotted path (digits index lists) replaced.

    slack_sdk refuses to serialise most over-limit objects, so the structure comes from its model
    classes and only the measured value is put in afterwards.
    """
    data = as_dict(model)
    *parents, last = [int(key) if key.isdigit() else key for key in path.split(".")]
    target = data
    for key in parents:
        target = target[key]
    target[last] = as_dict(value) if not isinstance(value, list) else [as_dict(v) for v in value]
    return data


def message(*blocks: Any) -> list[str]:
    return message_problems([as_dict(b) for b in blocks], FALLBACK)


def modal(*blocks: Any, **fields: Any) -> dict:
    """A modal from slack_sdk's View; blocks go in as dicts, since View validates its blocks."""
    chrome = View(type="modal", title="Add contact", submit="Save", blocks=[DividerBlock()]).to_dict()
    return chrome | {"blocks": [as_dict(b) for b in blocks or [DividerBlock()]]} | fields


def view(*blocks: Any, **fields: Any) -> list[str]:
    return view_problems(modal(*blocks, **fields))


def buttons(n: int) -> list[ButtonElement]:
    return [ButtonElement(text=f"b{i}", action_id=f"a{i}", value=f"v{i}") for i in range(n)]


def options(n: int) -> list[Option]:
    return [Option(text=f"o{i}", value=f"v{i}") for i in range(n)]


BUTTON = ActionsBlock(block_id="acts", elements=buttons(1))
CONFIRMED = ActionsBlock(
    elements=[
        ButtonElement(
            text="Delete",
            action_id="del",
            confirm=ConfirmObject(title="Sure?", text="Really", confirm="Yes", deny="No"),
        )
    ]
)
SELECT = ActionsBlock(elements=[StaticSelectElement(action_id="s", placeholder="Pick", options=options(1))])
GROUPED = ActionsBlock(
    elements=[StaticSelectElement(action_id="s", option_groups=[OptionGroup(label="g", options=options(1))])]
)
OVERFLOW = ActionsBlock(elements=[OverflowMenuElement(action_id="o", options=options(1))])
SECTION = SectionBlock(block_id="s", text="t")
FIELDS = SectionBlock(fields=[PlainTextObject(text="f")])
IMAGE = ImageBlock(image_url="https://example.com/a.png", alt_text="chart")


def text_input(hint: str | None = None, **kwargs: Any) -> InputBlock:
    return InputBlock(label="Name", hint=hint, element=PlainTextInputElement(action_id="name", **kwargs))


@dataclass(frozen=True)
class Case:
    name: str
    limit: int
    problems: Callable[[int], list[str]]  # problems of a payload whose measured value is n
    where: str  # the location the over-limit problem must name


CASES = [
    Case("blocks per message", 50, lambda n: message(*[DividerBlock()] * n), "blocks: 51 items > 50"),
    Case("blocks per view", 100, lambda n: view(*[DividerBlock()] * n), "view.blocks: 101 items > 100"),
    Case(
        "section text",
        3000,
        lambda n: message(stretched(SECTION, "text.text", x(n))),
        "blocks[0].text.text: 3001 chars",
    ),
    Case(
        "section fields",
        10,
        lambda n: message(stretched(FIELDS, "fields", [PlainTextObject(text="f")] * n)),
        "blocks[0].fields: 11 items",
    ),
    Case(
        "section field length",
        2000,
        lambda n: message(SectionBlock(fields=[PlainTextObject(text=x(n))])),
        "blocks[0].fields[0].text",
    ),
    Case(
        "header text",
        150,
        lambda n: message(stretched(HeaderBlock(text="h"), "text.text", x(n))),
        "blocks[0].text.text",
    ),
    Case(
        "context elements",
        10,
        lambda n: message(
            stretched(
                ContextBlock(elements=[MarkdownTextObject(text="c")]),
                "elements",
                [MarkdownTextObject(text="c")] * n,
            )
        ),
        "blocks[0].elements: 11 items",
    ),
    Case(
        "actions elements",
        25,
        lambda n: message(stretched(BUTTON, "elements", buttons(n))),
        "blocks[0].elements: 26 items",
    ),
    Case(
        "block_id",
        255,
        lambda n: message(stretched(DividerBlock(block_id="d"), "block_id", x(n))),
        "blocks[0].block_id: 256",
    ),
    Case(
        "action_id",
        255,
        lambda n: message(stretched(BUTTON, "elements.0.action_id", x(n))),
        "blocks[0].elements[0].action_id",
    ),
    Case("callback_id", 255, lambda n: view(callback_id=x(n)), "view.callback_id"),
    Case(
        "button text",
        75,
        lambda n: message(stretched(BUTTON, "elements.0.text.text", x(n))),
        "blocks[0].elements[0].text.text",
    ),
    Case(
        "button value",
        2000,
        lambda n: message(stretched(BUTTON, "elements.0.value", x(n))),
        "blocks[0].elements[0].value",
    ),
    Case(
        "button url",
        3000,
        lambda n: message(stretched(BUTTON, "elements.0.url", x(n))),
        "blocks[0].elements[0].url",
    ),
    Case(
        "overflow options",
        5,
        lambda n: message(stretched(OVERFLOW, "elements.0.options", options(n))),
        "blocks[0].elements[0].options: 6",
    ),
    Case(
        "static select options",
        100,
        lambda n: message(stretched(SELECT, "elements.0.options", options(n))),
        "blocks[0].elements[0].options: 101",
    ),
    Case(
        "static select option groups",
        100,
        lambda n: message(
            stretched(GROUPED, "elements.0.option_groups", [OptionGroup(label="g", options=options(1))] * n)
        ),
        "blocks[0].elements[0].option_groups: 101",
    ),
    Case(
        "option text",
        75,
        lambda n: message(stretched(SELECT, "elements.0.options.0.text.text", x(n))),
        "options[0].text.text",
    ),
    Case(
        "option value",
        150,
        lambda n: message(stretched(SELECT, "elements.0.options.0.value", x(n))),
        "options[0].value",
    ),
    Case(
        "placeholder",
        150,
        lambda n: message(stretched(SELECT, "elements.0.placeholder.text", x(n))),
        "elements[0].placeholder.text",
    ),
    Case(
        "input label",
        2000,
        lambda n: view(stretched(text_input(), "label.text", x(n))),
        "view.blocks[0].label.text",
    ),
    Case(
        "input hint",
        2000,
        lambda n: view(stretched(text_input(hint="h"), "hint.text", x(n))),
        "view.blocks[0].hint.text",
    ),
    Case(
        "plain_text_input max_length",
        3000,
        lambda n: view(text_input(max_length=n)),
        "view.blocks[0].element.max_length",
    ),
    Case(
        "min_length within max_length",
        10,
        lambda n: view(text_input(max_length=10, min_length=n)),
        "element.min_length",
    ),
    Case(
        "initial_value within max_length",
        10,
        lambda n: view(text_input(max_length=10, initial_value=x(n))),
        "element.initial_value",
    ),
    Case(
        "confirm title",
        100,
        lambda n: message(stretched(CONFIRMED, "elements.0.confirm.title.text", x(n))),
        "confirm.title.text",
    ),
    Case(
        "confirm text",
        300,
        lambda n: message(stretched(CONFIRMED, "elements.0.confirm.text.text", x(n))),
        "confirm.text.text",
    ),
    Case(
        "confirm button",
        30,
        lambda n: message(stretched(CONFIRMED, "elements.0.confirm.confirm.text", x(n))),
        "confirm.confirm.text",
    ),
    Case(
        "deny button",
        30,
        lambda n: message(stretched(CONFIRMED, "elements.0.confirm.deny.text", x(n))),
        "confirm.deny.text",
    ),
    Case(
        "modal title",
        24,
        lambda n: view_problems(stretched(modal(), "title.text", x(n))),
        "view.title.text: 25 chars > 24",
    ),
    Case(
        "modal submit",
        24,
        lambda n: view_problems(stretched(modal(), "submit.text", x(n))),
        "view.submit.text",
    ),
    Case("modal close", 24, lambda n: view(close=PlainTextObject(text=x(n)).to_dict()), "view.close.text"),
    Case(
        "private_metadata", 3000, lambda n: view(private_metadata=x(n)), "view.private_metadata: 3001 chars"
    ),
    Case("image alt_text", 2000, lambda n: message(stretched(IMAGE, "alt_text", x(n))), "blocks[0].alt_text"),
    Case(
        "image image_url", 3000, lambda n: message(stretched(IMAGE, "image_url", x(n))), "blocks[0].image_url"
    ),
    Case("message text", 40_000, lambda n: message_problems(None, x(n)), "text: 40001 chars > 40000"),
    Case(
        "markdown total across the message",
        12_000,
        lambda n: message(MarkdownBlock(text=x(6000)), MarkdownBlock(text=x(n - 6000))),
        "blocks: markdown blocks total 12001 chars > 12000",
    ),
    Case(
        "checkbox options",
        10,
        lambda n: message(
            stretched(
                ActionsBlock(elements=[CheckboxesElement(action_id="c", options=options(1))]),
                "elements.0.options",
                options(n),
            )
        ),
        "blocks[0].elements[0].options: 11 items",
    ),
    Case(
        "radio options",
        10,
        lambda n: view(
            InputBlock(label="Role", element=RadioButtonsElement(action_id="r", options=options(n)))
        ),
        "view.blocks[0].element.options: 11 items",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_limit(case: Case) -> None:
    assert case.problems(case.limit) == []
    over = case.problems(case.limit + 1)
    assert any(case.where in problem for problem in over), over


# Payloads that break a rule other than a length or count, and the problem expected.
RULES: list[tuple[str, Callable[[], list[str]], str]] = [
    (
        "empty section text",
        lambda: message(SectionBlock(text=MarkdownTextObject(text=""))),
        "blocks[0].text.text: missing",
    ),
    (
        "section with neither text nor fields",
        lambda: message({"type": "section"}),
        "blocks[0]: a section needs text or fields",
    ),
    ("empty field list", lambda: message({"type": "section", "fields": []}), "blocks[0].fields: 0 items < 1"),
    (
        "header in mrkdwn",
        lambda: message({"type": "header", "text": {"type": "mrkdwn", "text": "h"}}),
        "blocks[0].text.type: 'mrkdwn' is not plain_text",
    ),
    (
        "button text in mrkdwn",
        lambda: message(stretched(BUTTON, "elements.0.text.type", "mrkdwn")),
        "elements[0].text.type",
    ),
    (
        "option text in mrkdwn",
        lambda: message(stretched(SELECT, "elements.0.options.0.text.type", "mrkdwn")),
        "options[0].text.type",
    ),
    (
        "placeholder in mrkdwn",
        lambda: message(stretched(SELECT, "elements.0.placeholder.type", "mrkdwn")),
        "placeholder.type",
    ),
    (
        "modal title in mrkdwn",
        lambda: view_problems(stretched(modal(), "title.type", "mrkdwn")),
        "view.title.type",
    ),
    (
        "unknown text type",
        lambda: message(stretched(SECTION, "text.type", "markdown")),
        "blocks[0].text.type: 'markdown'",
    ),
    (
        "empty context text",
        lambda: message({"type": "context", "elements": [{"type": "mrkdwn", "text": ""}]}),
        "elements[0].text: empty",
    ),
    (
        "empty actions",
        lambda: message({"type": "actions", "elements": []}),
        "blocks[0].elements: 0 items < 1",
    ),
    (
        "overflow without options",
        lambda: message(stretched(OVERFLOW, "elements.0.options", [])),
        "options: 0 items < 1",
    ),
    (
        "static select without options",
        lambda: message({"type": "actions", "elements": [{"type": "static_select"}]}),
        "needs options or option_groups",
    ),
    (
        "option without value",
        lambda: message(stretched(SELECT, "elements.0.options.0.value", None)),
        "options[0].value: missing",
    ),
    (
        "initial option not offered",
        lambda: message(stretched(SELECT, "elements.0.initial_option", Option(text="z", value="z"))),
        "initial_option: value 'z'",
    ),
    ("max_length of 0", lambda: view(text_input(max_length=0)), "max_length: 0 is not in 1..3000"),
    (
        "duplicate block_id",
        lambda: message(SectionBlock(block_id="a", text="1"), DividerBlock(block_id="a")),
        "blocks[1].block_id: duplicate block_id 'a' (first at blocks[0].block_id)",
    ),
    (
        "duplicate action_id across a message",
        lambda: message(ActionsBlock(elements=buttons(1)), ActionsBlock(elements=buttons(1))),
        "blocks[1].elements[0].action_id: duplicate action_id 'a0'",
    ),
    (
        "duplicate action_id within a view block",
        lambda: view(stretched(ActionsBlock(elements=buttons(2)), "elements.1.action_id", "a0")),
        "view.blocks[0].elements[1].action_id: duplicate",
    ),
    (
        "blocks without fallback text",
        lambda: message_problems([SECTION.to_dict()], None),
        "text: missing fallback text for blocks",
    ),
    (
        "blank fallback text",
        lambda: message_problems([SECTION.to_dict()], "  "),
        "text: missing fallback text for blocks",
    ),
    ("neither text nor blocks", lambda: message_problems(None, None), "text: a message needs text or blocks"),
    ("blocks not a list", lambda: message_problems("[]", FALLBACK), "blocks: must be a list"),  # type: ignore[arg-type]
    (
        "unknown block type",
        lambda: message({"type": "sectoin"}),
        "blocks[0].type: unknown block type 'sectoin'",
    ),
    (
        "unknown element type",
        lambda: message({"type": "actions", "elements": [{"type": "buton"}]}),
        "unknown element type 'buton'",
    ),
    (
        "input without element",
        lambda: view({"type": "input", "label": {"type": "plain_text", "text": "L"}}),
        "view.blocks[0].element: missing",
    ),
    (
        "modal with inputs but no submit",
        lambda: view_problems(modal(text_input()) | {"submit": None}),
        "view.submit: required",
    ),
    ("modal without title", lambda: view_problems(modal() | {"title": None}), "view.title: missing"),
    (
        "view of unknown type",
        lambda: view_problems(modal() | {"type": "dialog"}),
        "view.type: 'dialog' is not modal or home",
    ),
    ("view without blocks", lambda: view_problems({"type": "home"}), "view.blocks: missing"),
    (
        "image without alt_text",
        lambda: message({"type": "image", "image_url": "https://e.com/a.png"}),
        "blocks[0].alt_text: missing",
    ),
]


@pytest.mark.parametrize(("build", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule(build: Callable[[], list[str]], expected: str) -> None:
    problems = build()
    assert any(expected in problem for problem in problems), problems


def test_action_id_may_repeat_across_blocks_of_a_view() -> None:
    # Slack keys view state by block_id then action_id, so only same-block repeats clash in a view.
    assert (
        view(ActionsBlock(block_id="a", elements=buttons(1)), ActionsBlock(block_id="b", elements=buttons(1)))
        == []
    )


def test_a_realistic_message_passes() -> None:
    blocks = [
        HeaderBlock(text="Acme Corp"),
        SectionBlock(
            text="*Coverage* 3 of 5 roles",
            fields=[PlainTextObject(text="Champion"), MarkdownTextObject(text="*Missing*")],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text="Last touch 12 days ago"),
                ImageElement(image_url="https://example.com/a.png", alt_text="logo"),
            ]
        ),
        ActionsBlock(elements=[*buttons(2), OverflowMenuElement(action_id="more", options=options(3))]),
        {
            "type": "rich_text",
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "hi"}]}],
        },
        MarkdownBlock(text="**plan**"),
        DividerBlock(),
    ]
    assert message(*blocks) == []


def test_check_functions_raise_with_every_problem() -> None:
    with pytest.raises(BlockKitLimitError) as raised:
        check_message([{"type": "section"}], None)
    assert raised.value.problems == [
        "blocks[0]: a section needs text or fields",
        "text: missing fallback text for blocks",
    ]
    assert str(raised.value) == "; ".join(raised.value.problems)
    assert isinstance(raised.value, ValueError)
    check_message([SECTION.to_dict()], FALLBACK)
    check_view(modal(text_input()))


# The gaps BLOCK_KIT.md lists: slack_sdk's models serialise these without complaint.
SDK_GAPS: list[tuple[str, Callable[[], Any], str]] = [
    (
        "51 blocks in a message",
        lambda: [DividerBlock().to_dict() for _ in range(51)],
        "blocks: 51 items > 50",
    ),
    (
        "a 2001-char field",
        lambda: [SectionBlock(fields=[PlainTextObject(text=x(2001))]).to_dict()],
        "fields[0].text: 2001",
    ),
    (
        "duplicate block_ids",
        lambda: [DividerBlock(block_id="d").to_dict(), DividerBlock(block_id="d").to_dict()],
        "duplicate block_id",
    ),
    (
        "duplicate action_ids",
        lambda: [ActionsBlock(elements=buttons(1) * 2).to_dict()],
        "duplicate action_id",
    ),
    (
        "max_length 3001",
        lambda: [ActionsBlock(elements=[PlainTextInputElement(action_id="i", max_length=3001)]).to_dict()],
        "max_length",
    ),
    (
        "11 radio options",
        lambda: [ActionsBlock(elements=[RadioButtonsElement(action_id="r", options=options(11))]).to_dict()],
        "11 items",
    ),
]


@pytest.mark.parametrize(("build", "expected"), [g[1:] for g in SDK_GAPS], ids=[g[0] for g in SDK_GAPS])
def test_what_slack_sdk_lets_through_is_caught(build: Callable[[], list[dict]], expected: str) -> None:
    problems = message_problems(build(), FALLBACK)  # build() itself must not raise
    assert any(expected in problem for problem in problems), problems


@settings(max_examples=60, deadline=None)
@given(lengths=st.lists(st.integers(min_value=0, max_value=3100), min_size=0, max_size=55))
def test_sections_fail_exactly_when_a_limit_is_broken(lengths: list[int]) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": x(n)}} for n in lengths]
    broken = len(lengths) > 50 or any(n == 0 or n > 3000 for n in lengths)
    assert bool(message_problems(blocks, FALLBACK)) == broken
