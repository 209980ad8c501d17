"""The stale-relationship list of one CSM: the item type shared by the App Home and the weekly digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.core.assessment import Staleness
from app.core.domain import Cadence, StakeholderType


@dataclass(frozen=True)
class StaleItem:
    """One stale relationship on a CSM's list."""

    contact_id: int
    account_id: int
    account_name: str
    contact_name: str  # display name: "Sarah Kim", "CTO (name unknown)"
    title: str | None  # a named contact's title (a placeholder's title is already in its name)
    type: StakeholderType
    staleness: Staleness
    idle_days: int
    window_days: int | None  # None: a cadence of "none" (stale only by the renewal rule)
    last_touch_on: date | None  # None: never touched (stale since it was added)
    renewal_date: date | None
    arr_amount: Decimal | None
    currency: str
    promise: str | None = None  # the accepted strategy's approach whose cadence was missed
    cadence: Cadence | None = None


@dataclass(frozen=True)
class StaleList:
    """One CSM's stale relationships on their local date `today`: the most urgent first few (`items`)
    and counts over all of them. Its length is the number of stale relationships, not of `items`."""

    today: date
    items: tuple[StaleItem, ...] = ()
    total: int = 0
    overdue: int = 0
    accounts: int = 0  # accounts with at least one stale relationship

    def __len__(self) -> int:
        return self.total
