"""The multi-threading plan: steps typed by a CSM or accepted from the assessment's suggestions."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.core.assessment import Suggestion
from app.core.domain import PlanStatus
from app.core.errors import NotFound
from app.core.format import truncate
from app.core.models import NAME_MAX, STEP_TEXT_MAX, Account, PlanStep, PlanStepCreate
from app.platform.runtime import Runtime
from app.services.accounts import assess_account, get_account, touch_account
from app.services.contacts import get_contact


def add_plan_step(session: Session, account: Account, data: PlanStepCreate, by: str | None, now: datetime) -> PlanStep:
    """Store an open step; its contact must be on this account (its date was checked by PlanStepCreate)."""
    if data.contact_id is not None:
        get_contact(session, account.team_id, data.contact_id, account.id)
    step = PlanStep(**data.model_dump(), team_id=account.team_id, account_id=account.id, created_at=now, created_by=by)
    session.add(step)
    touch_account(account, now)
    session.flush()
    return step


def plan_step(runtime: Runtime, team_id: str, account_id: int, data: PlanStepCreate, by: str | None) -> Account:
    """The plan-step modal's save (add_plan_step to that account), committed; the account."""
    with runtime.db.session() as session:
        account = get_account(session, team_id, account_id)
        add_plan_step(session, account, data, by, runtime.now())
        return account


def from_suggestion(suggestion: Suggestion, owner_user_id: str | None) -> PlanStepCreate:
    return PlanStepCreate(
        contact_id=suggestion.contact_id,
        target_role=truncate(suggestion.target_role, NAME_MAX) if suggestion.target_role else None,
        path=truncate(suggestion.path, STEP_TEXT_MAX),
        first_action=truncate(suggestion.first_action, STEP_TEXT_MAX),
        timeline=suggestion.timeline,
        owner_user_id=owner_user_id,
    )


def accept_suggestion(runtime: Runtime, team_id: str, account_id: int, key: str, by: str | None) -> PlanStep | None:
    """Add the assessment's suggestion `key` to the plan, committed; None when it is no longer suggested
    (already planned). NotFound when the account is gone (or another workspace's)."""
    now = runtime.now()
    with runtime.db.session() as session:
        account = get_account(session, team_id, account_id)
        session.refresh(account, with_for_update=True)  # two clicks at once add it once
        suggestions = assess_account(session, account, now.date()).suggestions
        suggestion = next((s for s in suggestions if s.key == key), None)
        if suggestion is None:
            return None
        return add_plan_step(session, account, from_suggestion(suggestion, by), by, now)


def complete_step(runtime: Runtime, team_id: str, step_id: int, by: str | None) -> PlanStep:
    """Mark a step done, committed (again: nothing changes)."""
    now = runtime.now()
    with runtime.db.session() as session:
        step = session.get(PlanStep, step_id)
        if step is None or step.team_id != team_id:
            raise NotFound("That plan step no longer exists.")
        if step.status != PlanStatus.DONE:
            step.status, step.done_at, step.done_by = PlanStatus.DONE, now, by
            touch_account(session.get(Account, step.account_id), now)
        return step
