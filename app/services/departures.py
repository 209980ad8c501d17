"""A contact leaving the company: the status change (who and when, in history) and what it does to
coverage — the overall risk before and after, and the plan step the assessment now suggests."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.core.departures import Departure, next_step
from app.core.domain import ContactStatus
from app.core.models import Contact
from app.services.accounts import assess_account, get_account, touch_account
from app.services.channel_links import newest_channel
from app.services.contacts import get_contact
from app.services.history import apply_changes


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
        contact_type=contact.type, account_id=account.id, account_name=account.name,
        channel_id=newest_channel(session, team_id, account.id),
        owner_user_id=account.owner_user_id, risk_before=before.overall_risk, risk_after=after.overall_risk,
        next_step=next_step(after, contact.type), changed=changed, was_active=was_active,
    )
