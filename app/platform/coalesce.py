"""Work that only its latest request needs done: publishing a user's App Home after a burst of changes.

`LatestOnly.run(key, work)` runs `work` at once when nothing runs for `key`; while something does, the
request waits its turn, replacing any request waiting before it. `run(key, work, waiting=part)` leaves only
`part` waiting in that case (what must be done once more for the key), returning False so the caller does
the rest of `work` itself (a change's confirmation must never be skipped, only its Home refresh). So per key at most one runs and one
waits, the last request always runs (after every change before it), and the ones in between, whose
result the last one's would overwrite anyway, are skipped. Process memory: a key is kept only while its
work runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable


class LatestOnly:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[Hashable, Callable[[], None] | None] = {}  # key running → its waiting request
        self.skipped = 0

    def run(self, key: Hashable, work: Callable[[], None], waiting: Callable[[], None] | None = None) -> bool:
        """Run `work` for `key` now (True), or leave it (`waiting`, when given) for the thread already running
        `key`'s work to run next (False). The running thread raises the first error its work raised, after
        running what waited."""
        with self._lock:
            if key in self._waiting:
                self.skipped += self._waiting[key] is not None
                self._waiting[key] = waiting or work
                return False
            self._waiting[key] = None
        first_error: Exception | None = None
        next_work: Callable[[], None] | None = work
        while next_work is not None:
            try:
                next_work()
            except Exception as error:  # the waiting request still runs; the error is raised after it
                first_error = first_error or error
            with self._lock:
                next_work = self._waiting[key]
                if next_work is None:
                    del self._waiting[key]
                else:
                    self._waiting[key] = None
        if first_error is not None:
            raise first_error
        return True
