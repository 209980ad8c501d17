"""Block Kit limits that Slack enforces, checked on plain dicts (see docs/BLOCK_KIT.md).

slack_sdk's model classes validate most per-element lengths when serialised, but never look at raw
dicts and skip some limits entirely (blocks per message, per-field length, id uniqueness,
``plain_text_input.max_length``). These pure functions check everything on the final JSON-shaped
payload, whichever way it was built, and describe each problem with its location, e.g.
``blocks[3].text.text: 3120 chars > 3000``. Lengths are Python ``str`` lengths, as Slack counts
characters.

Choices stricter than Slack, because stakemap wants them:

* A message with blocks but no (or a blank) ``text`` fallback is a problem; Slack only warns.
* A message ``text`` over 40,000 chars is a problem; Slack silently truncates it.
* ``action_id`` uniqueness: in a message, an ``action_id`` used twice anywhere is a problem. In a
  view (modal or Home tab) Slack only needs it unique within its block, because view state is keyed
  by ``block_id`` then ``action_id``; so there only a duplicate inside the same block is a problem.
  ``block_id`` must be unique across the whole message or view.
* ``rich_text`` and the newer block types are accepted but not checked inside.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    ImageBlock,
    InputBlock,
    MarkdownBlock,
    Option,
    OptionGroup,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.blocks.block_elements import InputInteractiveElement
from slack_sdk.models.views import View

# Limits slack_sdk's classes declare are read from them; the rest are from Slack's documentation.
MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = View.blocks_max_length
MESSAGE_MAX_TEXT = 40_000
MARKDOWN_MAX_TOTAL = MarkdownBlock.text_max_length
ID_MAX = Block.block_id_max_length
TEXT_OBJECT_MAX = SectionBlock.text_max_length
CHECKBOX_OPTIONS_MAX = 10

_PLAIN = ("plain_text",)
_ANY_TEXT = ("plain_text", "mrkdwn")
_CONFIRM_PARTS = (("title", ConfirmObject.title_max_length, True), ("text", ConfirmObject.text_max_length, False),
                  ("confirm", ConfirmObject.confirm_max_length, True), ("deny", ConfirmObject.deny_max_length, True))
_MODAL_CHROME = (("title", True), ("submit", False), ("close", False))


class BlockKitLimitError(ValueError):
    """A payload Slack would reject; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def message_problems(blocks: list[dict] | None, text: str | None) -> list[str]:
    """Every reason Slack would reject (or stakemap refuses) a message with these blocks and text."""
    checker = _Checker(action_ids_per_block=False)
    checker.blocks("blocks", blocks, MESSAGE_MAX_BLOCKS)
    checker.message_text(text, has_blocks=bool(blocks))
    return checker.problems


def view_problems(view: dict) -> list[str]:
    """Every reason Slack would reject this modal or Home tab view."""
    if not isinstance(view, dict):
        return ["view: must be an object"]
    checker = _Checker(action_ids_per_block=True)
    checker.view(view)
    return checker.problems


def check_message(blocks: list[dict] | None, text: str | None) -> None:
    """Raise BlockKitLimitError unless the message is within every limit."""
    _raise_if_any(message_problems(blocks, text))


def check_view(view: dict) -> None:
    """Raise BlockKitLimitError unless the view is within every limit."""
    _raise_if_any(view_problems(view))


def _raise_if_any(problems: list[str]) -> None:
    if problems:
        raise BlockKitLimitError(problems)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_Check = Callable[["_Checker", str, dict], None]


