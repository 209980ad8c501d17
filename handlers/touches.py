"""Logging touches: the touch modal, from the command, the map, the App Home or a message shortcut."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from app.core.models import TouchCreate
from app.platform.runtime import Runtime
from app.services.touches import record_touch
from blocks import ids
from blocks.notices import touch_logged
from handlers.common.after_ack import after_modal
from handlers.common.errors import guarded
from handlers.common.forms import save_or_explain
from handlers.common.openers import for_named_account, open_touch_modal
from handlers.common.payloads import action_value, id_and_rest, int_or_none, modal_form

log_command = for_named_account(open_touch_modal)


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

    @app.view(ids.TOUCH_MODAL, middleware=[modal_form(TouchCreate, runtime.today)])
    @guarded
    def submit(ack, body, view, context, respond, client):
        modal = context["modal"]
        save = partial(record_touch, runtime, context.team_id, modal.account_id or 0, context["form"], context.user_id)
        logged = save_or_explain(ack, context, context["first_input"], save)
        if logged is not None:
            confirm = partial(touch_logged, logged.kind.label, logged.contact_name, logged.account_name,
                              logged.occurred_on, runtime.today())
            after_modal(runtime, client, context, modal, logged.account_id, confirm, body=body, respond=respond)
