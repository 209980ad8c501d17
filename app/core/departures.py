"""A contact's departure: what changed on the account, and which plan step to suggest."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.assessment import Assessment, Suggestion
from app.core.domain import Risk, StakeholderType

# Roles whose departure changes coverage enough to tell the account's channel at once.
KEY_ROLES = frozenset({StakeholderType.CHAMPION, StakeholderType.ECONOMIC_BUYER, StakeholderType.EXECUTIVE_SPONSOR})


@dataclass(frozen=True)
class Departure:
    contact_id: int
    contact_name: str
    contact_title: str | None
    contact_type: StakeholderType
    account_id: int
    account_name: str
    channel_id: str | None  # the account's channel, where the coverage change is posted
    owner_user_id: str | None  # told by DM when the account has no channel
    risk_before: Risk
    risk_after: Risk
    next_step: Suggestion | None
    changed: bool  # False when the contact had already left
    was_active: bool  # False for a known-but-not-engaged contact: it covered nothing

    @property
    def coverage_changed(self) -> bool:
        """An active champion, economic buyer or executive sponsor just left."""
        return self.changed and self.was_active and self.contact_type in KEY_ROLES


def next_step(assessment: Assessment, kind: StakeholderType) -> Suggestion | None:
    """The suggested plan step for the role that was lost, else the first suggestion there is."""
    for suggestion in assessment.suggestions:
        if suggestion.key.startswith(f"{kind.value}:"):
            return suggestion
    return assessment.suggestions[0] if assessment.suggestions else None
