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
        """0 for C-level, growing downwards (the order the levels are declared in)."""
        return _SENIORITY[self]


_SENIORITY = {level: rank for rank, level in enumerate(Level)}  # computed once: listing an enum is slow


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


class Quadrant(StrEnum):
    """The Mendelow grid of influence × interest: how closely to manage a stakeholder."""

    MANAGE_CLOSELY = "Manage closely"
    KEEP_SATISFIED = "Keep satisfied"
    KEEP_INFORMED = "Keep informed"
    MONITOR = "Monitor"


def high_side(level: Influence) -> bool:
    """Medium falls on the high side of an axis (nearer the midline than High)."""
    return level != Influence.LOW


def quadrant_of(influence: Influence | None, interest: Influence | None) -> Quadrant | None:
    """The Mendelow quadrant; None when either rating is missing (the contact is 'not rated').

    The one rule the chart's grid and the engagement strategy both use.
    """
    if influence is None or interest is None:
        return None
    powerful, interested = high_side(influence), high_side(interest)
    if powerful:
        return Quadrant.MANAGE_CLOSELY if interested else Quadrant.KEEP_SATISFIED
    return Quadrant.KEEP_INFORMED if interested else Quadrant.MONITOR


class Cadence(Labelled):
    """How often a contact's engagement strategy promises a touch (its staleness window once accepted)."""

    WEEKLY = "weekly", "Weekly"
    EVERY_2_WEEKS = "every_2_weeks", "Every 2 weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    TWICE_A_YEAR = "twice_a_year", "Twice a year"
    NONE = "none", "No fixed cadence"

    @property
    def days(self) -> int | None:
        return CADENCE_DAYS[self.value]


# A cadence's window in days: the longest calendar interval of its period, so a meeting held on the same
# date every month (quarter, half year) is never late: a month is at most 31 days, a quarter 92 (Jul–Sep),
# half a year 184 (Jul–Dec). Plain {value: days} so a SQL ranking can use it in a CASE over the column;
# "none" has no window (never stale).
CADENCE_DAYS: dict[str, int | None] = {
    "weekly": 7, "every_2_weeks": 14, "monthly": 31, "quarterly": 92, "twice_a_year": 184, "none": None,
}


class StrategyOrigin(Labelled):
    """Where a contact's stored strategy came from; a contact without one is shown the table's proposal."""

    ACCEPTED = "accepted", "Accepted proposal"
    OWN = "own", "CSM's own"


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
    "Cadence": {
        "weekly": ("everyweek", "1w", "7"),
        "every_2_weeks": ("biweekly", "fortnightly", "every2weeks", "everytwoweeks", "2w", "14"),
        "monthly": ("everymonth", "1m"),
        "quarterly": ("everyquarter", "3m"),
        "twice_a_year": ("twiceayear", "semiannually", "biannually", "every6months", "6m"),
        "none": ("nofixedcadence", "never", "adhoc", "no"),
    },
    "StrategyOrigin": {
        "accepted": ("acceptedproposal",),
        "own": ("csmsown", "custom", "edited"),
    },
}
