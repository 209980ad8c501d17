"""The menu on each contact of a map: edit (or fill in a placeholder), log a touch, left the company, remove,
forget."""

from __future__ import annotations

import re
from functools import partial

from slack_bolt import App

from app.core.errors import NotFound
from app.core.models import Account
from app.platform.runtime import Runtime
from app.services.contacts import contact_and_account, remove_from_account
from blocks import ids
from blocks.modals import notice_modal, remove_contact_modal
from blocks.notices import contact_removed, plain_notice, removal_refused
from handlers.common.after_ack import after_ack, after_modal
from handlers.common.departures import depart_from_map
from handlers.common.errors import guarded
from handlers.common.openers import open_contact_modal, open_forget, open_touch_modal
from handlers.common.payloads import ModalContext, action_value, int_or_none, modal_context
from handlers.common.permissions import may_manage
from handlers.common.replies import answer, open_modal


def refusal(account: Account) -> str:
    return removal_refused(account.name, account.owner_user_id)


def register(app: App, runtime: Runtime) -> None:
    @app.action(re.compile(rf"^{ids.CONTACT_MENU}:\d+$"))
    @guarded
    def chosen(ack, body, client, context, respond):
        ack()
        choice, _, picked = (action_value(body) or "").partition(":")
        contact_id = int_or_none(picked) or 0
        if choice == ids.EDIT:
            open_contact_modal(runtime, client, body, context, respond, None, contact_id)
        elif choice == ids.LOG:
            open_touch_modal(runtime, client, body, context, respond, None, contact_id)
        elif choice == ids.FORGET:
            open_forget(runtime, client, body, context, respond, None, contact_id)
        elif choice in (ids.LEFT, ids.REMOVE):
            contact, account = contact_and_account(runtime, context.team_id, contact_id)
            if choice == ids.LEFT:
                after_ack(runtime, depart_from_map, runtime, client, context, body, respond, contact.id, account.id,
                          body=body, respond=respond)
            elif not may_manage(client, account, context.user_id):
                answer(client, body, respond, plain_notice(refusal(account)))
            else:
                metadata = ModalContext.opened_from(context, body, account_id=account.id, contact_id=contact.id).dump()
                open_modal(client, body, remove_contact_modal(contact.display_name, account.name, metadata))

    @app.view(ids.REMOVE_CONTACT_MODAL, middleware=[modal_context("contact_id", "account_id")])
    @guarded
    def confirm_removal(ack, body, view, context, respond, client):
        modal = context["modal"]
        try:
            removal = remove_from_account(runtime, context.team_id, modal.account_id, modal.contact_id,
                                          lambda account: may_manage(client, account, context.user_id))
        except NotFound as error:
            ack(response_action="update", view=notice_modal(str(error)))
            return
        if not removal.removed:
            ack(response_action="update", view=notice_modal(refusal(removal.account)))
            return
        ack()
        said = contact_removed(removal.contact_name, removal.account.name)
        after_modal(runtime, client, context, modal, modal.account_id, partial(plain_notice, said), body=body,
                    respond=respond)
