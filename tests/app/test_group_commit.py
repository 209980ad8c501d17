"""GroupCommit: items handed on by many threads are written in batches, each exactly once, one batch at a
time; a failed batch is tried again whole, then logged; the queue is bounded."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from app.platform.group_commit import GroupCommit


class Store:
    """A write that keeps what it is given, and notes how many writes ever ran at once."""

    def __init__(self, fail_first: int = 0):
        self.written: list[int] = []
        self.batches = 0
        self.fail_first = fail_first
        self._running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def write(self, batch: list[int]) -> None:
        with self._lock:
            self._running += 1
            self.most_at_once = max(self.most_at_once, self._running)
        try:
            if self.fail_first:
                self.fail_first -= 1
                raise ConnectionError("the database went away")
            self.written.extend(batch)
            self.batches += 1
        finally:
            with self._lock:
                self._running -= 1


def test_items_from_many_threads_are_written_once_in_few_batches_one_at_a_time():
    store = Store()
    commit = GroupCommit(store.write, name="test", window=0.002, max_batch=100)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(commit.add, range(4000)))
    assert sorted(store.written) == list(range(4000))
    assert store.most_at_once == 1
    assert 40 <= store.batches < 4000


def test_a_failed_batch_is_written_again_whole(caplog):
    store = Store(fail_first=2)
    commit = GroupCommit(store.write, name="test", window=0, pause=0.001)
    commit.add(1)
    assert store.written == [1]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


def test_a_batch_never_written_is_logged_and_the_next_one_is_written(caplog):
    store = Store(fail_first=3)
    commit = GroupCommit(store.write, name="test", window=0, pause=0.001)
    commit.add(1)
    assert store.written == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "[1]" in errors[0].getMessage()
    commit.add(2)
    assert store.written == [2]


def test_past_max_queued_a_thread_waits_for_the_writer():
    release, writing = threading.Event(), threading.Event()
    written: list[int] = []

    def slow(batch: list[int]) -> None:
        writing.set()
        release.wait(5)
        written.extend(batch)

    commit = GroupCommit(slow, name="test", window=0, max_queued=3)
    writer = threading.Thread(target=commit.add, args=(0,))
    writer.start()
    assert writing.wait(5)
    for n in (1, 2, 3):
        commit.add(n)  # queued at once while the writer writes
    fourth = threading.Thread(target=commit.add, args=(4,))
    fourth.start()
    fourth.join(0.2)
    assert fourth.is_alive()  # no room: it waits
    release.set()
    fourth.join(5)
    writer.join(5)
    assert not fourth.is_alive() and sorted(written) == [0, 1, 2, 3, 4]
