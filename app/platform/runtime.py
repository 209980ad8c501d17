"""What every listener, job and command needs: settings, the database, the clock, and the process's
bounded pool for work done after an ack, its size-bounded caches of rendered maps and of accounts'
assessments, and the App Home publishes it coalesces per user."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime

from app.core.clock import Clock
from app.core.settings import Settings
from app.platform.coalesce import LatestOnly
from app.platform.db import Database
from app.platform.map_cache import VersionedCache, assessment_weight

# Work after an ack is mostly CPU (assessing, rendering) under one GIL: a few threads keep the
# request threads, which only verify, parse and ack, free to answer Slack at once.
AFTER_ACK_THREADS = 8
# Work waiting for a thread, at most: past that, whoever hands on more does it itself (after its ack),
# so a burst slows the next acks a little instead of the queue, the delay of every map and the
# process's memory growing without end while the machine cannot keep up. Never a wait for room in the
# queue: a caller waiting for room while holding a database connection could wait for itself.
AFTER_ACK_QUEUE = 32


class BoundedPool(ThreadPoolExecutor):
    """A thread pool whose queue holds at most `queued` waiting tasks; past that, submit runs the task
    in the calling thread (and returns its finished future)."""

    def __init__(self, threads: int, queued: int, thread_name_prefix: str = ""):
        super().__init__(threads, thread_name_prefix=thread_name_prefix)
        self._room = threading.BoundedSemaphore(threads + queued)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if not self._room.acquire(blocking=False):
            return _run_here(fn, *args, **kwargs)
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._room.release()
            raise
        future.add_done_callback(lambda _: self._room.release())
        return future


def _run_here(fn, *args, **kwargs) -> Future:
    future: Future = Future()
    try:
        future.set_result(fn(*args, **kwargs))
    except Exception as error:
        future.set_exception(error)
    return future


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)
    after_ack: ThreadPoolExecutor = field(
        default_factory=lambda: BoundedPool(AFTER_ACK_THREADS, AFTER_ACK_QUEUE, thread_name_prefix="after-ack"))
    maps: VersionedCache = field(default_factory=VersionedCache)
    # accounts' assessments, for the Home and the list (app.services.portfolio.assess_accounts)
    assessments: VersionedCache = field(default_factory=lambda: VersionedCache(weigh=assessment_weight))
    homes: LatestOnly = field(default_factory=LatestOnly)  # App Home publishes: the latest per user runs
    # Passes a change wakes after its ack (name → work), registered by whoever runs them (the CRM push:
    # app.edge.slack_app); a burst of kicks runs the pass at most once more after the running one.
    kicks: dict[str, Callable[[], None]] = field(default_factory=dict)
    _kicked: LatestOnly = field(default_factory=LatestOnly)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    def kick(self, name: str) -> None:
        """Run the pass registered as `name` soon, on the after-ack pool (nothing when none is registered)."""
        work = self.kicks.get(name)
        if work is not None:
            self.after_ack.submit(self._kicked.run, name, work)

    def close(self) -> None:
        self.after_ack.shutdown(wait=True)
        self.db.dispose()
