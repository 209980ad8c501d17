"""What each modal opens with: its account, the contacts its picker offers and what it is prefilled with.
One call per modal, one read of the database; NotFound when the account or contact is gone (or another
workspace's). `shown` is how many contacts a picker asks for (blocks/ knows how many it can show).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.core.domain import StakeholderType
from app.core.errors import NotFound
from app.core.models import Account, Contact
from app.core.strategy import Strategy, strategy_of
from app.platform.runtime import Runtime
from app.services.accounts import get_account
from app.services.channel_links import linked_account
from app.services.contacts import get_contact, picker_contacts
from app.services.roles import extra_roles
from app.services.strategies import workspace_table
from app.services.suggestions import ContactDraft, draft_for


@dataclass(frozen=True)
class ContactForm:
    """The contact modal: empty to add someone, prefilled with `contact` (its manager and strategy), or with
    the `draft` of someone seen in Slack."""

    account: Account
    colleagues: list[Contact]  # whom they may report to
    contact: Contact | None = None
    manager: Contact | None = None
    strategy: Strategy | None = None
    draft: ContactDraft | None = None
    also: tuple[StakeholderType, ...] = ()  # the contact's roles besides its type


@dataclass(frozen=True)
class PickForm:
    """A modal about one contact of the account: `contact` when it is known, else the picker's `contacts`."""

    account: Account
    contacts: list[Contact]
    contact: Contact | None = None


@dataclass(frozen=True)
class PlanForm:
    """The plan-step modal; for one `target` person, their strategy and objectives to prefill it."""

    account: Account
    contacts: list[Contact]
    target: Contact | None = None
    strategy: Strategy | None = None


def _account_and_contact(session: Session, team_id: str, account_id: int | None,
                         contact_id: int | None) -> tuple[Account, Contact | None]:
    """The account (the contact's own when `account_id` is None) and the contact, when one is named."""
    contact = get_contact(session, team_id, contact_id, account_id) if contact_id is not None else None
    account = get_account(session, team_id, contact.account_id if contact else account_id or 0)
    return account, contact


def contact_form(runtime: Runtime, team_id: str, account_id: int | None, contact_id: int | None = None, *,
                 shown: int, slack_user_id: str | None = None) -> ContactForm:
    """To add someone seen in Slack (`slack_user_id`), NotFound when they are no longer suggested."""
    with runtime.db.reading() as session:
        if slack_user_id is not None:
            account, draft = draft_for(session, team_id, account_id or 0, slack_user_id)
            return ContactForm(account, picker_contacts(session, team_id, account.id, include_left=True, limit=shown),
                               draft=draft)
        account, contact = _account_and_contact(session, team_id, account_id, contact_id)
        colleagues = picker_contacts(session, team_id, account.id, include_left=True, besides=contact_id,
                                     limit=shown)
        if contact is None:
            return ContactForm(account, colleagues)
        manager = get_contact(session, team_id, contact.reports_to_id) if contact.reports_to_id else None
        return ContactForm(account, colleagues, contact, manager, strategy_of(contact, workspace_table(session, team_id)),
                           also=tuple(role.type for role in extra_roles(session, contact)))


def touch_form(runtime: Runtime, team_id: str, account_id: int | None, contact_id: int | None = None, *,
               shown: int) -> PickForm:
    """The touch modal: the account's current contacts, `contact_id` preselected."""
    with runtime.db.reading() as session:
        account, contact = _account_and_contact(session, team_id, account_id, contact_id)
        return PickForm(account, picker_contacts(session, team_id, account.id, limit=shown), contact)


def forget_form(runtime: Runtime, team_id: str, account_id: int | None, contact_id: int | None = None, *,
                shown: int) -> PickForm:
    """The forget modal: the contact to confirm, or (none named) everyone on the account to pick from."""
    with runtime.db.reading() as session:
        account, contact = _account_and_contact(session, team_id, account_id, contact_id)
        if contact is not None:
            return PickForm(account, [], contact)
        return PickForm(account, picker_contacts(session, team_id, account.id, include_left=True, limit=shown))


def plan_form(runtime: Runtime, team_id: str, account_id: int, target_id: int | None = None, *,
              shown: int) -> PlanForm:
    with runtime.db.reading() as session:
        account, target = _account_and_contact(session, team_id, account_id, target_id)
        contacts = picker_contacts(session, team_id, account.id, limit=shown)
        if target is None:
            return PlanForm(account, contacts)
        return PlanForm(account, contacts, target, strategy_of(target, workspace_table(session, team_id)))


@dataclass(frozen=True)
class ShortcutForm:
    """The "Log as touch" modal: the account when one is chosen (or guessed), and its current contacts."""

    account: Account | None
    contacts: list[Contact]


def shortcut_form(runtime: Runtime, team_id: str, *, channel_id: str | None = None, account_id: int | None = None,
                  shown: int) -> ShortcutForm:
    """The account picked (`account_id`; none when it is gone since it was offered) or else the one linked to
    the channel the message is in, with its contacts."""
    with runtime.db.reading() as session:
        account = linked_account(session, team_id, channel_id) if account_id is None else \
            _account_or_none(session, team_id, account_id)
        contacts = picker_contacts(session, team_id, account.id, limit=shown) if account else []
        return ShortcutForm(account, contacts)


def _account_or_none(session: Session, team_id: str, account_id: int) -> Account | None:
    try:
        return get_account(session, team_id, account_id)
    except NotFound:
        return None
