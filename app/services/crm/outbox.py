"""The CRM push outbox (issue 13), shared by every CRM: rows written with the change, claimed one process at a
time, and what became of each delivery.

`queue_push` is the one hook a service calls when it changes something a CRM may want (a touch logged in
Slack, a stakeholder type or roles set in Slack, a departure): in the same transaction, one row per CRM the
contact is linked to, when CRM_PUSH switches that kind on (the session knows: app.platform.db). The deliverer
of each CRM (app.jobs.crm_push runs them) takes due rows with `claim`, which returns a `PushItem` — all it
needs to send, read now — and reports a `Delivery` to `record`. A row whose answer was lost is `uncertain`:
its item says so (`look_first`), and the deliverer looks for it in the CRM before sending it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from app.core.crm import ROLES_CONFIG_KEY, role_map
from app.core.domain import ContactStatus, Sentiment, StakeholderType, TouchKind
from app.core.models import Account, Contact, ContactChange, ContactRole, CrmLink, CrmOutbox, Touch, Workspace
from app.core.outbox import (
    LOOK_AFTER,
    MAX_ATTEMPTS,
    PUSH_INFO,
    PushKind,
    PushStatus,
    marker,
    next_attempt,
)
from app.platform.claims import CLAIM_LEASE, ERROR_MAX
from app.platform.db import insert_if_absent

CONTACT, COMPANY = "contact", "company"  # crm_link.object


# --- written with the change ---------------------------------------------------------------------------


def queue_push(session: Session, kind: PushKind, contact: Contact, now: datetime, touch: Touch | None = None) -> int:
    """Queue `kind` for every CRM the contact is linked to, when CRM_PUSH switches it on; returns rows queued.
    A touch is queued once (its id); a contact's type/roles or departure once per change (the history row it
    wrote), and not at all while an untried row for the same contact and kind waits (that row sends the
    contact's state when it is delivered)."""
    if kind not in session.info.get(PUSH_INFO, ()):
        return 0
    crms = session.scalars(select(CrmLink.crm).where(
        CrmLink.team_id == contact.team_id, CrmLink.object == CONTACT, CrmLink.contact_id == contact.id,
        CrmLink.removed_at.is_(None))).all()
    if not crms:
        return 0
    session.flush()  # the touch's id, the history row's id
    if touch is not None:
        object_id, revision = touch.id, 0
    else:
        object_id = contact.id
        revision = session.scalar(select(func.max(ContactChange.id)).where(ContactChange.contact_id == contact.id)) or 0
    queued = 0
    for crm in sorted(set(crms)):
        if touch is None and _waiting(session, contact, crm, kind):
            continue
        queued += insert_if_absent(session, CrmOutbox, {
            "team_id": contact.team_id, "crm": crm, "kind": kind, "object_id": object_id, "revision": revision,
            "account_id": contact.account_id, "contact_id": contact.id, "status": PushStatus.PENDING, "attempts": 0,
            "next_attempt_at": now, "created_at": now})
    return queued


def _waiting(session: Session, contact: Contact, crm: str, kind: PushKind) -> bool:
    query = select(CrmOutbox.id).where(
        CrmOutbox.team_id == contact.team_id, CrmOutbox.crm == crm, CrmOutbox.kind == kind,
        CrmOutbox.contact_id == contact.id, CrmOutbox.status == PushStatus.PENDING, CrmOutbox.attempts == 0)
    return session.scalar(query.limit(1)) is not None


# --- what a deliverer is handed, and what it answers ---------------------------------------------------


@dataclass(frozen=True)
class PushTouch:
    kind: TouchKind
    occurred_on: date
    notes: str | None
    sentiment_after: Sentiment | None


@dataclass(frozen=True)
class PushItem:
    """One claimed row, with what its CRM needs to send it (read when it was claimed)."""

    row_id: int
    team_id: str
    crm: str
    kind: PushKind
    marker: str  # written into what is created, so a lost answer can be found (app.core.outbox.marker)
    look_first: bool  # the last attempt's answer was lost: look in the CRM before sending again
    contact_external_id: str | None  # None: the contact is no longer linked (or the CRM removed it)
    company_external_id: str | None
    contact_name: str
    account_name: str
    touch: PushTouch | None = None
    types: frozenset[StakeholderType] = frozenset()  # primary type and every extra role, now
    left: bool = False  # the contact has left the company (no role is pushed then)
    role_table: dict[str, StakeholderType] = field(default_factory=dict)  # the workspace's CRM label → type


@dataclass(frozen=True)
class Delivery:
    """What became of one attempt: sent (with the CRM's id), to retry later, uncertain, or failed for good."""

    status: PushStatus
    external_id: str | None = None
    error: str | None = None

    @classmethod
    def sent(cls, external_id: str, note: str | None = None) -> Delivery:
        return cls(PushStatus.SENT, external_id, note)

    @classmethod
    def retry(cls, error: str) -> Delivery:
        return cls(PushStatus.PENDING, None, error)

    @classmethod
    def lost(cls, error: str) -> Delivery:
        return cls(PushStatus.UNCERTAIN, None, error)

    @classmethod
    def refused(cls, error: str) -> Delivery:
        return cls(PushStatus.FAILED, None, error)


# --- the deliverer's side -------------------------------------------------------------------------------


def due(session: Session, crm: str, now: datetime, limit: int = 50) -> list[CrmOutbox]:
    """Rows of that CRM to deliver now, oldest first: pending or uncertain ones whose time has come, and ones
    claimed by a process that stopped before recording an outcome (older than CLAIM_LEASE)."""
    ready = CrmOutbox.status.in_([PushStatus.PENDING, PushStatus.UNCERTAIN]) & (CrmOutbox.next_attempt_at <= now)
    abandoned = (CrmOutbox.status == PushStatus.SENDING) & (CrmOutbox.claimed_at < now - CLAIM_LEASE)
    query = select(CrmOutbox).where(CrmOutbox.crm == crm, or_(ready, abandoned)).order_by(CrmOutbox.id).limit(limit)
    return list(session.scalars(query))


def claim(session: Session, row: CrmOutbox, by: str, now: datetime) -> PushItem | None:
    """Take the row over (compare-and-set on its status and attempts, so exactly one process does) and read
    what to send; None when another process took it first (or what it pushes is gone: recorded failed)."""
    taken = session.execute(
        update(CrmOutbox).where(CrmOutbox.id == row.id, CrmOutbox.status == row.status,
                                CrmOutbox.attempts == row.attempts)
        .values(status=PushStatus.SENDING, claimed_by=by, claimed_at=now, attempts=row.attempts + 1)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return None
    look_first = row.status in (PushStatus.UNCERTAIN, PushStatus.SENDING)  # lost, or its process died mid-send
    item = _item(session, row, look_first)
    if item is None:
        record(session, row.id, Delivery.refused("what it pushes is no longer in stakemap"), now)
    return item


def _item(session: Session, row: CrmOutbox, look_first: bool) -> PushItem | None:
    contact = session.get(Contact, row.contact_id)
    account = session.get(Account, row.account_id)
    touch = session.get(Touch, row.object_id) if row.kind == PushKind.TOUCH else None
    if contact is None or account is None or (row.kind == PushKind.TOUCH and touch is None):
        return None
    links = {link.object: link.external_id for link in session.scalars(select(CrmLink).where(
        CrmLink.team_id == row.team_id, CrmLink.crm == row.crm, CrmLink.removed_at.is_(None),
        or_((CrmLink.object == CONTACT) & (CrmLink.contact_id == row.contact_id),
            (CrmLink.object == COMPANY) & (CrmLink.account_id == row.account_id))))}
    common = dict(row_id=row.id, team_id=row.team_id, crm=row.crm, kind=row.kind, marker=marker(row.team_id, row.id),
                  look_first=look_first, contact_external_id=links.get(CONTACT), company_external_id=links.get(COMPANY),
                  contact_name=contact.display_name, account_name=account.name)
    if touch is not None:
        return PushItem(**common, touch=PushTouch(touch.kind, touch.occurred_on, touch.notes, touch.sentiment_after))
    roles = session.scalars(select(ContactRole.type).where(ContactRole.contact_id == contact.id)).all()
    workspace = session.get(Workspace, row.team_id)
    return PushItem(**common, types=frozenset({contact.type, *roles}), left=contact.status == ContactStatus.LEFT,
                    role_table=role_map((workspace.config or {}).get(ROLES_CONFIG_KEY)))


def record(session: Session, row_id: int, delivery: Delivery, now: datetime) -> PushStatus:
    """Keep what became of the claimed row; a retry past MAX_ATTEMPTS is given up (failed, reason kept).
    Returns the status recorded."""
    row = session.get(CrmOutbox, row_id)
    status = delivery.status
    if status in (PushStatus.PENDING, PushStatus.UNCERTAIN) and row.attempts >= MAX_ATTEMPTS:
        status = PushStatus.FAILED
    values: dict = {"status": status, "error": delivery.error[:ERROR_MAX] if delivery.error else None}
    if status == PushStatus.SENT:
        values.update(external_id=delivery.external_id, sent_at=now)
    elif status == PushStatus.PENDING:
        values["next_attempt_at"] = next_attempt(row.attempts, now)
    elif status == PushStatus.UNCERTAIN:
        values["next_attempt_at"] = max(next_attempt(row.attempts, now), now + LOOK_AFTER)
    session.execute(update(CrmOutbox).where(CrmOutbox.id == row_id).values(**values)
                    .execution_options(synchronize_session=False))
    return status


def pushed_ids(session: Session, team_id: str, crm: str, external_ids: Iterable[str]) -> set[str]:
    """Which of these CRM ids stakemap itself created (sent rows' external_id): the pull skips them."""
    wanted = list(set(external_ids))
    if not wanted:
        return set()
    query = select(CrmOutbox.external_id).where(CrmOutbox.team_id == team_id, CrmOutbox.crm == crm,
                                                CrmOutbox.external_id.in_(wanted))
    return set(session.scalars(query))


def waiting_count(session: Session, team_id: str | None = None) -> dict[PushStatus, int]:
    """Rows per status (for the log and the CLI)."""
    query = select(CrmOutbox.status, func.count()).group_by(CrmOutbox.status)
    if team_id is not None:
        query = query.where(CrmOutbox.team_id == team_id)
    return {PushStatus(status): count for status, count in session.execute(query)}
