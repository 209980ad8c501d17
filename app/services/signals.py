"""Signals: a contact's Slack user left a linked channel, was deactivated, or changed title. Each is claimed
once in the CaptureSignal ledger (UNIQUE team, contact, kind, detail) before its DM goes to the account's
owner, so Slack's retries and a second replica never send it twice. A signal never changes a status: the
owner answers it (*Left the company* goes through the departure flow; *Update title* changes the title
and records it in history; *Still there* changes nothing).

Each DM's delivery is kept like the weekly digest's (app/jobs/ledger.py): claimed (`sending`), then recorded
sent (channel, ts), failed (Slack refused: error kept) or uncertain (Slack's answer was lost: it may be in the
DM). The scheduled pass (app/jobs/signal_pass.py) takes over failed, uncertain and abandoned rows one
process at a time, and gives up on a signal tried MAX_ATTEMPTS times or older than NEWS_FOR."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from app.core.domain import ContactStatus, DeliveryStatus
from app.core.errors import NotFound
from app.core.models import (
    NAME_MAX,
    Account,
    AccountChannel,
    CaptureSignal,
    Contact,
    SlackUser,
    name_key,
)
from app.core.presence import Signal, SignalKind
from app.platform.claims import CLAIM_LEASE, ERROR_MAX, claimer_id
from app.platform.db import insert_if_absent
from app.platform.runtime import Runtime
from app.services.contacts import update_contact

ANSWERED = "That question was already answered."
MAX_ATTEMPTS = 5  # DMs tried for one signal before it is given up
NEWS_FOR = timedelta(days=7)  # a signal older than this is no longer news: never sent late


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
        "detail": detail, "created_at": now, "status": DeliveryStatus.SENDING, "attempts": 1,
        "claimed_by": claimer_id(), "claimed_at": now,
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


def record(session: Session, signal_id: int, status: DeliveryStatus, *, now: datetime | None = None,
           channel_id: str | None = None, ts: str | None = None, error: str | None = None) -> None:
    """What became of a claimed signal's DM: sent (channel, ts), failed, uncertain or undeliverable."""
    values = dict(status=status, channel_id=channel_id, ts=ts, error=error[:ERROR_MAX] if error else None)
    if status == DeliveryStatus.SENT:
        values["sent_at"] = now
    session.execute(update(CaptureSignal).where(CaptureSignal.id == signal_id).values(**values)
                    .execution_options(synchronize_session=False))


def unsent(session: Session, team_id: str, now: datetime) -> list[CaptureSignal]:
    """The workspace's signals whose DM is not known to be delivered: failed, uncertain, or claimed by a
    process that stopped before recording (older than CLAIM_LEASE); unanswered ones only, oldest first."""
    retry = (CaptureSignal.status.in_([DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN])
             | ((CaptureSignal.status == DeliveryStatus.SENDING) & (CaptureSignal.claimed_at < now - CLAIM_LEASE)))
    query = (select(CaptureSignal).where(CaptureSignal.team_id == team_id, CaptureSignal.answered_at.is_(None), retry)
             .order_by(CaptureSignal.id))
    return list(session.scalars(query))


def past_news(row: CaptureSignal, now: datetime) -> bool:
    """Tried too often, or too old to be worth telling: the signal is given up."""
    return row.attempts >= MAX_ATTEMPTS or row.created_at < now - NEWS_FOR


def _taken_over(session: Session, row: CaptureSignal, values: dict) -> bool:
    """Compare-and-set on the row as it was read: True for exactly one of several processes at once."""
    statement = (update(CaptureSignal).where(CaptureSignal.id == row.id, CaptureSignal.status == row.status,
                                             CaptureSignal.attempts == row.attempts).values(**values)
                 .execution_options(synchronize_session=False))
    return session.execute(statement).rowcount == 1


def reclaim(session: Session, row: CaptureSignal, by: str, now: datetime) -> Signal | None:
    """Take over an unsent signal to DM it again; None when another process took it first (or its contact
    or account is gone)."""
    contact = session.get(Contact, row.contact_id)
    account = session.get(Account, row.account_id)
    if contact is None or account is None or not account.owner_user_id:
        return None
    values = dict(status=DeliveryStatus.SENDING, claimed_by=by, claimed_at=now, attempts=row.attempts + 1)
    return _signal(row, contact, account) if _taken_over(session, row, values) else None


def give_up(session: Session, row: CaptureSignal, reason: str) -> bool:
    """Record an unsent signal as undeliverable, keeping the reason; True for the one process that did."""
    return _taken_over(session, row, dict(status=DeliveryStatus.UNDELIVERABLE, error=reason[:ERROR_MAX]))


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
    return update_contact(session, account, contact, {"title": signal.new_title}, by, now)  # history: "title"


# --- the Slack events and the owner's answers, each in one unit of work ------------------------------


def on_left_channel(runtime: Runtime, team_id: str, user_id: str, channel_id: str) -> list[Signal]:
    """member_left_channel: left_channel's signals, claimed and committed before they are sent."""
    with runtime.db.session() as session:
        return left_channel(session, team_id, user_id, channel_id, runtime.now())


def on_profile_changed(runtime: Runtime, team_id: str, profile: SlackProfile) -> list[Signal]:
    """user_change: profile_changed's signals, claimed and committed before they are sent."""
    with runtime.db.session() as session:
        return profile_changed(session, profile, team_id, runtime.now())


def record_delivery(runtime: Runtime, signal_id: int, status: DeliveryStatus, **outcome) -> None:
    """record, committed now."""
    with runtime.db.session() as session:
        record(session, signal_id, status, now=runtime.now(), **outcome)


def record_answer(runtime: Runtime, team_id: str, signal_id: int, by: str | None) -> Signal:
    """answer, committed (before anything is done about it)."""
    with runtime.db.session() as session:
        return answer(session, team_id, signal_id, by, runtime.now())


def take_title(runtime: Runtime, team_id: str, signal: Signal, by: str | None) -> None:
    """The owner's *Update title*: update_title, committed."""
    with runtime.db.session() as session:
        update_title(session, team_id, signal, by, runtime.now())
