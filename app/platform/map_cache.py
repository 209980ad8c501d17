"""Rendered maps, which depend only on an account's version, the day and the workspace's windows.

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
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.version == version:
                self.hits += 1
                return entry.value
        value = make()  # outside the lock: two threads may both render once; both results are equal
        weight = self._weigh(value)
        with self._lock:
            self.misses += 1
            current = self._entries.get(key)
            if weight <= self._entries.maxsize and (current is None or current.version <= version):
                self._entries[key] = _Entry(version, value, weight)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def weight(self) -> int:
        """What the entries weigh together (never more than the budget)."""
        return self._entries.currsize

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
