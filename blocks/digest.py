"""The weekly digest DM: counts, then the top stale relationships with a row of buttons each."""

from __future__ import annotations

from collections.abc import Sequence
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

from app.core.presence import SlackNews
from app.core.stale import StaleItem, StaleList
from blocks import ids
from blocks.capture import news_blocks, news_count
from blocks.stale import stale_item_text
from blocks.text import Message, compose, field, mrkdwn, plain, section

MESSAGE_MAX_BLOCKS = 50
HEAD_BLOCKS = 3  # header, counts, divider
ITEM_BLOCKS = 2  # the item, its buttons
MAX_ITEMS = 20  # a digest to read in a minute; the rest is summed up as "+N more"
assert HEAD_BLOCKS + ITEM_BLOCKS * MAX_ITEMS + 1 <= MESSAGE_MAX_BLOCKS


class DigestMessage(Message):
    """One CSM's weekly DM."""


def digest_message(stale: StaleList, today: date, news: SlackNews | None = None) -> DigestMessage:
    """The digest of one CSM's ranked stale relationships, and what Slack Connect brought (`news`: accounts gone
    quiet, people to add); at least one of the two is there."""
    news = news or SlackNews()
    extra = news_blocks(news, today)
    room = (MESSAGE_MAX_BLOCKS - HEAD_BLOCKS - 1 - news_count(news)) // ITEM_BLOCKS
    shown = stale.items[:min(MAX_ITEMS, room)]
    blocks: list[Block] = [
        HeaderBlock(text=plain("Relationships to touch this week" if stale.total else "Your accounts this week", 150)),
        section(_counts(stale) if stale.total else "Nothing went stale this week."),
        DividerBlock(),
    ]
    for item in shown:
        blocks += [section(stale_item_text(item, today), block_id=f"{ids.NUDGE_ITEM}:{item.contact_id}"),
                   _buttons(item)]
    if stale.total > len(shown):
        more = stale.total - len(shown)
        blocks.append(ContextBlock(elements=[mrkdwn(
            f"+{more} more stale relationship{_s(more)}. Touch the ones above first; the rest follow in order."
        )]))
    blocks += extra
    text = _fallback(stale) if stale.total else _news_fallback(news)
    return DigestMessage(text=text, blocks=[block.to_dict() for block in blocks])


def _news_fallback(news: SlackNews) -> str:
    people = "1 person" if news.seen.total == 1 else f"{news.seen.total} people"
    return compose("{quiet} of your accounts went quiet in Slack; {people} seen in Slack not on your maps.",
                   quiet=len(news.quiet), people=people)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _counts(stale: StaleList) -> str:
    return (
        f"*{stale.total}* relationship{_s(stale.total)} on *{stale.accounts}* of your accounts went stale: "
        f"*{stale.overdue}* overdue, *{stale.total - stale.overdue}* due. Overdue, champions and economic buyers, "
        "and the nearest renewals come first."
    )


def _fallback(stale: StaleList) -> str:
    first = stale.items[0]
    return compose("{count} stale relationship{s} this week ({overdue} overdue). First: {contact} ({role}) at {account}.",
                   count=stale.total, s=_s(stale.total), overdue=stale.overdue, contact=field(first.contact_name, 120),
                   role=first.type.label, account=field(first.account_name, 120))


def _buttons(item: StaleItem) -> ActionsBlock:
    value = str(item.contact_id)
    confirm = ConfirmObject(
        title="Left the company?",
        text=mrkdwn(f"Mark {field(item.contact_name, 120)} at {field(item.account_name, 100)} as left? "
                    "Coverage is re-assessed."),
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
