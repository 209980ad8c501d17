"""Short messages only the caller sees: help, unknown account, confirmations."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from app.core.format import one_line, truncate
from app.core.models import NAME_MAX
from blocks import ids
from blocks.text import esc, field, section


@dataclass(frozen=True)
class Notice:
    text: str
    blocks: list[dict]


def _notice(text: str, *blocks) -> Notice:
    return Notice(text=text, blocks=[block.to_dict() for block in blocks] if blocks else [section(text).to_dict()])


def help_notice(commands: list[tuple[str, str]]) -> Notice:
    lines = [f"`{usage}` — {what}" for usage, what in commands]
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


def plain_notice(text: str) -> Notice:
    return _notice(text)
