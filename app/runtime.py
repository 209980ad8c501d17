"""What every listener, job and command needs: settings, the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.clock import Clock
from app.db import Database
from app.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()
