"""Signals: a contact's Slack user left a linked channel, was deactivated, or changed title. Each is claimed
once in the CaptureSignal ledger (UNIQUE team, contact, kind, detail) before its DM goes to the account's
owner, so Slack's retries and a second replica never send it twice. A signal never changes a status: the
owner answers it (*Left the company* goes through the departure flow; *Update title* changes the title
and records it in history; *Still there* changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from app.core.domain import ContactStatus
from app.core.errors import NotFound
from app.core.models import (
    NAME_MAX,
    Account,
    AccountChannel,
    CaptureSignal,
    Contact,
    ContactChange,
    SlackUser,
    name_key,
)
from app.core.presence import Signal, SignalKind
from app.platform.db import insert_if_absent
from app.services.accounts import touch_account
from app.services.contacts import update_contact

ANSWERED = "That question was already answered."
TITLE_FIELD = "title"  # a title changed from a signal is kept in the contact's history under this field


@dataclass(frozen=True)
class SlackProfile:
    """What a user_change event says about a user (Slack's `user` object)."""

    user_id: str
    deleted: bool
    title: str | None


def left_channel(session: Session, team_id: str, user_id: str, channel_id: str, now: datetime) -> list[Signal]:
    """Signals for the contacts of the channel's account who are that Slack user (claimed, to send now)."""
    link = session.get(AccountChannel, (team_id, channel_id))
    if link is None:
        return []
    contacts = _watched(session, team_id, user_id).where(Contact.account_id == link.account_id)
    return [signal for contact in session.scalars(contacts)
            if (signal := _claim(session, contact, SignalKind.LEFT_CHANNEL, channel_id, now)) is not None]


def profile_changed(session: Session, profile: SlackProfile, team_id: str, now: datetime) -> list[Signal]:
    """Signals for every contact who is that Slack user: deactivated, or a title other than the map's.
    The cached profile (users.info's) follows what Slack said."""
    signals = []
    new_title = (profile.title or "").strip()[:NAME_MAX] or None
    for contact in session.scalars(_watched(session, team_id, profile.user_id)):
        if profile.deleted:
            signal = _claim(session, contact, SignalKind.DEACTIVATED, "", now)
        elif new_title and name_key(new_title) != name_key(contact.title):
            signal = _claim(session, contact, SignalKind.TITLE, new_title, now)
        else:
            signal = None
        if signal is not None:
            signals.append(signal)
    session.execute(update(SlackUser).where(SlackUser.team_id == team_id, SlackUser.user_id == profile.user_id)
                    .values(deleted=profile.deleted, title=new_title))
    return signals


def _watched(session: Session, team_id: str, user_id: str):
    """Contacts who are that Slack user and have not left (a signal about a departed contact says nothing)."""
    return (select(Contact).where(Contact.team_id == team_id, Contact.slack_user_id == user_id,
                                  Contact.status != ContactStatus.LEFT).order_by(Contact.id))


def _claim(session: Session, contact: Contact, kind: SignalKind, detail: str, now: datetime) -> Signal | None:
    """Record the signal in the ledger; None when it was already recorded (or the account has no owner to ask)."""
    account = session.get(Account, contact.account_id)
    if account is None or not account.owner_user_id:
        return None
    fresh = insert_if_absent(session, CaptureSignal, {
        "team_id": contact.team_id, "account_id": account.id, "contact_id": contact.id, "kind": kind.value,
        "detail": detail, "created_at": now,
    })
    if not fresh:
        return None
    row = session.scalar(select(CaptureSignal).where(
        CaptureSignal.team_id == contact.team_id, CaptureSignal.contact_id == contact.id,
        CaptureSignal.kind == kind.value, CaptureSignal.detail == detail))
    return _signal(row, contact, account)


def _signal(row: CaptureSignal, contact: Contact, account: Account) -> Signal:
    kind = SignalKind(row.kind)
    return Signal(
        id=row.id, kind=kind, contact_id=contact.id, contact_name=contact.display_name, contact_type=contact.type,
        account_id=account.id, account_name=account.name, owner_user_id=account.owner_user_id,
        channel_id=row.detail if kind == SignalKind.LEFT_CHANNEL else None,
        old_title=contact.title if kind == SignalKind.TITLE else None,
        new_title=row.detail if kind == SignalKind.TITLE else None,
    )


def mark_sent(session: Session, signal_id: int, now: datetime) -> None:
    session.execute(update(CaptureSignal).where(CaptureSignal.id == signal_id).values(sent_at=now))


def answer(session: Session, team_id: str, signal_id: int, by: str | None, now: datetime) -> Signal:
    """Record the owner's answer to a signal, once: NotFound when it is unknown here or already answered."""
    row = session.get(CaptureSignal, signal_id)
    if row is None or row.team_id != team_id:
        raise NotFound("That signal no longer exists.")
    claimed = session.execute(update(CaptureSignal).where(CaptureSignal.id == signal_id,
                                                          CaptureSignal.answered_at.is_(None))
                              .values(answered_at=now, answered_by=by))
    if claimed.rowcount != 1:
        raise NotFound(ANSWERED)
    contact = session.get(Contact, row.contact_id)
    account = session.get(Account, row.account_id)
    return _signal(row, contact, account)


def update_title(session: Session, team_id: str, signal: Signal, by: str | None, now: datetime) -> list[str]:
    """Give the contact the title Slack now shows, and keep the change in its history."""
    contact = session.get(Contact, signal.contact_id)
    account = session.get(Account, signal.account_id)
    if contact is None or contact.team_id != team_id or account is None:
        raise NotFound("That contact no longer exists.")
    old = contact.title
    changed = update_contact(session, account, contact, {"title": signal.new_title}, by, now)
    if changed:
        session.add(ContactChange(team_id=team_id, account_id=account.id, contact_id=contact.id, field=TITLE_FIELD,
                                  old_value=old, new_value=signal.new_title, changed_by=by, changed_at=now))
        touch_account(account, now)
    return changed
