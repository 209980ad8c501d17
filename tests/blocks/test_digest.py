"""The weekly digest message: what an item says, its buttons, and Slack's limits at any size."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core.assessment import Staleness
from app.core.domain import StakeholderType
from app.core.stale import StaleItem, StaleList
from blocks.digest import MAX_ITEMS, digest_message, settle_item
from tests.block_limits import message_problems

TODAY = date(2026, 3, 9)
TYPES = list(StakeholderType)


def item(n: int, **fields) -> StaleItem:
    values = dict(
        contact_id=n, account_id=n % 40, account_name=f"Account {n % 40}", contact_name=f"Person {n}",
        title=f"Title {n}", type=TYPES[n % len(TYPES)], staleness=Staleness.OVERDUE if n % 3 else Staleness.DUE,
        idle_days=40 + n, window_days=30, last_touch_on=TODAY - timedelta(days=40 + n),
        renewal_date=TODAY + timedelta(days=n), arr_amount=Decimal(1000 * n), currency="EUR",
    )
    return StaleItem(**(values | fields))


def listed(items: list[StaleItem]) -> StaleList:
    """All of `items` as one CSM's list, with its counts."""
    overdue = sum(1 for i in items if i.staleness == Staleness.OVERDUE)
    return StaleList(TODAY, tuple(items), len(items), overdue, len({i.account_id for i in items}))


@pytest.mark.parametrize("count", [1, MAX_ITEMS, MAX_ITEMS + 1, 500])
def test_any_number_of_items_fits_slack(count):
    items = [item(n) for n in range(count)]
    message = digest_message(listed(items), TODAY)
    assert message_problems(message.blocks, message.text) == []
    sections = [b for b in message.blocks if b.get("block_id", "").startswith("nudge_item:")]
    assert len(sections) == min(count, MAX_ITEMS)
    more = [b for b in message.blocks if b["type"] == "context" and "more" in b["elements"][0]["text"]]
    if count > MAX_ITEMS:
        rest = count - MAX_ITEMS
        assert more[0]["elements"][0]["text"].startswith(f"+{rest} more stale relationship{'s' if rest > 1 else ''}.")
    else:
        assert more == []


def test_long_and_hostile_text_fits_slack():
    nasty = "<!channel> *bold* & " + "x" * 400
    items = [item(n, contact_name=nasty, account_name=nasty, title=nasty) for n in range(500)]
    message = digest_message(listed(items), TODAY)
    assert message_problems(message.blocks, message.text) == []
    assert "<!channel>" not in str(message.blocks)


def test_an_item_says_who_where_how_long_and_renewal():
    sarah = item(7, account_id=1, contact_name="Sarah Kim", title="CFO", type=StakeholderType.ECONOMIC_BUYER, account_name="Acme",
                 staleness=Staleness.OVERDUE, idle_days=85, last_touch_on=date(2025, 12, 14),
                 renewal_date=date(2026, 6, 29))
    never = item(8, account_id=1, contact_name="CTO (name unknown)", title=None, type=StakeholderType.EXECUTIVE_SPONSOR,
                 account_name="Acme", staleness=Staleness.DUE, idle_days=95, window_days=90, last_touch_on=None,
                 renewal_date=None)
    message = digest_message(listed([sarah, never]), TODAY)
    texts = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert texts[0].startswith("*2* relationships on *1* of your accounts went stale: *1* overdue, *1* due.")
    assert texts[1] == ("*Sarah Kim* (CFO) · Economic Buyer · *Acme*\n🔴 Overdue: 85 days since the last touch "
                        "(Dec 14, 2025), window 30 · renewal Jun 29, 2026 (in 112 days)")
    assert texts[2] == ("*CTO (name unknown)* · Executive Sponsor · *Acme*\n"
                        "⏰ Due: never touched, added 95 days ago, window 90")
    assert message.text == "2 stale relationships this week (1 overdue). First: Sarah Kim (Economic Buyer) at Acme."
    buttons = next(b for b in message.blocks if b.get("block_id") == "nudge_actions:7")["elements"]
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in buttons] == [
        ("Log touch", "nudge_log_touch:7", "7"), ("Snooze 2 weeks", "nudge_snooze:7", "7"),
        ("Left the company", "nudge_left:7", "7")]
    assert buttons[2]["confirm"]["title"]["text"] == "Left the company?"


def test_settling_an_item_replaces_only_its_buttons():
    message = digest_message(listed([item(1), item(2)]), TODAY)
    settled = settle_item(message.blocks, 2, "💤 snoozed")
    changed = [(old, new) for old, new in zip(message.blocks, settled, strict=True) if old != new]
    assert len(changed) == 1
    assert changed[0][1] == {"type": "context", "block_id": "nudge_actions:2",
                             "elements": [{"type": "mrkdwn", "text": "💤 snoozed"}]}
    assert message_problems(settled, message.text) == []
