"""The rules of logging a touch: with whom it may be logged, and what it changes about the contact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core.domain import ContactStatus
from app.core.errors import InvalidInput
from app.core.models import Account, Contact, Touch, TouchCreate


def new_touch(account: Account, contact: Contact, data: TouchCreate, by: str | None,
              now: datetime) -> tuple[Touch, dict[str, Any]]:
    """The touch to store and the contact's changes after it: the sentiment after it becomes the contact's,
    a placeholder becomes Active. InvalidInput {"contact_id"} when the contact has left the company."""
    if contact.status == ContactStatus.LEFT:
        raise InvalidInput({"contact_id": f"{contact.display_name} has left the company."})
    touch = Touch(**data.model_dump(), team_id=account.team_id, account_id=account.id, logged_by=by, created_at=now)
    changes: dict[str, Any] = {"status": ContactStatus.ACTIVE}
    if data.sentiment_after is not None:
        changes["sentiment"] = data.sentiment_after
    return touch, changes
