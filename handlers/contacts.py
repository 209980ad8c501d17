"""Contacts: the contact modal (add, edit, fill in a placeholder) and the contact picker's type-ahead search."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from app.core.departures import Departure
from app.core.domain import StakeholderType
from app.core.models import ContactCreate
from app.platform.runtime import Runtime
from app.services.contact_form import ContactSaved, save_contact
from app.services.contacts import contact_search
from blocks import ids
from blocks.modals import ALSO, option, pickable
from blocks.notices import Notice, contact_added, contact_saved, plain_notice
from handlers.common.after_ack import after_ack, after_modal
from handlers.common.departures import announce_departure
from handlers.common.errors import guarded
from handlers.common.forms import save_or_explain
from handlers.common.openers import for_named_account, open_contact_modal
from handlers.common.payloads import (
    ModalContext,
    changed_inputs,
    clicked_id,
    modal_context,
    selected_values,
    validated,
    view_values,
)
from handlers.common.replies import tell_later

add_command = for_named_account(open_contact_modal)


def _save(runtime: Runtime, context, modal: ModalContext, view: dict) -> ContactSaved:
    """Add the contact, or save what the user changed in the edit modal (a departure is told after the ack)."""
    data = validated(ContactCreate, view_values(view), runtime.today())
    return save_contact(runtime, context.team_id, modal.account_id, modal.contact_id, data, changed_inputs(view),
                        context.user_id, slack_user_id=modal.slack_user_id, also=_also(view))


def _also(view: dict) -> set[StakeholderType] | None:
    """The "Also" roles as picked (the modal offers only stakeholder types); None: the view had no such input."""
    picked = selected_values(view, ALSO)
    if picked is None:
        return None
    return {StakeholderType(value) for value in picked if value in StakeholderType._value2member_map_}


def _confirmation(saved: ContactSaved) -> Notice:
    if saved.added:
        return plain_notice(contact_added(saved.contact_name, saved.account_name))
    return plain_notice(contact_saved(saved.contact_name, saved.account_name, saved.changed))


def _announce(runtime: Runtime, client, context, modal: ModalContext, departure: Departure) -> None:
    said = announce_departure(runtime, client, context.team_id, departure, context.user_id)
    tell_later(runtime, modal.response_url, plain_notice(said))


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.ADD_CONTACT)
    @guarded
    def add_button(ack, body, client, context, respond):
        ack()
        open_contact_modal(runtime, client, body, context, respond, clicked_id(body))

    @app.options(ids.CONTACT_PICKER)
    @guarded
    def picker_options(ack, body, context, respond):
        modal = ModalContext.load(body.get("view"), context.team_id)
        if modal is None or modal.account_id is None:
            ack(options=[])
            return
        query = body.get("value") if isinstance(body.get("value"), str) else ""
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        include_left = body.get("block_id") == "reports_to_id" or view.get("callback_id") == ids.FORGET_PICK_MODAL
        found = contact_search(runtime, context.team_id, modal.account_id, query, include_left=include_left,
                               besides=modal.contact_id)
        ack(options=[option(p.label, str(p.id)).to_dict() for p in map(pickable, found)])

    @app.view(ids.CONTACT_MODAL, middleware=[modal_context("account_id")])
    @guarded
    def submit(ack, body, view, context, respond, client):
        modal = context["modal"]
        saved = save_or_explain(ack, context, "name", partial(_save, runtime, context, modal, view))
        if saved is None:
            return
        after_modal(runtime, client, context, modal, modal.account_id, partial(_confirmation, saved), body=body,
                    respond=respond)
        if saved.departure is not None and saved.departure.coverage_changed:
            after_ack(runtime, _announce, runtime, client, context, modal, saved.departure, body=body, respond=respond)
