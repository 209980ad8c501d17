"""Logging touches: the touch modal, from the command, the map's button or anywhere else."""

from __future__ import annotations

from slack_bolt import App

from app.accounts import find_account, get_account
from app.contacts import get_contact
from app.errors import NotFound
from app.format import short_date
from app.models import TouchCreate
from app.runtime import Runtime
from app.touches import log_touch
from blocks import ids
from blocks.modals import pickable, touch_modal
from blocks.notices import no_contacts, plain_notice
from blocks.text import field
from handlers.contacts import picker_choices
from handlers.errors import guarded
from handlers.forms import save_or_explain
from handlers.maps import tell_unknown
from handlers.payloads import ModalContext, action_value, filled, int_or_none, view_values
from handlers.replies import tell, tell_later
from handlers.requests import CommandRequest

TOUCH_FIELDS = ("contact_id", "occurred_on", "kind", "sentiment_after", "notes")


def open_touch_modal(runtime: Runtime, client, body: dict, context, respond, account_id: int,
                     contact_id: int | None = None, notes: str | None = None) -> None:
    """Open the touch modal, the contact preselected when known and notes prefilled when given."""
    try:
        with runtime.db.session() as session:
            account = get_account(session, context.team_id, account_id)
            choices = picker_choices(session, context.team_id, account.id, include_left=False)
            initial = pickable(get_contact(session, context.team_id, contact_id, account.id)) if contact_id else None
    except NotFound as error:
        tell(respond, plain_notice(str(error)))
        return
    if not choices:
        tell(respond, no_contacts(account.name, account.id))
        return
    metadata = ModalContext.opened_from(context, body, account_id=account.id).dump()
    view = touch_modal(account.name, choices, metadata, runtime.today(), initial=initial, notes=notes)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def log_command(request: CommandRequest) -> None:
    with request.runtime.db.session() as session:
        account = find_account(session, request.team_id, request.account)
    if account is None:
        tell_unknown(request.runtime, request.respond, request.team_id, request.account)
        return
    open_touch_modal(request.runtime, request.client, request.body, request.context, request.respond, account.id)


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.LOG_TOUCH)
    @guarded
    def log_button(ack, body, client, context, respond):
        ack()
        open_touch_modal(runtime, client, body, context, respond, int_or_none(action_value(body)) or 0)

    @app.view(ids.TOUCH_MODAL)
    @guarded
    def submit(ack, body, view, context, respond):
        modal = ModalContext.load(view, context.team_id)
        if modal is None or modal.account_id is None:
            ack()
            return

        def save() -> str:
            values = view_values(view)
            values["contact_id"] = int_or_none(values.get("contact_id"))
            data = TouchCreate.model_validate(filled(values, TOUCH_FIELDS))
            with runtime.db.session() as session:
                account = get_account(session, context.team_id, modal.account_id)
                touch = log_touch(session, account, data, context.user_id, runtime.now())
                contact = get_contact(session, context.team_id, touch.contact_id)
                return (f"Logged a {touch.kind.label} with *{field(contact.display_name, 200)}* at "
                        f"*{field(account.name, 200)}* ({short_date(touch.occurred_on, runtime.today())}).")

        logged = save_or_explain(ack, "contact_id", save)
        if logged is not None:
            tell_later(runtime, modal.response_url, plain_notice(logged))

