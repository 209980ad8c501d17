"""A contact leaving the company: the status change (who and when, in history), what it does to
coverage — the overall risk before and after, and the plan step the assessment now suggests — and
where the coverage change is to be told.

The one entry point for a surface is `leave_company` (record, then decide where to tell); a path that
saves other changes in the same transaction (the contact modal, app/services/contact_form.py) calls
`contact_left` there and `announcement` after its commit. Posting is the caller's (handlers.common.departures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.core.departures import Departure, next_step
from app.core.domain import ContactStatus
from app.core.models import Contact
from app.core.outbox import PushKind
from app.platform.db import Database
from app.services.accounts import assess_account, get_account, touch_account
from app.services.channel_links import newest_channel
from app.services.channels import AskSlack, is_shared
from app.services.contacts import get_contact
from app.services.crm.outbox import queue_push
from app.services.history import apply_changes


def mark_left(session: Session, contact: Contact, by: str | None, now: datetime) -> bool:
    """Set the status to Left the company, kept in history with who and when; False when it already was."""
    changed = apply_changes(session, contact, {"status": ContactStatus.LEFT}, by, now)
    if changed:
        touch_account(get_account(session, contact.team_id, contact.account_id), now)
        queue_push(session, PushKind.LEFT, contact, now)
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


@dataclass(frozen=True)
class Announcement:
    """Where a coverage change is told: in `channel_id` when that is an internal channel (None when the
    account has none, or it is shared with another organisation, or Slack does not say), else — or when
    that post fails — to `owner_user_id` by direct message."""

    departure: Departure
    channel_id: str | None
    owner_user_id: str | None
    channel_shared: bool  # the account has a channel, but nothing internal may be posted in it


@dataclass(frozen=True)
class Departed:
    """A recorded departure and, when an active key role left, where to tell it (else None)."""

    departure: Departure
    announcement: Announcement | None


def announcement(db: Database, team_id: str, departure: Departure, ask: AskSlack, now: datetime) -> Announcement | None:
    """Where to tell the departure: None unless coverage changed (app/services/channels.py decides whether
    the account's channel may be posted in; `ask` asks Slack when that is not known yet)."""
    if not departure.coverage_changed:
        return None
    shared = departure.channel_id is not None and is_shared(db, team_id, departure.channel_id, ask, now)
    return Announcement(departure, None if shared else departure.channel_id, departure.owner_user_id, shared)


def leave_company(db: Database, team_id: str, contact_id: int, by: str | None, now: datetime,
                  ask: AskSlack) -> Departed:
    """Record that the contact left the company (committed) and decide where to tell it.
    NotFound in another workspace; a second call for the same contact changes nothing and tells nobody."""
    with db.session() as session:
        departure = contact_left(session, team_id, contact_id, by, now)
    return Departed(departure, announcement(db, team_id, departure, ask, now))
