"""What the map of one account shows: its assessment and the trends of its contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.assessment import Assessment
from app.core.trends import Trends


@dataclass(frozen=True)
class LinkedChannel:
    """A channel linked to the account (`/stakemap link`), the newest link first on the map."""

    channel_id: str
    name: str | None = None
    last_customer_message_at: datetime | None = None


@dataclass(frozen=True)
class AccountMap:
    """What a map shows: the account's assessment, the trends of its contacts, its linked channels."""

    assessment: Assessment
    trends: Trends
    channels: tuple[LinkedChannel, ...] = ()

    @property
    def account_id(self) -> int:
        return self.assessment.account.id
