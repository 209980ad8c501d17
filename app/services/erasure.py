"""Erasing a person's personal data on request (SPEC §6), keeping anonymous counts.

The contact row stays, as "Erased contact", with what is not about the person as an individual:
stakeholder type, level, department, influence, interest, relationship, sentiment, status and the
reports-to line, so coverage, breadth, depth and every count stay what they were. Gone for good:
name, title, e-mail, notes and objectives; the notes and sentiment of every touch with them (each
touch keeps its date and kind; a captured touch also loses its message count and channel); their Slack user
id, what users.info said about them, their capture suggestions and the titles their signals noted; the old and new values of their history (each change keeps what
field changed, who changed it and when); the texts of plan steps aimed at them. An Erasure row
records that it happened, who asked and when, and never what was erased.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlmodel import Session

from app.core.domain import StakeholderType
from app.core.errors import Forbidden, StakemapError
from app.core.models import (
    Account,
    CaptureSignal,
    CaptureSuggestion,
    Contact,
    ContactChange,
    Erasure,
    PlanStep,
    SlackUser,
    Touch,
)
from app.core.presence import SignalKind
from app.platform.runtime import Runtime
from app.services.accounts import touch_account
from app.services.contacts import MayManage, contact_on_account

ERASED_NAME = "Erased contact"
ERASED_TEXT = "(erased)"


def erased_key(contact_id: int) -> str:
    """A name key no typed name produces, unique per contact (several erased people per account)."""
    return f"!erased:{contact_id}"


ERASE_REFUSED = "Only the account's owner or a workspace admin can erase a person's data."


def erasure_of(session: Session, contact: Contact) -> Erasure | None:
    return session.scalar(select(Erasure).where(Erasure.contact_id == contact.id))


def forget_contact(session: Session, account: Account, contact: Contact, by: str, now: datetime) -> Erasure:
    """Erase the contact's personal data and record the erasure; a second erasure is refused."""
    if erasure_of(session, contact) is not None:
        raise StakemapError("That contact's personal data was already erased.")
    contact.name, contact.name_key = ERASED_NAME, erased_key(contact.id)
    contact.title = contact.email = contact.notes = contact.objectives = None
    if contact.strategy_approach:  # the approach may name the person; the cadence and channel stay
        contact.strategy_approach = "(erased)"
    contact.updated_at = now
    _forget_slack_user(session, contact)
    touches = _erase(session, update(Touch).where(Touch.contact_id == contact.id)
                     .values(notes=None, sentiment_after=None, capture_messages=None, capture_channel_id=None))
    changes = _erase(session, update(ContactChange).where(ContactChange.contact_id == contact.id)
                     .values(old_value=None, new_value=None))
    steps = _erase(session, update(PlanStep).where(PlanStep.contact_id == contact.id)
                   .values(target_role=None, path=ERASED_TEXT, first_action=ERASED_TEXT))
    touch_account(account, now)
    erasure = Erasure(team_id=account.team_id, account_id=account.id, contact_id=contact.id, erased_by=by[:64],
                      erased_at=now, touches=touches, changes=changes, plan_steps=steps)
    session.add(erasure)
    session.flush()
    return erasure


def _forget_slack_user(session: Session, contact: Contact) -> None:
    """Capture's data about the person: their Slack user id on the contact, what users.info said about them
    (slack_user), their suggestions on every account and the titles their signals recorded. A message they
    write later is a new suggestion."""
    session.execute(delete(CaptureSignal).where(CaptureSignal.contact_id == contact.id,
                                                CaptureSignal.kind == SignalKind.TITLE.value))
    user_id, contact.slack_user_id = contact.slack_user_id, None
    if not user_id:
        return
    session.execute(delete(SlackUser).where(SlackUser.team_id == contact.team_id, SlackUser.user_id == user_id))
    session.execute(delete(CaptureSuggestion).where(CaptureSuggestion.team_id == contact.team_id,
                                                    CaptureSuggestion.slack_user_id == user_id))


def _erase(session: Session, statement) -> int:
    return session.execute(statement, execution_options={"synchronize_session": False}).rowcount or 0


def erasure_choice(runtime: Runtime, team_id: str, account_id: int, contact_id: int) -> tuple[Account, Contact, bool]:
    """The person picked in the forget modal, their account, and whether their data was erased already;
    NotFound when they are not on the account."""
    with runtime.db.reading() as session:
        account, contact = contact_on_account(session, team_id, account_id, contact_id)
        return account, contact, erasure_of(session, contact) is not None


def forget_person(runtime: Runtime, team_id: str, account_id: int, contact_id: int, by: str,
                  may_manage: MayManage) -> tuple[Account, StakeholderType]:
    """The confirmed erasure (forget_contact), when `may_manage(account)` (else Forbidden); the account and the
    erased person's stakeholder type."""
    with runtime.db.session() as session:
        account, contact = contact_on_account(session, team_id, account_id, contact_id)
        if not may_manage(account):
            raise Forbidden(ERASE_REFUSED)
        forget_contact(session, account, contact, by, runtime.now())
        return account, contact.type