class _Checker:
    """Walks one message or view, collecting problems and the ids seen so far."""

    def __init__(self, *, action_ids_per_block: bool) -> None:
        self.problems: list[str] = []
        self._action_ids_per_block = action_ids_per_block
        self._block_ids: dict[str, str] = {}
        self._action_ids: dict[str, str] = {}
        self._markdown_chars = 0

    # -- primitives -------------------------------------------------------------------------

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def obj(self, path: str, value: Any) -> bool:
        """True when value is a dict; records a problem otherwise."""
        if isinstance(value, dict):
            return True
        self.add(path, "must be an object")
        return False

    def string(self, path: str, value: Any, limit: int, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.add(path, "missing")
        elif not isinstance(value, str):
            self.add(path, "must be a string")
        elif required and not value:
            self.add(path, "empty")
        elif len(value) > limit:
            self.add(path, f"{len(value)} chars > {limit}")

    def items(self, path: str, value: Any, maximum: int, *, minimum: int = 1) -> list:
        """The list at path (empty if absent), recording a count outside minimum..maximum."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, "must be a list")
            return []
        if len(value) < minimum:
            self.add(path, f"{len(value)} items < {minimum}")
        elif len(value) > maximum:
            self.add(path, f"{len(value)} items > {maximum}")
        return value

    def text(
        self,
        path: str,
        value: Any,
        limit: int = TEXT_OBJECT_MAX,
        *,
        plain: bool = False,
        required: bool = True,
    ) -> None:
        """A text object: allowed type, non-empty text, at most limit chars."""
        if value is None:
            if required:
                self.add(path, "missing")
            return
        if not self.obj(path, value):
            return
        allowed = _PLAIN if plain else _ANY_TEXT
        if value.get("type") not in allowed:
            self.add(f"{path}.type", f"{value.get('type')!r} is not {' or '.join(allowed)}")
        self.string(f"{path}.text", value.get("text"), limit, required=True)

    def unique_id(self, path: str, value: Any, seen: dict[str, str], kind: str) -> None:
        self.string(path, value, ID_MAX)
        if not isinstance(value, str):
            return
        if value in seen:
            self.add(path, f"duplicate {kind} {value!r} (first at {seen[value]})")
        else:
            seen[value] = path

    # -- surfaces ---------------------------------------------------------------------------

    def blocks(self, path: str, blocks: Any, maximum: int) -> None:
        for index, block in enumerate(self.items(path, blocks, maximum, minimum=0)):
            self.block(f"{path}[{index}]", block)
        if self._markdown_chars > MARKDOWN_MAX_TOTAL:
            self.add(path, f"markdown blocks total {self._markdown_chars} chars > {MARKDOWN_MAX_TOTAL}")

    def message_text(self, text: Any, *, has_blocks: bool) -> None:
        if text is not None and not isinstance(text, str):
            self.add("text", "must be a string")
        elif not text or not text.strip():
            self.add(
                "text", "missing fallback text for blocks" if has_blocks else "a message needs text or blocks"
            )
        else:
            self.string("text", text, MESSAGE_MAX_TEXT)

    def view(self, view: dict) -> None:
        kind = view.get("type")
        if kind not in ("modal", "home"):
            self.add("view.type", f"{kind!r} is not modal or home")
        if view.get("blocks") is None:
            self.add("view.blocks", "missing")
        self.blocks("view.blocks", view.get("blocks"), VIEW_MAX_BLOCKS)
        self.string("view.private_metadata", view.get("private_metadata"), View.private_metadata_max_length)
        self.string("view.callback_id", view.get("callback_id"), ID_MAX)
        self.string("view.external_id", view.get("external_id"), ID_MAX)
        if kind == "modal":
            self.modal_chrome(view)

    def modal_chrome(self, view: dict) -> None:
        for key, required in _MODAL_CHROME:
            self.text(f"view.{key}", view.get(key), View.title_max_length, plain=True, required=required)
        blocks = view.get("blocks")
        listed = blocks if isinstance(blocks, list) else []
        has_input = any(isinstance(block, dict) and block.get("type") == "input" for block in listed)
        if has_input and view.get("submit") is None:
            self.add("view.submit", "required when the modal has input blocks")

    # -- blocks -----------------------------------------------------------------------------

    def block(self, path: str, block: Any) -> None:
        if not self.obj(path, block):
            return
        self.unique_id(f"{path}.block_id", block.get("block_id"), self._block_ids, "block_id")
        if self._action_ids_per_block:
            self._action_ids = {}
        check = _BLOCK_CHECKS.get(block.get("type"))
        if check is None:
            self.add(f"{path}.type", f"unknown block type {block.get('type')!r}")
        else:
            check(self, path, block)

    def section(self, path: str, block: dict) -> None:
        text, fields = block.get("text"), block.get("fields")
        if text is None and fields is None:
            self.add(path, "a section needs text or fields")
        self.text(f"{path}.text", text, SectionBlock.text_max_length, required=False)
        for index, field in enumerate(self.items(f"{path}.fields", fields, SectionBlock.fields_max_length)):
            self.text(f"{path}.fields[{index}]", field, 2000)
        if block.get("accessory") is not None:
            self.element(f"{path}.accessory", block["accessory"])

    def header(self, path: str, block: dict) -> None:
        self.text(f"{path}.text", block.get("text"), HeaderBlock.text_max_length, plain=True)

    def actions(self, path: str, block: dict) -> None:
        for index, element in enumerate(self.items(f"{path}.elements", block.get("elements", []), ActionsBlock.elements_max_length)):
            self.element(f"{path}.elements[{index}]", element)

    def context(self, path: str, block: dict) -> None:
        for index, element in enumerate(self.items(f"{path}.elements", block.get("elements", []), ContextBlock.elements_max_length)):
            where = f"{path}.elements[{index}]"
            if isinstance(element, dict) and element.get("type") == "image":
                self.image(where, element)
            else:
                self.text(where, element)

    def input(self, path: str, block: dict) -> None:
        self.text(f"{path}.label", block.get("label"), InputBlock.label_max_length, plain=True)
        self.text(f"{path}.hint", block.get("hint"), InputBlock.hint_max_length, plain=True, required=False)
        if block.get("element") is None:
            self.add(f"{path}.element", "missing")
        else:
            self.element(f"{path}.element", block["element"])

    def image(self, path: str, image: dict) -> None:
        """An image block or image element."""
        if image.get("image_url") is None and image.get("slack_file") is None:
            self.add(f"{path}.image_url", "missing (or slack_file)")
        self.string(f"{path}.image_url", image.get("image_url"), ImageBlock.image_url_max_length)
        self.string(f"{path}.alt_text", image.get("alt_text"), ImageBlock.alt_text_max_length, required=True)
        self.text(f"{path}.title", image.get("title"), ImageBlock.title_max_length, plain=True, required=False)

    def markdown(self, path: str, block: dict) -> None:
        """Only the total across the message is limited (checked in blocks())."""
        text = block.get("text")
        if not isinstance(text, str) or not text:
            self.add(f"{path}.text", "must be a non-empty string")
        else:
            self._markdown_chars += len(text)

    def unchecked(self, path: str, block: dict) -> None:
        """Known block or element type with nothing further to check here."""

    # -- elements ---------------------------------------------------------------------------

    def element(self, path: str, element: Any) -> None:
        if not self.obj(path, element):
            return
        self.unique_id(f"{path}.action_id", element.get("action_id"), self._action_ids, "action_id")
        self.text(f"{path}.placeholder", element.get("placeholder"), InputInteractiveElement.placeholder_max_length, plain=True, required=False)
        self.confirm(f"{path}.confirm", element.get("confirm"))
        check = _ELEMENT_CHECKS.get(element.get("type"))
        if check is None:
            self.add(f"{path}.type", f"unknown element type {element.get('type')!r}")
        else:
            check(self, path, element)

    def confirm(self, path: str, confirm: Any) -> None:
        if confirm is None or not self.obj(path, confirm):
            return
        for key, limit, plain in _CONFIRM_PARTS:
            self.text(f"{path}.{key}", confirm.get(key), limit, plain=plain)

    def button(self, path: str, element: dict) -> None:
        self.text(f"{path}.text", element.get("text"), ButtonElement.text_max_length, plain=True)
        self.string(f"{path}.value", element.get("value"), ButtonElement.value_max_length)
        self.string(f"{path}.url", element.get("url"), ButtonElement.url_max_length)

    def overflow(self, path: str, element: dict) -> None:
        self.options(path, element, 5)

    def static_select(self, path: str, element: dict) -> None:
        if element.get("options") is None and element.get("option_groups") is None:
            self.add(path, "a static select needs options or option_groups")
        valid = self.options(path, element, StaticSelectElement.options_max_length, required=False)
        for index, group in enumerate(self.items(f"{path}.option_groups", element.get("option_groups"), StaticSelectElement.option_groups_max_length)):
            where = f"{path}.option_groups[{index}]"
            if self.obj(where, group):
                self.text(f"{where}.label", group.get("label"), OptionGroup.label_max_length, plain=True)
                valid |= self.options(where, group, OptionGroup.options_max_length)
        self.initial_options(path, element, valid)

    def choices(self, path: str, element: dict) -> None:
        """Checkboxes and radio buttons: 1-10 options whose text may be mrkdwn."""
        self.initial_options(path, element, self.options(path, element, CHECKBOX_OPTIONS_MAX, plain=False))

    def external_select(self, path: str, element: dict) -> None:
        for where, option in self.initial_option_list(path, element):
            self.option(where, option)

    def plain_text_input(self, path: str, element: dict) -> None:
        max_length, min_length = element.get("max_length"), element.get("min_length")
        ceiling = TEXT_OBJECT_MAX
        if max_length is not None:
            if _is_int(max_length) and 1 <= max_length <= TEXT_OBJECT_MAX:
                ceiling = max_length
            else:
                self.add(f"{path}.max_length", f"{max_length!r} is not in 1..{TEXT_OBJECT_MAX}")
        if min_length is not None and not (_is_int(min_length) and 0 <= min_length <= ceiling):
            self.add(f"{path}.min_length", f"{min_length!r} is not in 0..{ceiling} (max_length)")
        self.string(f"{path}.initial_value", element.get("initial_value"), ceiling)

    # -- options ----------------------------------------------------------------------------

    def options(
        self, path: str, holder: dict, maximum: int, *, plain: bool = True, required: bool = True
    ) -> set[str]:
        """Check holder["options"] (1..maximum of them); return the option values seen."""
        if required and holder.get("options") is None:
            self.add(f"{path}.options", "missing")
        values: set[str] = set()
        for index, option in enumerate(self.items(f"{path}.options", holder.get("options"), maximum)):
            valid = self.option(f"{path}.options[{index}]", option, plain=plain)
            if valid and isinstance(option.get("value"), str):
                values.add(option["value"])
        return values

    def option(self, path: str, option: Any, *, plain: bool = True) -> bool:
        if not self.obj(path, option):
            return False
        self.text(f"{path}.text", option.get("text"), Option.label_max_length, plain=plain)
        self.string(f"{path}.value", option.get("value"), Option.value_max_length, required=True)
        self.text(f"{path}.description", option.get("description"), Option.label_max_length, plain=plain, required=False)
        self.string(f"{path}.url", option.get("url"), ButtonElement.url_max_length)
        return True

    def initial_option_list(self, path: str, element: dict) -> list[tuple[str, Any]]:
        single = element.get("initial_option")
        found = [(f"{path}.initial_option", single)] if single is not None else []
        many = element.get("initial_options")
        many_list = many if isinstance(many, list) else []
        return found + [(f"{path}.initial_options[{i}]", option) for i, option in enumerate(many_list)]

    def initial_options(self, path: str, element: dict, valid: set[str]) -> None:
        """Slack rejects an initial option that is not one of the element's options."""
        for where, option in self.initial_option_list(path, element):
            value = option.get("value") if isinstance(option, dict) else None
            if value not in valid:
                self.add(where, f"value {value!r} is not one of the options")


# Known types with nothing further checked here (rich_text and the newer blocks; pickers, etc.).
# fmt: off
_UNCHECKED_BLOCKS = (
    "divider", "rich_text", "file", "video", "call", "table", "context_actions", "task_card", "plan", "alert",
    "card",
)
_UNCHECKED_ELEMENTS = (
    "users_select", "multi_users_select", "conversations_select", "multi_conversations_select",
    "channels_select", "multi_channels_select", "datepicker", "timepicker", "datetimepicker",
    "email_text_input", "url_text_input", "number_input", "rich_text_input", "file_input",
    "feedback_buttons", "icon_button",
)
# fmt: on

_BLOCK_CHECKS: dict[str, _Check] = {
    "section": _Checker.section,
    "header": _Checker.header,
    "actions": _Checker.actions,
    "context": _Checker.context,
    "input": _Checker.input,
    "image": _Checker.image,
    "markdown": _Checker.markdown,
    **dict.fromkeys(_UNCHECKED_BLOCKS, _Checker.unchecked),
}

_ELEMENT_CHECKS: dict[str, _Check] = {
    "button": _Checker.button,
    "workflow_button": _Checker.button,
    "overflow": _Checker.overflow,
    "static_select": _Checker.static_select,
    "multi_static_select": _Checker.static_select,
    "external_select": _Checker.external_select,
    "multi_external_select": _Checker.external_select,
    "checkboxes": _Checker.choices,
    "radio_buttons": _Checker.choices,
    "plain_text_input": _Checker.plain_text_input,
    "image": _Checker.image,
    **dict.fromkeys(_UNCHECKED_ELEMENTS, _Checker.unchecked),
}
