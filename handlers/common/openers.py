"""The modals several surfaces open: add or edit a contact, log a touch, forget a contact, plan a step.
Each opener asks one service (app.services.modal_forms) for what its modal needs, renders it, opens it."""

from __future__ import annotations

from collections.abc import Callable

from app.core.errors import Forbidden
from app.core.models import Account
from app.platform.runtime import Runtime
from app.services import modal_forms
from app.services.erasure import ERASE_REFUSED
from blocks.modals import (
    STATIC_OPTIONS_MAX,
    contact_modal,
    forget_confirm_modal,
    forget_pick_modal,
    pickable,
    plan_modal,
    touch_modal,
)
from blocks.notices import no_contacts, no_contacts_to_forget
from blocks.strategy import plan_prefill
from handlers.common.maps import requested_account
from handlers.common.payloads import ModalContext
from handlers.common.permissions import may_manage
from handlers.common.replies import answer, open_modal, tell
from handlers.common.requests import CommandRequest

SHOWN = STATIC_OPTIONS_MAX + 1  # a picker shows them all when they fit, else switches to search
# An opener: (runtime, client, body, context, respond, account_id, contact_id=None) opens its modal.
Opener = Callable[..., None]


def for_named_account(opener: Opener) -> Callable[[CommandRequest], None]:
    """The command that opens `opener`'s modal for the account it names (`/stakemap add Acme`); a name no
    account has is answered with close matches instead."""

    def command(request: CommandRequest) -> None:
        account = requested_account(request)
        if account is not None:
            opener(request.runtime, request.client, request.body, request.context, request.respond, account.id)

    return command


def open_contact_modal(runtime: Runtime, client, body: dict, context, respond, account_id: int | None,
                       contact_id: int | None = None, slack_user_id: str | None = None) -> None:
    """The contact modal: empty to add one, prefilled to edit contact `contact_id` (of its own account when
    `account_id` is None), or to add someone seen in Slack (`slack_user_id`: prefilled from their profile;
    the contact gets their Slack user id)."""
    form = modal_forms.contact_form(runtime, context.team_id, account_id, contact_id, shown=SHOWN,
                                    slack_user_id=slack_user_id)
    metadata = ModalContext.opened_from(context, body, account_id=form.account.id, contact_id=contact_id,
                                        slack_user_id=slack_user_id).dump()
    colleagues = [pickable(contact) for contact in form.colleagues]
    manager = pickable(form.manager) if form.manager else None
    open_modal(client, body, contact_modal(form.account.name, colleagues, metadata, form.contact, manager,
                                           form.strategy, draft=form.draft, also=list(form.also)))


def open_touch_modal(runtime: Runtime, client, body: dict, context, respond, account_id: int | None,
                     contact_id: int | None = None, notes: str | None = None) -> None:
    """Open the touch modal, the contact preselected when known and notes prefilled when given."""
    form = modal_forms.touch_form(runtime, context.team_id, account_id, contact_id, shown=SHOWN)
    if not form.contacts:
        answer(client, body, respond, no_contacts(form.account.name, form.account.id))
        return
    metadata = ModalContext.opened_from(context, body, account_id=form.account.id).dump()
    initial = pickable(form.contact) if form.contact else None
    view = touch_modal(form.account.name, [pickable(contact) for contact in form.contacts], metadata, runtime.today(),
                       initial=initial, notes=notes)
    open_modal(client, body, view)


def check_caller(client, account: Account, user_id: str) -> None:
    if not may_manage(client, account, user_id):
        raise Forbidden(ERASE_REFUSED)


def open_forget(runtime: Runtime, client, body: dict, context, respond, account_id: int | None,
                contact_id: int | None = None) -> None:
    """Open the forget modal: the contact picker, or (a contact given) the confirmation."""
    form = modal_forms.forget_form(runtime, context.team_id, account_id, contact_id, shown=SHOWN)
    check_caller(client, form.account, context.user_id)
    metadata = ModalContext.opened_from(context, body, account_id=form.account.id, contact_id=contact_id).dump()
    if form.contact:
        view = forget_confirm_modal(form.account.name, pickable(form.contact), metadata)
    elif form.contacts:
        view = forget_pick_modal(form.account.name, [pickable(contact) for contact in form.contacts], metadata)
    else:
        tell(respond, no_contacts_to_forget(form.account.name))
        return
    open_modal(client, body, view)


def open_plan_modal(runtime: Runtime, client, body: dict, context, respond, account_id: int,
                    target_id: int | None = None) -> None:
    """The plan-step modal; for one person (`target_id`), prefilled with their strategy and objectives."""
    form = modal_forms.plan_form(runtime, context.team_id, account_id, target_id, shown=SHOWN)
    target = pickable(form.target) if form.target else None
    path, first_action = plan_prefill(form.strategy, form.target.objectives if form.target else None)
    metadata = ModalContext.opened_from(context, body, account_id=form.account.id).dump()
    open_modal(client, body, plan_modal(form.account.name, [pickable(contact) for contact in form.contacts], metadata,
                                        context.user_id, target, path, first_action))

