"""A contact leaving the company: the status change (who and when, in history) and what it does to
coverage — the overall risk before and after, and the plan step the assessment now suggests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.core.assessment import Assessment, Suggestion
from app.core.domain import ContactStatus, Risk, StakeholderType
from app.core.models import Contact
from app.services.accounts import assess_account, get_account, touch_account
from app.services.contacts import get_contact
from app.services.history import apply_changes

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


def mark_left(session: Session, contact: Contact, by: str | None, now: datetime) -> bool:
    """Set the status to Left the company, kept in history with who and when; False when it already was."""
    changed = apply_changes(session, contact, {"status": ContactStatus.LEFT}, by, now)
    if changed:
        touch_account(get_account(session, contact.team_id, contact.account_id), now)
    return bool(changed)


def contact_left(session: Session, team_id: str, contact_id: int, by: str | None, now: datetime) -> Departure:
    """Record that the contact left and assess the account before and after. NotFound in another workspace."""
    contact = get_contact(session, team_id, contact_id)
    account = get_account(session, team_id, contact.account_id)
    today = now.date()
    before = assess_account(session, account, today)
    was_active = contact.status == ContactStatus.ACTIVE
    changed = mark_left(session, contact, by, now)
    session.flush()
    after = assess_account(session, account, today)
    return Departure(
        contact_id=contact.id, contact_name=contact.display_name, contact_title=contact.title if contact.name else None,
        contact_type=contact.type, account_id=account.id, account_name=account.name, channel_id=account.channel_id,
        owner_user_id=account.owner_user_id, risk_before=before.overall_risk, risk_after=after.overall_risk,
        next_step=next_step(after, contact.type), changed=changed, was_active=was_active,
    )


def next_step(assessment: Assessment, kind: StakeholderType) -> Suggestion | None:
    """The suggested plan step for the role that was lost, else the first suggestion there is."""
    for suggestion in assessment.suggestions:
        if suggestion.key.startswith(f"{kind.value}:"):
            return suggestion
    return assessment.suggestions[0] if assessment.suggestions else None
