"""The vocabulary of the method (seeds 000 and 001): stakeholder types, levels, relationship, sentiment.

Every enum stores a stable snake_case value and shows a human label. The tables here are the only
place the method's constants live; the assessment, the modals and the importers all read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Labelled(StrEnum):
    """A StrEnum whose members carry a display label; parse() accepts value or label, any case."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, text: str | None):
        key = _key(text)
        for member in cls:
            if key in (_key(member.value), _key(member.label)) or key in _ALIASES.get(cls.__name__, {}).get(
                member.value, ()
            ):
                return member
        raise ValueError(f"'{text}' is not one of: {', '.join(m.label for m in cls)}")


def _key(text: str | None) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


class Risk(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.capitalize()


class Priority(StrEnum):
    CRITICAL = "Critical"
    HIGH = "High"
    MEDIUM = "Medium"
    VARIES = "Varies"


class StakeholderType(Labelled):
    CHAMPION = "champion", "Champion"
    ECONOMIC_BUYER = "economic_buyer", "Economic Buyer"
    DECISION_MAKER = "decision_maker", "Decision Maker"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive Sponsor"
    DETRACTOR = "detractor", "Detractor"
    TECHNICAL_LEAD = "technical_lead", "Technical Lead"
    END_USER_CHAMPION = "end_user_champion", "End User Champion"
    INFLUENCER = "influencer", "Influencer"
    GATEKEEPER = "gatekeeper", "Gatekeeper"

    @property
    def profile(self) -> TypeProfile:
        return TYPE_PROFILES[self]


@dataclass(frozen=True)
class TypeProfile:
    priority: Priority
    priority_note: str  # the seed's wording after the priority ("always engaged")
    window_days: int  # default staleness window
    rank: int  # order on the map and in nudges: lower first


TYPE_PROFILES: dict[StakeholderType, TypeProfile] = {
    StakeholderType.CHAMPION: TypeProfile(Priority.CRITICAL, "always engaged", 30, 0),
    StakeholderType.ECONOMIC_BUYER: TypeProfile(Priority.CRITICAL, "engage before renewal", 60, 1),
    StakeholderType.DECISION_MAKER: TypeProfile(
        Priority.HIGH, "at least one touchpoint before any commercial conversation", 90, 2
    ),
    StakeholderType.EXECUTIVE_SPONSOR: TypeProfile(Priority.HIGH, "quarterly engagement minimum", 90, 3),
    StakeholderType.DETRACTOR: TypeProfile(Priority.HIGH, "engage deliberately", 45, 4),
    StakeholderType.TECHNICAL_LEAD: TypeProfile(Priority.MEDIUM, "engage on product-related topics", 45, 5),
    StakeholderType.END_USER_CHAMPION: TypeProfile(Priority.MEDIUM, "recognise and support", 60, 6),
    StakeholderType.INFLUENCER: TypeProfile(Priority.VARIES, "identify and monitor", 90, 7),
    StakeholderType.GATEKEEPER: TypeProfile(Priority.VARIES, "identify and monitor", 90, 8),
}

# An economic buyer must also be touched at least once in this many days before a renewal.
RENEWAL_LOOKBACK_DAYS = 90


class Level(Labelled):
    C_LEVEL = "c_level", "C-level"
    VP = "vp", "VP"
    DIRECTOR = "director", "Director"
    MANAGER = "manager", "Manager"
    INDIVIDUAL = "individual", "Individual contributor"

    @property
    def seniority(self) -> int:
        return list(Level).index(self)


class Influence(Labelled):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Relationship(Labelled):
    STRONG = "strong", "Strong"
    ADEQUATE = "adequate", "Adequate"
    WEAK = "weak", "Weak"
    NONE = "none", "None"


class Sentiment(Labelled):
    ADVOCATE = "advocate", "Advocate"
    SUPPORTIVE = "supportive", "Supportive"
    NEUTRAL = "neutral", "Neutral"
    SKEPTICAL = "skeptical", "Skeptical"
    DETRACTOR = "detractor", "Detractor"


class ContactStatus(Labelled):
    ACTIVE = "active", "Active"
    NOT_ENGAGED = "not_engaged", "Known but not engaged"
    LEFT = "left", "Left the company"


class TouchKind(Labelled):
    CALL = "call", "call"
    MEETING = "meeting", "meeting"
    EMAIL = "email", "email"
    QBR = "qbr", "QBR"
    CHAT = "chat", "Slack/chat"
    EVENT = "event", "event"
    OTHER = "other", "other"


class PlanTimeline(Labelled):
    THIS_WEEK = "this_week", "This week"
    THIS_MONTH = "this_month", "This month"
    THIS_QUARTER = "this_quarter", "This quarter"
    DATE = "date", "By a date"


class PlanStatus(Labelled):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class DeliveryStatus(Labelled):
    """Where one CSM's weekly digest stands in the ledger."""

    SENDING = "sending", "being sent"
    SENT = "sent", "sent"
    FAILED = "failed", "failed, retried on the next run"
    UNCERTAIN = "uncertain", "Slack's answer was lost; the DM is checked before any new attempt"
    EMPTY = "empty", "nothing stale, no DM"
    UNDELIVERABLE = "undeliverable", "Slack refused the recipient"


# Words people and CRMs use for the same thing; keys are Labelled._key() forms.
_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "StakeholderType": {
        "economic_buyer": ("eb", "budgetholder", "buyer"),
        "decision_maker": ("dm", "decisionmakers"),
        "executive_sponsor": ("sponsor", "execsponsor", "executive"),
        "technical_lead": ("techlead", "technical", "implementationlead"),
        "end_user_champion": ("enduser", "poweruser", "user", "potentialuser", "endusers"),
        "influencer": ("influencers",),
        "gatekeeper": ("gatekeepers",),
    },
    "Level": {
        "c_level": ("c", "clevel", "csuite", "executive", "cxo"),
        "vp": ("vicepresident", "svp", "evp"),
        "individual": ("ic", "individualcontributor", "staff"),
    },
    "ContactStatus": {
        "not_engaged": ("knownbutnotengaged", "notengaged", "known"),
        "left": ("departed", "leftthecompany", "left"),
    },
    "TouchKind": {
        "chat": ("slack", "slackchat", "im", "message"),
        "meeting": ("meet",),
        "event": ("conference", "webinar"),
        "qbr": ("ebr", "businessreview"),
    },
}
