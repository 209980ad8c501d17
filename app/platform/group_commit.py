"""Writes that many threads hand on after their acks, written together: one transaction for what arrived
within a few milliseconds, instead of one each.

`GroupCommit.add(item)` queues the item. The first thread to add one while nothing is being written
becomes the writer: it waits `window` seconds for more to arrive, writes all that is queued in one call
of `write(items)`, and goes on with what arrived meanwhile until nothing is left; the others return at
once. So per instance one batch is written at a time, every item is written by a thread that is still
running (a pool's shutdown, or a test's drain, waits for it), and under load a batch holds what arrived
while the previous one was being written.

Nothing is dropped silently: a batch whose write raises is tried again (`tries` times in all, the
whole batch each time: `write` must be one transaction), then logged with every item it held.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

WINDOW = 0.003  # seconds the writer waits for company before the first batch
MAX_BATCH = 500  # items per write, at most (bounded statements; the rest go in the next batch)
# Items queued, at most: past that, add waits for the writer to take a batch, so a database slower than
# the events slows the threads that hand them on (and, through the after-ack pool, the acks) instead of
# the queue growing without end. The waiting thread holds no connection: the writer never waits for it.
MAX_QUEUED = 10 * MAX_BATCH
TRIES = 3


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[list[T]], None], *, name: str, window: float = WINDOW,
                 max_batch: int = MAX_BATCH, max_queued: int = MAX_QUEUED, tries: int = TRIES, pause: float = 0.05):
        self._write = write
        self.name = name
        self.window = window
        self.max_batch = max_batch
        self.max_queued = max_queued
        self.tries = tries
        self.pause = pause  # before the second try; doubled before each further one
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._queued: list[T] = []
        self._writing = False

    def add(self, item: T) -> None:
        """Queue the item; write it (and whatever else is queued) when no other thread is writing."""
        with self._lock:
            while self._writing and len(self._queued) >= self.max_queued:
                self._room.wait()
            self._queued.append(item)
            if self._writing:
                return
            self._writing = True
        try:
            if self.window:
                time.sleep(self.window)
            while batch := self._next_batch():  # the last call, finding nothing queued, ends the writing
                self._write_or_log(batch)
        except BaseException:  # never from a write (its failures are logged): the next add writes what is left
            with self._lock:
                self._writing = False
                self._room.notify_all()
            raise

    def _next_batch(self) -> list[T]:
        with self._lock:
            batch, self._queued = self._queued[:self.max_batch], self._queued[self.max_batch:]
            self._room.notify_all()
            if not batch:
                self._writing = False
            return batch

    def _write_or_log(self, batch: list[T]) -> None:
        pause = self.pause
        for attempt in range(1, self.tries + 1):
            try:
                self._write(batch)
                return
            except Exception:
                if attempt == self.tries:
                    log.exception("%s: a batch of %d was not written after %d tries: %r", self.name, len(batch),
                                  self.tries, batch)
                    return
                log.warning("%s: writing a batch of %d failed (try %d of %d)", self.name, len(batch), attempt,
                            self.tries, exc_info=True)
                time.sleep(pause)
                pause *= 2
