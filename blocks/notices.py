"""Short messages only the caller sees: help, unknown account, confirmations."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from app.format import one_line, truncate
from app.models import NAME_MAX
from blocks import ids
from blocks.text import Message, compose, esc, field, section


class Notice(Message):
    """A short answer to the person acting."""


def _notice(text: str, *blocks) -> Notice:
    return Notice(text=text, blocks=[block.to_dict() for block in blocks] if blocks else [section(text).to_dict()])


def help_notice(commands: list[tuple[str, str]]) -> Notice:
    lines = [compose("`{usage}` — {what}", usage=usage, what=what) for usage, what in commands]
    return _notice("*stakemap* keeps a stakeholder map of every customer account.\n" + "\n".join(lines))


def unknown_account(typed: str, matches: list[str]) -> Notice:
    name = truncate(one_line(typed), NAME_MAX)
    text = f"No account named “{esc(truncate(name, 200))}” in this workspace."
    if matches:
        text += " Did you mean " + ", ".join(f"*{field(m, 100)}*" for m in matches) + "?"
    buttons = [
        ButtonElement(text=truncate(f"Show {one_line(m)}", 75), action_id=f"{ids.SHOW_ACCOUNT}:{i}", value=m)
        for i, m in enumerate(matches)
    ]
    buttons.append(ButtonElement(text=truncate(f"Create {name}", 75), action_id=ids.CREATE_ACCOUNT, value=name,
                                 style="primary"))
    return _notice(text, section(text), ActionsBlock(block_id="unknown_account", elements=buttons))


def no_contacts(account_name: str, account_id: int) -> Notice:
    text = f"*{field(account_name, 200)}* has no contacts to log a touch with yet. Add one first."
    button = ButtonElement(text="Add contact", action_id=ids.ADD_CONTACT, value=str(account_id), style="primary")
    return _notice(text, section(text), ActionsBlock(block_id="no_contacts", elements=[button]))


def list_usage(typed: str) -> Notice:
    """`/stakemap list <something>` that is neither "list" nor "list all"."""
    return _notice(compose("`/stakemap list` shows your accounts and `/stakemap list all` every account. "
                           "To show an account named “{name}”, type `/stakemap show list {name}`.",
                           name=field(typed, 120)))


def account_created(name: str) -> Notice:
    return _notice(compose("Created *{name}*. Add its people with `/stakemap add {name}`.", name=field(name, 200)))


def plain_notice(text: str) -> Notice:
    """One sentence of ours: any data in it must come through `compose` or `field` (blocks.text)."""
    return _notice(text)
