"""Turning one spreadsheet cell into a value, or a one-sentence reason it cannot be one."""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from functools import lru_cache

ISO_DAY = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$")  # 2026-03-01, 2026-03-01 14:22, …T…Z
DOTTED_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: .*)?$")  # 01.03.2026 (day first)
SLASHED_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: .*)?$")  # 3/1/2026 (US: month first)
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")
CURRENCY_SIGNS = "€$£¥"


@lru_cache(maxsize=4096)
def parse_enum(enum: type[Enum], text: str):
    """The domain enum's own parse() (labels, values and aliases), remembered per distinct cell."""
    return enum.parse(text)


def parse_day(text: str) -> date:
    """ISO dates (a time after them is ignored), day.month.year, and month/day/year as US CRMs write
    them (read as day/month/year when the first number cannot be a month)."""
    for pattern, order in ((ISO_DAY, "ymd"), (DOTTED_DAY, "dmy"), (SLASHED_DAY, "mdy")):
        match = pattern.match(text.strip())
        if match:
            parts = dict(zip(order, map(int, match.groups()), strict=True))
            if order == "mdy" and parts["m"] > 12:
                parts["m"], parts["d"] = parts["d"], parts["m"]
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                break
    raise ValueError(f"'{text}' is not a date: use YYYY-MM-DD.")


def money_text(text: str) -> str:
    """An ARR cell without currency signs ("$120,000" → "120,000"); AccountCreate checks the rest."""
    return text.strip(CURRENCY_SIGNS + " ").replace(" ", "")


def is_user_id(text: str) -> bool:
    return bool(SLACK_USER.match(text))

