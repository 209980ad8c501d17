"""The one clock of the application. Tests replace it; nothing reads the wall clock elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Clock:
    """Wall-clock time in UTC; `fixed()` builds one that tests can set and move."""

    def __init__(self, source: Callable[[], datetime] | None = None):
        self._source = source or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self._source()

    def today(self) -> date:
        return self.now().date()

    @classmethod
    def fixed(cls, moment: datetime | date) -> FixedClock:
        return FixedClock(moment)


class FixedClock(Clock):
    def __init__(self, moment: datetime | date):
        self.moment = _as_datetime(moment)
        super().__init__(lambda: self.moment)

    def set(self, moment: datetime | date) -> None:
        self.moment = _as_datetime(moment)


def _as_datetime(moment: datetime | date) -> datetime:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime(moment.year, moment.month, moment.day, 12, tzinfo=UTC)


def local_date(now: datetime, tz_name: str | None) -> date:
    """A CSM's date in their time zone (UTC when unknown): the day their stale relationships are judged on,
    in the digest and on the App Home alike."""
    return now.astimezone(zone(tz_name)).date()


def zone(tz_name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
