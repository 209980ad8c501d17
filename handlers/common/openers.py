"""The modals several surfaces open: add a contact, log a touch, forget a contact; and the contact picker's choices."""

from __future__ import annotations

from app.core.errors import Forbidden
from app.core.models import Account, Contact
from app.core.strategy import strategy_of
from app.platform.runtime import Runtime
from app.services.accounts import get_account
from app.services.contacts import get_contact, picker_contacts
from app.services.erasure import ERASE_REFUSED
from app.services.roles import extra_roles
from app.services.strategies import workspace_table
from blocks.modals import (
    STATIC_OPTIONS_MAX,
    contact_modal,
    forget_confirm_modal,
    forget_pick_modal,
    pickable,
    touch_modal,
)
from blocks.notices import no_contacts, no_contacts_to_forget
from handlers.common.payloads import (
    ModalContext,
)
from handlers.common.permissions import may_manage
from handlers.common.replies import answer, open_modal, tell


def picker_choices(session, team_id: str, account_id: int, include_left: bool, besides: int | None = None):
    """Up to 101 contacts: a picker shows them all when they fit, else switches to search."""
    found = picker_contacts(session, team_id, account_id, include_left=include_left, besides=besides,
                            limit=STATIC_OPTIONS_MAX + 1)
    return [pickable(contact) for contact in found]


def open_contact_modal(runtime: Runtime, client, body: dict, context, account: Account,
                       contact: Contact | None = None, draft=None) -> None:
    """The contact modal: empty to add one, prefilled to edit `contact`, or to add someone seen in Slack
    (`draft`: app.services.suggestions.ContactDraft; the contact gets their Slack user id)."""
    with runtime.db.reading() as session:
        colleagues = picker_choices(session, context.team_id, account.id, include_left=True,
                                    besides=contact.id if contact else None)
        manager_id = contact.reports_to_id if contact else None
        manager = pickable(get_contact(session, context.team_id, manager_id)) if manager_id else None
        strategy = strategy_of(contact, workspace_table(session, context.team_id)) if contact else None
        also = [role.type for role in extra_roles(session, contact)] if contact else []
    metadata = ModalContext.opened_from(context, body, account_id=account.id, contact_id=contact.id if contact else None,
                                        slack_user_id=draft.slack_user_id if draft else None).dump()
    open_modal(client, body, contact_modal(account.name, colleagues, metadata, contact, manager, strategy,
                                           draft=draft, also=also))


def open_touch_modal(runtime: Runtime, client, body: dict, context, respond, account_id: int,
                     contact_id: int | None = None, notes: str | None = None) -> None:
    """Open the touch modal, the contact preselected when known and notes prefilled when given."""
    with runtime.db.reading() as session:
        account = get_account(session, context.team_id, account_id)
        choices = picker_choices(session, context.team_id, account.id, include_left=False)
        initial = pickable(get_contact(session, context.team_id, contact_id, account.id)) if contact_id else None
    if not choices:
        answer(client, body, respond, no_contacts(account.name, account.id))
        return
    metadata = ModalContext.opened_from(context, body, account_id=account.id).dump()
    view = touch_modal(account.name, choices, metadata, runtime.today(), initial=initial, notes=notes)
    open_modal(client, body, view)


def check_caller(client, account: Account, user_id: str) -> None:
    if not may_manage(client, account, user_id):
        raise Forbidden(ERASE_REFUSED)


def open_forget(runtime: Runtime, client, body: dict, context, respond, account_id: int,
                contact_id: int | None = None) -> None:
    """Open the forget modal: the contact picker, or (a contact given) the confirmation."""
    with runtime.db.session() as session:
        account = get_account(session, context.team_id, account_id)
        chosen = pickable(get_contact(session, context.team_id, contact_id, account.id)) if contact_id else None
        choices = [] if chosen else picker_choices(session, context.team_id, account.id, include_left=True)
    check_caller(client, account, context.user_id)
    metadata = ModalContext.opened_from(context, body, account_id=account.id, contact_id=contact_id).dump()
    if chosen:
        view = forget_confirm_modal(account.name, chosen, metadata)
    elif choices:
        view = forget_pick_modal(account.name, choices, metadata)
    else:
        tell(respond, no_contacts_to_forget(account.name))
        return
    open_modal(client, body, view)
