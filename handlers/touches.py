"""Logging touches: the touch modal, from the command, the map, the App Home or a message shortcut."""

from __future__ import annotations

from slack_bolt import App

from app.core.errors import InvalidInput, NotFound
from app.core.format import short_date
from app.core.models import TouchCreate
from app.platform.runtime import Runtime
from app.services.touches import LoggedTouch, record_touch
from blocks import ids
from blocks.notices import (
    ACCOUNT_CHANGED,
    ACCOUNT_WITHOUT_CONTACTS,
    PICK_THE_ACCOUNT,
    plain_notice,
    touch_logged,
)
from handlers.common.changes import after_modal
from handlers.common.errors import guarded
from handlers.common.forms import save_or_explain, validated
from handlers.common.maps import requested_account
from handlers.common.openers import open_touch_modal
from handlers.common.payloads import (
    ModalContext,
    action_value,
    id_and_rest,
    int_or_none,
    modal_context,
    view_values,
)
from handlers.common.requests import CommandRequest


def log_command(request: CommandRequest) -> None:
    account = requested_account(request)
    if account is not None:
        open_touch_modal(request.runtime, request.client, request.body, request.context, request.respond, account.id)


def _account_of(modal: ModalContext, values: dict) -> int:
    """The account the touch is for: the modal's, or the one picked in the "Log as touch" modal."""
    if "account_id" not in values:
        return modal.account_id or 0
    picked = int_or_none(values.get("account_id"))
    if picked is None:
        raise InvalidInput({"account_id": PICK_THE_ACCOUNT})
    if "contact_id" not in values:
        raise InvalidInput({"account_id": ACCOUNT_WITHOUT_CONTACTS})
    if picked != modal.account_id:
        raise InvalidInput({"contact_id": ACCOUNT_CHANGED})
    return picked


def _log(runtime: Runtime, context, modal: ModalContext, values: dict) -> LoggedTouch:
    """Store the touch the modal describes (a gone account is an error on the modal's account field)."""
    account_id = _account_of(modal, values)
    data = validated(TouchCreate, values | {"contact_id": int_or_none(values.get("contact_id"))}, runtime.today())
    with runtime.db.session() as session:
        try:
            return record_touch(session, context.team_id, account_id, data, context.user_id, runtime.now())
        except NotFound as error:
            raise InvalidInput({"account_id" if "account_id" in values else "contact_id": str(error)}) from None


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.LOG_TOUCH)
    @guarded
    def log_button(ack, body, client, context, respond):
        ack()
        open_touch_modal(runtime, client, body, context, respond, int_or_none(action_value(body)) or 0)

    @app.action(ids.HOME_LOG_TOUCH)
    @guarded
    def log_stale(ack, body, client, context, respond):
        ack()
        account_id, contact_id = id_and_rest(body, ":")
        open_touch_modal(runtime, client, body, context, respond, account_id, int_or_none(contact_id))

    @app.view(ids.TOUCH_MODAL, middleware=[modal_context()])
    @guarded
    def submit(ack, body, view, context, respond, client):
        modal = context["modal"]
        logged = save_or_explain(ack, context, "contact_id", lambda: _log(runtime, context, modal, view_values(view)))
        if logged is not None:
            said = touch_logged(logged.kind.label, logged.contact_name, logged.account_name,
                                short_date(logged.occurred_on, runtime.today()))
            after_modal(runtime, client, context, modal, logged.account_id, plain_notice(said), body=body,
                        respond=respond)
