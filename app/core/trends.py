"""Trends: a contact's history read back as "Neutral → Skeptical since Mar 3" (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from app.core.domain import (
    Cadence,
    ContactStatus,
    Relationship,
    Sentiment,
    StakeholderType,
    StrategyOrigin,
    TouchKind,
)
from app.core.models import ContactChange

TREND_DAYS = 90  # a change older than this is no longer a trend
TREND_FIELDS = ("sentiment", "relationship")  # what the map shows next to a contact
_VOCABULARY: dict[str, type[Enum]] = {
    "relationship": Relationship, "sentiment": Sentiment, "type": StakeholderType, "status": ContactStatus,
    "strategy_cadence": Cadence, "strategy_channel": TouchKind, "strategy_origin": StrategyOrigin,
}


def label_of(field: str, value: str | None) -> str:
    """The display label of a stored history value ("skeptical" → "Skeptical")."""
    if value is None:
        return "none"
    try:
        return _VOCABULARY[field](value).label
    except (KeyError, ValueError):
        return value


@dataclass(frozen=True)
class Trend:
    contact_id: int
    field: str
    old: str  # labels
    new: str
    since: date



Trends = Mapping[int, Sequence[Trend]]  # per contact id, its trends (sentiment first)

def trends(history: Iterable[ContactChange], today: date, days: int = TREND_DAYS) -> dict[int, list[Trend]]:
    """Per contact, the latest sentiment and relationship change of the last `days` days (sentiment first)."""
    start = today - timedelta(days=days)
    latest: dict[tuple[int, str], ContactChange] = {}
    for change in history:
        if change.field in TREND_FIELDS and change.changed_at.date() >= start:
            latest[(change.contact_id, change.field)] = change  # history is oldest first: the last one wins
    found: dict[int, list[Trend]] = {}
    for (contact_id, field), change in sorted(latest.items(), key=lambda item: TREND_FIELDS.index(item[0][1])):
        trend = Trend(contact_id, field, label_of(field, change.old_value), label_of(field, change.new_value),
                      change.changed_at.date())
        found.setdefault(contact_id, []).append(trend)
    return found
