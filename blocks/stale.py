"""One stale relationship as the weekly digest and the App Home both show it: who, where, the staleness
mark, how many days without a touch, and the strategy's promise that was missed."""

from __future__ import annotations

from datetime import date

from app.core.assessment import Staleness
from app.core.format import renewal_text, short_date
from app.core.stale import StaleItem
from blocks.strategy import window_words
from blocks.text import field

MARK = {Staleness.OVERDUE: "🔴 Overdue", Staleness.DUE: "⏰ Due"}


def idle_text(item: StaleItem, today: date) -> str:
    """'85 days since the last touch (Dec 15)' or 'never touched, added 40 days ago'."""
    if item.last_touch_on is None:
        return f"never touched, added {item.idle_days} days ago"
    return f"{item.idle_days} days since the last touch ({short_date(item.last_touch_on, today)})"


def staleness_text(item: StaleItem, today: date) -> str:
    """'🔴 Overdue: 85 days since the last touch (Dec 15), window 60'."""
    return f"{MARK[item.staleness]}: {idle_text(item, today)}, {window_words(item.window_days)}"


def missed_promise(item: StaleItem) -> str:
    """The strategy whose cadence was missed: "Missed: Monthly roadmap 1:1 with Tom Chen — 41 days"."""
    if not item.promise or item.cadence is None or item.window_days is None:
        return ""
    return (f"\nMissed ({item.cadence.label.lower()}): {field(item.promise, 200)} with "
            f"{field(item.contact_name, 120)} — {item.idle_days} days")


def stale_item_text(item: StaleItem, today: date) -> str:
    """Who and where on the first line; the staleness and the renewal on the second."""
    title = f" ({field(item.title, 80)})" if item.title else ""
    facts = staleness_text(item, today)
    if item.renewal_date is not None:
        facts += f" · renewal {renewal_text(item.renewal_date, today)}"
    return (f"*{field(item.contact_name, 120)}*{title} · {item.type.label} · *{field(item.account_name, 120)}*\n"
            f"{facts}{missed_promise(item)}")
