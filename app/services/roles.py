"""A contact's extra stakeholder roles (besides its primary type): read, replaced, and kept in history.

Every change goes through `replace_roles`, which records it as one history row (field "roles", the old and
new sets of values), so a role set in Slack and a role that arrived from the CRM leave the same trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from app.core.domain import TYPE_PROFILES, StakeholderType
from app.core.models import ROLE_SOURCE_SLACK, Contact, ContactChange, ContactRole
from app.core.outbox import PushKind
from app.services.crm.outbox import queue_push

ROLES_FIELD = "roles"


def extra_roles(session: Session, contact: Contact) -> list[ContactRole]:
    query = select(ContactRole).where(ContactRole.team_id == contact.team_id, ContactRole.contact_id == contact.id)
    return list(session.scalars(query))


def roles_value(kinds: Iterable[StakeholderType]) -> str | None:
    """How a set of roles is written in history: values in the map's order, comma-separated; None when empty."""
    ordered = sorted(set(kinds), key=lambda kind: TYPE_PROFILES[kind].rank)
    return ",".join(kind.value for kind in ordered) or None


def roles_by_contact(session: Session, team_id: str, contact_ids: Iterable[int]) -> dict[int, list[ContactRole]]:
    """The extra roles of many contacts in one statement."""
    found: dict[int, list[ContactRole]] = {contact_id: [] for contact_id in contact_ids}
    query = select(ContactRole).where(ContactRole.team_id == team_id, ContactRole.contact_id.in_(list(found)))
    for role in session.scalars(query):
        found[role.contact_id].append(role)
    return found


def add_roles(session: Session, contact: Contact, kinds: Iterable[StakeholderType], source: str,
              now: datetime) -> None:
    """The extra roles of a contact being created (no history: the contact is new)."""
    session.add_all(ContactRole(team_id=contact.team_id, account_id=contact.account_id, contact_id=contact.id,
                                type=kind, source=source, created_at=now) for kind in set(kinds) - {contact.type})


def replace_roles(session: Session, contact: Contact, kinds: Iterable[StakeholderType], by: str | None,
                  now: datetime, source: str = ROLE_SOURCE_SLACK, only_source: bool = False,
                  held: list[ContactRole] | None = None) -> bool:
    """Make the contact's extra roles `kinds` (its primary type is never an extra role). With `only_source`,
    only the roles that source set are replaced and the others stay (a CRM sync leaves the CSM's roles alone).
    `held`: its roles when already read. Records the change in history; True when something changed."""
    held = extra_roles(session, contact) if held is None else held
    wanted = set(kinds)
    if only_source:
        wanted |= {role.type for role in held if role.source != source}
    wanted -= {contact.type}
    before = {role.type for role in held}
    if wanted == before:
        return False
    for role in held:
        if role.type not in wanted:
            session.delete(role)
    add_roles(session, contact, wanted - before, source, now)
    session.add(ContactChange(team_id=contact.team_id, account_id=contact.account_id, contact_id=contact.id,
                              field=ROLES_FIELD, old_value=roles_value(before), new_value=roles_value(wanted),
                              changed_by=by, changed_at=now))
    contact.updated_at = now
    if source == ROLE_SOURCE_SLACK:  # a CRM's own roles are not sent back to it
        queue_push(session, PushKind.ROLES, contact, now)
    return True
