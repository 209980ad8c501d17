"""Adding contacts: the contact modal and the contact picker's type-ahead search."""

from __future__ import annotations

from slack_bolt import App

from app.accounts import find_account, get_account
from app.contacts import add_contact, search_contacts
from app.errors import NotFound
from app.models import ContactCreate
from app.runtime import Runtime
from blocks import ids
from blocks.modals import STATIC_OPTIONS_MAX, contact_modal, option, pickable
from blocks.notices import plain_notice
from blocks.text import field
from handlers.errors import guarded
from handlers.forms import save_or_explain
from handlers.maps import tell_unknown
from handlers.payloads import ModalContext, action_value, filled, int_or_none, view_values
from handlers.replies import tell, tell_later
from handlers.requests import CommandRequest

CONTACT_FIELDS = ("name", "title", "type", "department", "level", "influence", "interest", "relationship",
                  "sentiment", "status", "reports_to_id", "objectives", "notes", "email")


def picker_choices(session, team_id: str, account_id: int, include_left: bool):
    """Up to 101 contacts: a picker shows them all when they fit, else switches to search."""
    found = search_contacts(session, team_id, account_id, limit=STATIC_OPTIONS_MAX + 1, include_left=include_left)
    return [pickable(contact) for contact in found]


def open_contact_modal(runtime: Runtime, client, body: dict, context, account) -> None:
    with runtime.db.session() as session:
        colleagues = picker_choices(session, context.team_id, account.id, include_left=True)
    metadata = ModalContext.opened_from(context, body, account_id=account.id).dump()
    client.views_open(trigger_id=body["trigger_id"], view=contact_modal(account.name, colleagues, metadata))


def add_command(request: CommandRequest) -> None:
    with request.runtime.db.session() as session:
        account = find_account(session, request.team_id, request.account)
    if account is None:
        tell_unknown(request.runtime, request.respond, request.team_id, request.account)
        return
    open_contact_modal(request.runtime, request.client, request.body, request.context, account)


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.ADD_CONTACT)
    @guarded
    def add_button(ack, body, client, context, respond):
        ack()
        try:
            with runtime.db.session() as session:
                account = get_account(session, context.team_id, int_or_none(action_value(body)) or 0)
        except NotFound as error:
            tell(respond, plain_notice(str(error)))
            return
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
        with runtime.db.session() as session:
            found = search_contacts(session, context.team_id, modal.account_id, query[:100],
                                    include_left=include_left)
        ack(options=[option(p.label, str(p.id)).to_dict() for p in map(pickable, found)])

    @app.view(ids.CONTACT_MODAL)
    @guarded
    def submit(ack, body, view, context, respond):
        modal = ModalContext.load(view, context.team_id)
        if modal is None or modal.account_id is None:
            ack()
            return

        def save() -> str:
            data = ContactCreate.model_validate(filled(view_values(view), CONTACT_FIELDS))
            with runtime.db.session() as session:
                account = get_account(session, context.team_id, modal.account_id)
                contact = add_contact(session, account, data, context.user_id, runtime.now())
                return f"Added *{field(contact.display_name, 200)}* to *{field(account.name, 200)}*."

        added = save_or_explain(ack, "name", save)
        if added is not None:
            tell_later(runtime, modal.response_url, plain_notice(added))
