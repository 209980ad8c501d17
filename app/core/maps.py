"""What the map of one account shows: its assessment and the trends of its contacts; and what a request
for a map by name gets."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.assessment import Assessment
from app.core.presence import ChannelPulse, SeenList
from app.core.trends import Trends


@dataclass(frozen=True)
class AccountMap:
    """What a map shows: the account's assessment, the trends of its contacts, its linked channels."""

    assessment: Assessment
    trends: Trends
    channels: tuple[ChannelPulse, ...] = ()  # linked channels: the customer's last message, going dark
    seen: SeenList = field(default_factory=SeenList)  # "Seen in Slack, not on the map"

    @property
    def account_id(self) -> int:
        return self.assessment.account.id


@dataclass(frozen=True)
class MapAnswer:
    """What `/stakemap <account>` shows: the rendered map, and whether only the caller may see it (a channel
    shared with another organisation, or one Slack says nothing about); or, for an unknown name, the
    names of the accounts that look like it."""

    name: str
    map: object | None = None
    private: bool = False
    matches: tuple[str, ...] = ()
