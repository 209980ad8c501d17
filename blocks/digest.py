"""The weekly digest DM: counts, then the top stale relationships with a row of buttons each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
)

from app.core.assessment import Staleness
from app.core.format import renewal_text, short_date
from app.services.nudges import StaleItem
from blocks import ids
from blocks.strategy import window_words
from blocks.text import field, mrkdwn, plain, section

MESSAGE_MAX_BLOCKS = 50
HEAD_BLOCKS = 3  # header, counts, divider
ITEM_BLOCKS = 2  # the item, its buttons
MAX_ITEMS = 20  # a digest to read in a minute; the rest is summed up as "+N more"
assert HEAD_BLOCKS + ITEM_BLOCKS * MAX_ITEMS + 1 <= MESSAGE_MAX_BLOCKS
MARK = {Staleness.OVERDUE: "🔴", Staleness.DUE: "⏰"}


@dataclass(frozen=True)
class DigestMessage:
    text: str  # notification and screen-reader fallback
    blocks: list[dict]


def digest_message(items: Sequence[StaleItem], today: date) -> DigestMessage:
    """The digest of one CSM's ranked stale relationships (at least one)."""
    shown = items[:MAX_ITEMS]
    blocks: list[Block] = [
        HeaderBlock(text=plain("Relationships to touch this week", 150)),
        section(_counts(items)),
        DividerBlock(),
    ]
    for item in shown:
        blocks += [section(_item_text(item, today), block_id=f"{ids.NUDGE_ITEM}:{item.contact_id}"), _buttons(item)]
    if len(items) > len(shown):
        more = len(items) - len(shown)
        blocks.append(ContextBlock(elements=[mrkdwn(
            f"+{more} more stale relationship{_s(more)}. Touch the ones above first; the rest follow in order."
        )]))
    return DigestMessage(text=_fallback(items), blocks=[block.to_dict() for block in blocks])


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _counts(items: Sequence[StaleItem]) -> str:
    overdue = sum(1 for item in items if item.staleness == Staleness.OVERDUE)
    accounts = len({item.account_id for item in items})
    return (
        f"*{len(items)}* relationship{_s(len(items))} on *{accounts}* of your accounts went stale: "
        f"*{overdue}* overdue, *{len(items) - overdue}* due. Overdue, champions and economic buyers, "
        "and the nearest renewals come first."
    )


def _fallback(items: Sequence[StaleItem]) -> str:
    overdue = sum(1 for item in items if item.staleness == Staleness.OVERDUE)
    first = items[0]
    return (
        f"{len(items)} stale relationship{_s(len(items))} this week ({overdue} overdue). "
        f"First: {first.contact_name} ({first.type.label}) at {first.account_name}."
    )


def idle_text(item: StaleItem, today: date) -> str:
    """'85 days since the last touch (Dec 15)' or 'never touched, added 40 days ago'."""
    if item.last_touch_on is None:
        return f"never touched, added {item.idle_days} days ago"
    return f"{item.idle_days} days since the last touch ({short_date(item.last_touch_on, today)})"


def _item_text(item: StaleItem, today: date) -> str:
    title = f" ({field(item.title, 80)})" if item.title else ""
    level = "Overdue" if item.staleness == Staleness.OVERDUE else "Due"
    facts = f"{level}: {idle_text(item, today)}, {window_words(item.window_days)}"
    if item.renewal_date is not None:
        facts += f" · renewal {renewal_text(item.renewal_date, today)}"
    return (
        f"{MARK[item.staleness]} *{field(item.contact_name, 120)}*{title} · {item.type.label} · "
        f"*{field(item.account_name, 120)}*\n{facts}{missed_promise(item)}"
    )


def missed_promise(item: StaleItem) -> str:
    """The strategy whose cadence was missed: "Missed: Monthly roadmap 1:1 with Tom Chen — 41 days"."""
    if not item.promise or item.cadence is None or item.window_days is None:
        return ""
    return (f"\nMissed ({item.cadence.label.lower()}): {field(item.promise, 200)} with "
            f"{field(item.contact_name, 120)} — {item.idle_days} days")


def _buttons(item: StaleItem) -> ActionsBlock:
    value = str(item.contact_id)
    confirm = ConfirmObject(
        title="Left the company?",
        text=f"Mark {field(item.contact_name, 120)} at {field(item.account_name, 100)} as left? Coverage is re-assessed.",
        confirm="Mark as left",
        deny="Cancel",
    )
    return ActionsBlock(
        block_id=f"{ids.NUDGE_ACTIONS}:{item.contact_id}",
        elements=[
            ButtonElement(text="Log touch", action_id=f"{ids.NUDGE_LOG_TOUCH}:{value}", value=value, style="primary"),
            ButtonElement(text="Snooze 2 weeks", action_id=f"{ids.NUDGE_SNOOZE}:{value}", value=value),
            ButtonElement(text="Left the company", action_id=f"{ids.NUDGE_LEFT}:{value}", value=value,
                          style="danger", confirm=confirm),
        ],
    )


def settle_item(blocks: Sequence[dict], contact_id: int, note: str) -> list[dict]:
    """The digest with one item's buttons replaced by what was done ("💤 Snoozed until Mar 24")."""
    block_id = f"{ids.NUDGE_ACTIONS}:{contact_id}"
    done = ContextBlock(block_id=block_id, elements=[mrkdwn(note)]).to_dict()
    return [done if block.get("block_id") == block_id else block for block in blocks]
