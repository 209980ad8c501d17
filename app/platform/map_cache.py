"""Rendered things that depend only on an account's version, the day and the workspace's windows.

Process memory, least recently used first out: safe to lose, never shared between replicas, never
stale (a change anywhere on a map bumps Account.version, see app/core/models.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

Value = TypeVar("Value")


class VersionedCache(Generic[Value]):
    def __init__(self, size: int = 512):
        self._entries: LRUCache = LRUCache(maxsize=size)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_make(self, key: Hashable, make: Callable[[], Value]) -> Value:
        with self._lock:
            if key in self._entries:
                self.hits += 1
                return self._entries[key]
        value = make()  # outside the lock: two threads may both render once; both results are equal
        with self._lock:
            self.misses += 1
            self._entries[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
