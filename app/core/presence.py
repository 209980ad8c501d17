"""What Slack Connect says about an account's people beyond its touches: who was seen there but is not on
the map (suggestions), which linked channel went quiet (going dark), and what a contact's Slack user did
that the owner should hear about at once (signals). Pure values and rules; app/services reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from app.core.domain import StakeholderType

# Going dark: a channel with at least ACTIVE_MESSAGES customer messages in the ACTIVE_WINDOW_DAYS days up to
# its last one, and none for QUIET_AFTER_DAYS days since, is quiet.
ACTIVE_MESSAGES = 3
ACTIVE_WINDOW_DAYS = 30
QUIET_AFTER_DAYS = 14
SHOWN_SUGGESTIONS = 5  # "Seen in Slack, not on the map": the top few by messages, then "+N more"


def quiet_days(last_message_on: date | None, messages_before: int, today: date) -> int | None:
    """Days since the customer's last message when the channel went quiet after being active, else None."""
    if last_message_on is None or messages_before < ACTIVE_MESSAGES:
        return None
    days = (today - last_message_on).days
    return days if days >= QUIET_AFTER_DAYS else None


def window_start(last_message_on: date) -> date:
    """The first day of the 30-day window that ends on the last message (it counts whether the channel was active)."""
    return date.fromordinal(last_message_on.toordinal() - ACTIVE_WINDOW_DAYS + 1)


@dataclass(frozen=True)
class ChannelPulse:
    """One linked channel on the map: the customer's last message and, when it went dark, for how long."""

    channel_id: str
    last_message_on: date | None
    quiet_days: int | None = None


@dataclass(frozen=True)
class SeenPerson:
    """A customer member seen in a linked channel who matches no contact, with what Slack's profile says."""

    account_id: int
    account_name: str
    slack_user_id: str
    name: str | None
    title: str | None
    messages: int


@dataclass(frozen=True)
class SeenList:
    """The first few people to suggest (most messages first) and how many there are in all."""

    people: tuple[SeenPerson, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.people)


@dataclass(frozen=True)
class QuietAccount:
    """One of an owner's accounts whose linked channel went dark (the digest lists them)."""

    account_id: int
    account_name: str
    channel_id: str
    quiet_days: int


@dataclass(frozen=True)
class SlackNews:
    """What one owner's weekly digest adds from Slack Connect: people to add, accounts gone quiet."""

    seen: SeenList = field(default_factory=SeenList)
    quiet: tuple[QuietAccount, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.seen.total or self.quiet)


class SignalKind(StrEnum):
    """What a contact's Slack user did (the CaptureSignal ledger's `kind`)."""

    LEFT_CHANNEL = "left_channel"
    DEACTIVATED = "deactivated"
    TITLE = "title"


@dataclass(frozen=True)
class Signal:
    """One signal claimed in the ledger, with what its DM to the account's owner says."""

    id: int
    kind: SignalKind
    contact_id: int
    contact_name: str
    contact_type: StakeholderType
    account_id: int
    account_name: str
    owner_user_id: str
    channel_id: str | None = None  # the channel they left
    old_title: str | None = None  # a new title: the one on the map, and Slack's new one
    new_title: str | None = None

