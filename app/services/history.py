"""Contact history: every change to relationship, sentiment, type, status and the fields a CRM also feeds (name,
title, e-mail, department, reports-to), with who and when; accounts keep theirs for the CRM-fed fields too.

`apply_changes` is the one way a contact's fields change, so the history is complete; app.core.trends
reads it back as the short "Neutral → Skeptical since Mar 3" the map shows next to a contact.
`apply_account_changes` is the same for an account's CRM-fed fields. `own_changes` reads back when stakemap
itself (not a CRM sync) last changed each field: what a CRM pull weighs against the CRM's own change times.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum

from sqlalchemy import func, or_, select
from sqlmodel import Session

from app.core.crm import CRM_SOURCE_PREFIX
from app.core.models import (
    ACCOUNT_TRACKED_FIELDS,
    HISTORY_VALUE_MAX,
    TRACKED_FIELDS,
    Account,
    AccountChange,
    Contact,
    ContactChange,
)

CHUNK = 500  # ids per statement


def _value(value) -> str | None:
    return value.value if isinstance(value, Enum) else (None if value is None else str(value))


def _stored(value) -> str | None:
    """A value as the history keeps it (an amount with its two decimals, as stored; a long e-mail or title cut to the
    column's size)."""
    text = f"{value:.2f}" if isinstance(value, Decimal) else _value(value)
    return text[:HISTORY_VALUE_MAX] if text else text


def apply_changes(session: Session, contact: Contact, changes: dict, by: str | None, now: datetime) -> list[str]:
    """Set the changed fields on the contact, record tracked ones in history; returns what changed."""
    changed = []
    for field, new in changes.items():
        old = getattr(contact, field)
        if _value(old) == _value(new):
            continue
        setattr(contact, field, new)
        changed.append(field)
        if field in TRACKED_FIELDS:
            session.add(
                ContactChange(
                    team_id=contact.team_id, account_id=contact.account_id, contact_id=contact.id, field=field,
                    old_value=_stored(old), new_value=_stored(new), changed_by=by, changed_at=now,
                )
            )
    if changed:
        contact.updated_at = now
    return changed


def account_history(session: Session, team_id: str, account_id: int, since: date | None = None) -> list[ContactChange]:
    """Every recorded change to the account's contacts (since a day, when given), oldest first."""
    query = select(ContactChange).where(ContactChange.team_id == team_id, ContactChange.account_id == account_id)
    if since is not None:
        query = query.where(ContactChange.changed_at >= datetime.combine(since, time(), tzinfo=UTC))
    return list(session.scalars(query.order_by(ContactChange.changed_at, ContactChange.id)))


def apply_account_changes(session: Session, account: Account, changes: dict, by: str | None, now: datetime) -> list[str]:
    """Set the account's changed fields, record the CRM-fed ones (ACCOUNT_TRACKED_FIELDS); returns what changed.
    The caller marks the account's map as changed (accounts.touch_account) when anything did."""
    changed = []
    for field, new in changes.items():
        old = getattr(account, field)
        if old == new or _value(old) == _value(new):
            continue
        setattr(account, field, new)
        changed.append(field)
        if field in ACCOUNT_TRACKED_FIELDS:
            session.add(AccountChange(team_id=account.team_id, account_id=account.id, field=field,
                                      old_value=_stored(old), new_value=_stored(new), changed_by=by, changed_at=now))
    return changed


def own_changes(session: Session, team_id: str, table: type[ContactChange] | type[AccountChange], ids: Iterable[int],
                fields: Iterable[str]) -> dict[int, dict[str, datetime]]:
    """Per contact (ContactChange) or account (AccountChange) id: when stakemap itself — anyone but a CRM sync —
    last changed each of `fields`. Rows and fields it never changed are left out. One statement per 500 ids."""
    owner = table.contact_id if table is ContactChange else table.account_id
    wanted, fields = sorted(set(ids)), list(fields)
    found: dict[int, dict[str, datetime]] = {}
    for start in range(0, len(wanted), CHUNK):
        query = (select(owner, table.field, func.max(table.changed_at))
                 .where(table.team_id == team_id, owner.in_(wanted[start:start + CHUNK]), table.field.in_(fields),
                        or_(table.changed_by.is_(None), ~table.changed_by.startswith(CRM_SOURCE_PREFIX)))
                 .group_by(owner, table.field))
        for row_id, field, at in session.execute(query):
            found.setdefault(row_id, {})[field] = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite: naive
    return found
