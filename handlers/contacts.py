"""Contacts: the contact modal (add, edit, fill in a placeholder) and the contact picker's type-ahead search."""

from __future__ import annotations

from slack_bolt import App

from app.core.departures import Departure
from app.core.domain import ContactStatus, StakeholderType
from app.core.models import STRATEGY_FIELDS, ContactCreate
from app.platform.runtime import Runtime
from app.services.accounts import get_account
from app.services.contacts import add_contact, get_contact, search_contacts, update_contact
from app.services.departures import contact_left
from app.services.roles import replace_roles
from blocks import ids
from blocks.modals import ALSO, option, pickable
from blocks.notices import contact_added, contact_saved, plain_notice
from handlers.common.changes import after_modal
from handlers.common.departures import announce_departure
from handlers.common.errors import after_ack, guarded
from handlers.common.forms import save_or_explain, validated
from handlers.common.maps import clicked_account, requested_account
from handlers.common.openers import open_contact_modal
from handlers.common.payloads import ModalContext, changed_inputs, modal_context, selected_values, view_values
from handlers.common.replies import tell_later
from handlers.common.requests import CommandRequest

STRATEGY_INPUTS = ("strategy_approach", "strategy_cadence", "strategy_channel")


def add_command(request: CommandRequest) -> None:
    account = requested_account(request)
    if account is not None:
        open_contact_modal(request.runtime, request.client, request.body, request.context, account)


def _save(runtime: Runtime, context, modal: ModalContext, view: dict) -> tuple[str, Departure | None]:
    """Add the contact, or save what the user changed in the edit modal; returns the confirmation, and
    the departure when the edit set the status to Left the company (announced after the ack)."""
    values = view_values(view)
    data = validated(ContactCreate, values, runtime.today())
    also = selected_values(view, ALSO)
    with runtime.db.session() as session:
        account = get_account(session, context.team_id, modal.account_id)
        if modal.contact_id is None:
            contact = add_contact(session, account, data, context.user_id, runtime.now())
            _set_roles(session, contact, also, context.user_id, runtime.now())
            return contact_added(contact.display_name, account.name), None
        contact = get_contact(session, context.team_id, modal.contact_id, account.id)
        changes = {name: getattr(data, name) for name in changed_inputs(view) if name in ContactCreate.model_fields}
        if any(name in changes for name in STRATEGY_INPUTS):  # edited: the whole strategy, now the CSM's own
            changes.update({name: getattr(data, name) for name in STRATEGY_FIELDS})
        departure = None
        if changes.get("status") == ContactStatus.LEFT:
            departure = contact_left(session, context.team_id, contact.id, context.user_id, runtime.now())
        changed = update_contact(session, account, contact, changes, context.user_id, runtime.now())
        if _set_roles(session, contact, also, context.user_id, runtime.now()):
            changed = [*changed, "roles"]
        if departure is not None and departure.changed:
            changed = ["status", *changed]
        return contact_saved(contact.display_name, account.name, changed), departure


def _set_roles(session, contact, also: list[str] | None, by: str | None, now) -> bool:
    """The "Also" roles as picked (the modal offers only stakeholder types); None: the view had no such input."""
    if also is None:
        return False
    kinds = {StakeholderType(value) for value in also if value in StakeholderType._value2member_map_}
    return replace_roles(session, contact, kinds, by, now)


def _announce(runtime: Runtime, client, context, modal: ModalContext, departure: Departure) -> None:
    said = announce_departure(runtime, client, context.team_id, departure, context.user_id)
    tell_later(runtime, modal.response_url, plain_notice(said))


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.ADD_CONTACT)
    @guarded
    def add_button(ack, body, client, context, respond):
        ack()
        account = clicked_account(runtime, client, body, context, respond)
        if account is not None:
            open_contact_modal(runtime, client, body, context, account)

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
        with runtime.db.reading() as session:
            found = search_contacts(session, context.team_id, modal.account_id, query[:100],
                                    include_left=include_left)
        ack(options=[option(p.label, str(p.id)).to_dict() for p in map(pickable, found) if p.id != modal.contact_id])

    @app.view(ids.CONTACT_MODAL, middleware=[modal_context("account_id")])
    @guarded
    def submit(ack, body, view, context, respond, client):
        modal = context["modal"]
        saved = save_or_explain(ack, context, "name", lambda: _save(runtime, context, modal, view))
        if saved is None:
            return
        said, departure = saved
        after_modal(runtime, client, context, modal, modal.account_id, plain_notice(said), body=body, respond=respond)
        if departure is not None and departure.coverage_changed:
            after_ack(runtime, _announce, runtime, client, context, modal, departure, body=body, respond=respond)
