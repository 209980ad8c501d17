"""Engagement strategies: accepting the table's proposals (one person's, or every active contact's), and
the workspace's proposal table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from app.core.domain import ContactStatus, StrategyOrigin
from app.core.models import Contact, Workspace
from app.core.strategy import ProposalTable, own_strategy, proposal_for
from app.core.workspace_settings import table_of
from app.platform.runtime import Runtime
from app.services.accounts import get_account, touch_account
from app.services.contacts import get_contact
from app.services.history import apply_changes


def workspace_table(session: Session, team_id: str) -> ProposalTable:
    return table_of(session.get(Workspace, team_id))


def accept_proposals(session: Session, team_id: str, account_id: int, contact_id: int | None, by: str | None,
                     now: datetime) -> list[Contact]:
    """Store the proposal, as written, as the strategy of that contact (or, with None, of every active
    contact still on a proposal); kept in history. Returns the contacts that accepted one. NotFound when
    the account or contact is gone (or another workspace's)."""
    account = get_account(session, team_id, account_id)
    if contact_id is not None:
        waiting: Sequence[Contact] = [get_contact(session, account.team_id, contact_id, account.id)]
    else:
        query = select(Contact).where(Contact.team_id == account.team_id, Contact.account_id == account.id,
                                      Contact.status == ContactStatus.ACTIVE).order_by(Contact.id)
        waiting = list(session.scalars(query))
    table = workspace_table(session, account.team_id)
    accepted = []
    for contact in waiting:
        if own_strategy(contact) is not None:
            continue
        proposal = proposal_for(contact, table)
        apply_changes(session, contact, proposal.stored(StrategyOrigin.ACCEPTED), by, now)
        accepted.append(contact)
    if accepted:
        touch_account(account, now)
        session.flush()
    return accepted


def accept_strategy(runtime: Runtime, team_id: str, account_id: int, contact_id: int | None, by: str | None
                    ) -> list[Contact]:
    """The map's Accept button (accept_proposals), committed."""
    with runtime.db.session() as session:
        return accept_proposals(session, team_id, account_id, contact_id, by, runtime.now())
