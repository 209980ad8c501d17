"""Contacts: the contact modal (add, edit, fill in a placeholder) and the contact picker's type-ahead search."""

from __future__ import annotations

from slack_bolt import App

from app.core.departures import Departure
from app.core.domain import ContactStatus
from app.core.models import STRATEGY_FIELDS, Account, Contact, ContactCreate
from app.core.strategy import strategy_of
from app.platform.runtime import Runtime
from app.services.accounts import get_account
from app.services.contacts import add_contact, get_contact, search_contacts, update_contact
from app.services.departures import contact_left
from app.services.strategies import workspace_table
from blocks import ids
from blocks.modals import STATIC_OPTIONS_MAX, contact_modal, option, pickable
from blocks.notices import plain_notice
from blocks.text import field
from handlers.changes import after_modal
from handlers.departures import announce_departure
from handlers.errors import after_ack, guarded
from handlers.forms import save_or_explain, validated
from handlers.maps import clicked_account, requested_account
from handlers.payloads import ModalContext, changed_inputs, modal_context, view_values
from handlers.replies import open_modal, tell_later
from handlers.requests import CommandRequest

STRATEGY_INPUTS = ("strategy_approach", "strategy_cadence", "strategy_channel")


def picker_choices(session, team_id: str, account_id: int, include_left: bool):
    """Up to 101 contacts: a picker shows them all when they fit, else switches to search."""
    found = search_contacts(session, team_id, account_id, limit=STATIC_OPTIONS_MAX + 1, include_left=include_left)
    return [pickable(contact) for contact in found]


def open_contact_modal(runtime: Runtime, client, body: dict, context, account: Account,
                       contact: Contact | None = None) -> None:
    """The contact modal: empty to add one, prefilled to edit `contact`."""
    with runtime.db.reading() as session:
        colleagues = picker_choices(session, context.team_id, account.id, include_left=True)
        manager_id = contact.reports_to_id if contact else None
        manager = pickable(get_contact(session, context.team_id, manager_id)) if manager_id else None
        strategy = strategy_of(contact, workspace_table(session, context.team_id)) if contact else None
    if contact is not None:
        colleagues = [c for c in colleagues if c.id != contact.id]
    metadata = ModalContext.opened_from(context, body, account_id=account.id,
                                        contact_id=contact.id if contact else None).dump()
    open_modal(client, body, contact_modal(account.name, colleagues, metadata, contact, manager, strategy))


def add_command(request: CommandRequest) -> None:
    account = requested_account(request)
    if account is not None:
        open_contact_modal(request.runtime, request.client, request.body, request.context, account)


def _save(runtime: Runtime, context, modal: ModalContext, view: dict) -> tuple[str, Departure | None]:
    """Add the contact, or save what the user changed in the edit modal; returns the confirmation, and
    the departure when the edit set the status to Left the company (announced after the ack)."""
    values = view_values(view)
    data = validated(ContactCreate, values, runtime.today())
    with runtime.db.session() as session:
        account = get_account(session, context.team_id, modal.account_id)
        where = f"*{field(account.name, 200)}*"
        if modal.contact_id is None:
            contact = add_contact(session, account, data, context.user_id, runtime.now())
            return f"Added *{field(contact.display_name, 200)}* to {where}.", None
        contact = get_contact(session, context.team_id, modal.contact_id, account.id)
        changes = {name: getattr(data, name) for name in changed_inputs(view) if name in ContactCreate.model_fields}
        if any(name in changes for name in STRATEGY_INPUTS):  # edited: the whole strategy, now the CSM's own
            changes.update({name: getattr(data, name) for name in STRATEGY_FIELDS})
        departure = None
        if changes.get("status") == ContactStatus.LEFT:
            departure = contact_left(session, context.team_id, contact.id, context.user_id, runtime.now())
        changed = update_contact(session, account, contact, changes, context.user_id, runtime.now())
        if departure is not None and departure.changed:
            changed = ["status", *changed]
        who = f"*{field(contact.display_name, 200)}* at {where}"
        return (f"Saved {who}: {', '.join(changed)}." if changed else f"Nothing changed for {who}."), departure


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
