"""The contact modal's save: add a contact, or apply what the user changed — where the status set to
Left the company is a departure (app/services/departures.py), told after the commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.core.departures import Departure
from app.core.domain import ContactStatus, StakeholderType
from app.core.models import STRATEGY_FIELDS, ContactCreate
from app.platform.runtime import Runtime
from app.services.accounts import get_account
from app.services.contacts import add_contact, contact_on_account, update_contact
from app.services.departures import contact_left
from app.services.roles import replace_roles
from app.services.suggestions import settle_added

# The strategy inputs of the modal: editing any of them makes the whole strategy the CSM's own.
STRATEGY_INPUTS = ("strategy_approach", "strategy_cadence", "strategy_channel")


@dataclass(frozen=True)
class ContactSaved:
    contact_name: str
    account_name: str
    added: bool
    changed: list[str]  # the fields an edit changed (empty when nothing did)
    departure: Departure | None  # the edit set the status to Left the company


def save_contact(runtime: Runtime, team_id: str, account_id: int, contact_id: int | None, data: ContactCreate,
                 edited: Iterable[str], by: str | None, slack_user_id: str | None = None,
                 also: set[StakeholderType] | None = None) -> ContactSaved:
    """Add the contact (`contact_id` None), or save the `edited` fields of `data` on it. NotFound when the
    account or contact is gone (or another workspace's); InvalidInput for a duplicate or a bad manager.
    A contact added from "Seen in Slack" keeps the person's `slack_user_id` and is no longer suggested.
    `also`: the roles it holds besides its type, as the modal's "Also" says (None: the modal had no such input).
    One unit of work."""
    with runtime.db.session() as session:
        return _save_contact(session, team_id, account_id, contact_id, data, edited, by, runtime.now(), slack_user_id,
                             also)


def _save_contact(session: Session, team_id: str, account_id: int, contact_id: int | None, data: ContactCreate,
                  edited: Iterable[str], by: str | None, now: datetime, slack_user_id: str | None,
                  also: set[StakeholderType] | None) -> ContactSaved:
    if contact_id is None:
        account = get_account(session, team_id, account_id)
        data.slack_user_id = slack_user_id
        contact = add_contact(session, account, data, by, now)
        settle_added(session, contact, now)
        if also is not None:
            replace_roles(session, contact, also, by, now)
        return ContactSaved(contact.display_name, account.name, True, [], None)
    account, contact = contact_on_account(session, team_id, account_id, contact_id)
    changes = {name: getattr(data, name) for name in edited if name in ContactCreate.model_fields}
    if any(name in changes for name in STRATEGY_INPUTS):
        changes.update({name: getattr(data, name) for name in STRATEGY_FIELDS})
    departure = None
    if changes.get("status") == ContactStatus.LEFT:
        departure = contact_left(session, team_id, contact.id, by, now)
    changed = update_contact(session, account, contact, changes, by, now)
    if also is not None and replace_roles(session, contact, also, by, now):
        changed = [*changed, "roles"]
    if departure is not None and departure.changed:
        changed = ["status", *changed]
    return ContactSaved(contact.display_name, account.name, False, changed, departure)
