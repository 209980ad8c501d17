"""Rendered maps and accounts' assessments, which depend only on an account's version, the day and the
workspace's windows and strategy table.

Process memory, bounded by size: one entry per account (and day and windows), a newer version replacing
the older (versions only go up, so an older one is never asked for again), and least recently used
entries out once the entries together weigh more than the budget. Safe to lose, never shared between
workers or replicas, never stale (a change anywhere on a map bumps Account.version, see app/core/models.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, NamedTuple, TypeVar

from cachetools import LRUCache

Value = TypeVar("Value")

# A rendered map's Python objects (block dicts, strings) take about ten times its JSON (tracemalloc).
OBJECTS_PER_JSON_BYTE = 10
DEFAULT_BUDGET = 24 * 1024 * 1024


def map_weight(value) -> int:
    """Approximate bytes a rendered map holds: its channel post's JSON (encoded once anyway) times ten."""
    return len(value.channel_post) * OBJECTS_PER_JSON_BYTE


# An assessment's objects (tracemalloc, suggestions worked out): 15 kB with 4 contacts, 55 kB with 20.
ASSESSMENT_BYTES, CONTACT_BYTES = 5_000, 2_500


def assessment_weight(value) -> int:
    """Approximate bytes an account's assessment holds, by its number of contacts."""
    return ASSESSMENT_BYTES + CONTACT_BYTES * len(value.states)


class _Entry(NamedTuple):
    version: int
    value: object
    weight: int


class VersionedCache(Generic[Value]):
    def __init__(self, budget: int = DEFAULT_BUDGET, weigh: Callable[[Value], int] = map_weight):
        self._entries: LRUCache = LRUCache(maxsize=budget, getsizeof=lambda entry: entry.weight)
        self._weigh = weigh
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_make(self, key: Hashable, version: int, make: Callable[[], Value]) -> Value:
        found = self.get(key, version)
        if found is not None:
            return found
        value = make()  # outside the lock: two threads may both make it once; both results are equal
        self.put(key, version, value)
        return value

    def get(self, key: Hashable, version: int) -> Value | None:
        """The value made for that version of `key`, or None (counted as a miss) when it is not here."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.version == version:
                self.hits += 1
                return entry.value
            self.misses += 1
        return None

    def put(self, key: Hashable, version: int, value: Value) -> None:
        """Keep `value` as `key`'s, unless a newer version of it is kept already or it alone outweighs the budget."""
        weight = self._weigh(value)
        with self._lock:
            current = self._entries.get(key)
            if weight <= self._entries.maxsize and (current is None or current.version <= version):
                self._entries[key] = _Entry(version, value, weight)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def weight(self) -> int:
        """What the entries weigh together (never more than the budget)."""
        return self._entries.currsize

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
