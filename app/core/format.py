"""Small formatting helpers shared by every renderer (Slack blocks, terminal, markdown)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.core.domain import Risk

RISK_BADGE = {Risk.HIGH: "🔴", Risk.MEDIUM: "🟠", Risk.LOW: "🟢"}
# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make a name
# display reversed or out of order ("Acme" that reads as something else). Never part of a name.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def short_date(day: date, today: date | None = None) -> str:
    """'Mar 1'; with the year when it is not today's year."""
    text = f"{day:%b} {day.day}"
    return text if today is not None and day.year == today.year else f"{text}, {day.year}"


def long_date(day: date | None) -> str:
    return f"{day:%b} {day.day}, {day.year}" if day else "not set"


def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "not set"
    whole = amount == amount.to_integral_value()
    return f"{currency} {amount:,.0f}" if whole else f"{currency} {amount:,.2f}"


def truncate(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def without_bidi(text: str) -> str:
    """The text without bidirectional control characters."""
    return BIDI_CONTROLS.sub("", text)


def one_line(text: str | None) -> str:
    """The text on one line, spaces collapsed, without bidirectional control characters."""
    return " ".join(without_bidi(text or "").split())


def renewal_text(renewal: date | None, today: date) -> str:
    if renewal is None:
        return "not set"
    days = (renewal - today).days
    if days < 0:
        return f"{long_date(renewal)} ({-days} days ago)"
    return f"{long_date(renewal)} (in {days} days)"
