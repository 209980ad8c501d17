"""What every listener, job and command needs: settings, the database, the clock, and the process's
bounded pool for work done after an ack, and its cache of rendered maps."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime

from app.core.clock import Clock
from app.core.settings import Settings
from app.platform.db import Database
from app.platform.map_cache import VersionedCache

# Work after an ack is mostly CPU (assessing, rendering) under one GIL: a few threads keep the
# request threads, which only verify, parse and ack, free to answer Slack at once.
AFTER_ACK_THREADS = 8


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)
    after_ack: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(AFTER_ACK_THREADS, thread_name_prefix="after-ack"))
    maps: VersionedCache = field(default_factory=VersionedCache)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    def close(self) -> None:
        self.after_ack.shutdown(wait=True)
        self.db.dispose()
