"""What the map of one account shows: its assessment and the trends of its contacts."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.assessment import Assessment
from app.core.presence import ChannelPulse, SeenList
from app.core.trends import Trends


@dataclass(frozen=True)
class AccountMap:
    """What a map shows: the account's assessment and the trends of its contacts."""

    assessment: Assessment
    trends: Trends
    channels: tuple[ChannelPulse, ...] = ()  # linked channels: the customer's last message, going dark
    seen: SeenList = field(default_factory=SeenList)  # "Seen in Slack, not on the map"

    @property
    def account_id(self) -> int:
        return self.assessment.account.id
