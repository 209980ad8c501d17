"""Forgetting a person: `/stakemap forget <account>` → pick who → confirm → their personal data is erased.

Only the account's owner or a workspace admin or owner (users.info) may; the rule is checked when
the modal opens and again when the erasure is confirmed. `open_forget()` is the entry point for other
surfaces (a per-contact menu on the map): given a contact it opens the confirmation directly.
"""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from app.core.errors import NotFound, StakemapError
from app.platform.runtime import Runtime
from app.services.erasure import erasure_choice, forget_person
from blocks import ids
from blocks.modals import forget_confirm_modal, pickable
from blocks.notices import ALREADY_ERASED, contact_erased, plain_notice
from handlers.common.after_ack import after_modal
from handlers.common.errors import guarded
from handlers.common.openers import for_named_account, open_forget
from handlers.common.payloads import int_or_none, modal_context, view_values
from handlers.common.permissions import may_manage
from handlers.common.replies import tell_later

forget_command = for_named_account(open_forget)


def register(app: App, runtime: Runtime) -> None:
    @app.view(ids.FORGET_PICK_MODAL, middleware=[modal_context("account_id")])
    @guarded
    def picked(ack, body, view, context, respond):
        modal = context["modal"]
        contact_id = int_or_none(view_values(view).get("contact_id")) or 0
        try:
            account, contact, erased = erasure_choice(runtime, context.team_id, modal.account_id, contact_id)
        except NotFound as error:
            ack(response_action="errors", errors={"contact_id": str(error)})
            return
        if erased:
            ack(response_action="errors", errors={"contact_id": ALREADY_ERASED})
            return
        metadata = modal.model_copy(update={"contact_id": contact.id}).dump()
        ack(response_action="update", view=forget_confirm_modal(account.name, pickable(contact), metadata))

    @app.view(ids.FORGET_MODAL, middleware=[modal_context("account_id", "contact_id")])
    @guarded
    def confirmed(ack, body, view, context, client, respond):
        modal = context["modal"]
        try:
            account, kind = forget_person(runtime, context.team_id, modal.account_id, modal.contact_id, context.user_id,
                                          lambda account: may_manage(client, account, context.user_id))
        except StakemapError as error:
            ack()
            tell_later(runtime, modal.response_url, plain_notice(str(error)))
            return
        ack()
        done = partial(plain_notice, contact_erased(kind.label, account.name))
        after_modal(runtime, client, context, modal, account.id, done, body=body, respond=respond)
