"""The "Log as touch" message shortcut: call notes pasted in Slack become a touch in two clicks.

The account is guessed from the channel's linked account; otherwise (or to change the guess) the
modal's first input picks it, with type-ahead search over every account of the workspace, and the
modal then shows that account's contacts (views.update).
"""

from __future__ import annotations

from slack_bolt import App

from app.core.format import truncate
from app.core.models import NOTES_MAX
from app.platform.runtime import Runtime
from app.services.accounts import account_choices
from app.services.modal_forms import ShortcutForm, shortcut_form
from blocks import ids
from blocks.modals import option, pickable, shortcut_touch_modal
from handlers.common.errors import guarded
from handlers.common.openers import SHOWN
from handlers.common.payloads import ModalContext, action_value, int_or_none, modal_context, view_values


def _modal(runtime: Runtime, modal: ModalContext, form: ShortcutForm, notes: str | None) -> dict:
    contacts = [pickable(contact) for contact in form.contacts]
    metadata = modal.model_copy(update={"account_id": form.account.id if form.account else None}).dump()
    return shortcut_touch_modal(form.account, contacts, metadata, runtime.today(), notes)


def register(app: App, runtime: Runtime) -> None:
    @app.shortcut(ids.LOG_AS_TOUCH)
    @guarded
    def log_as_touch(ack, body, client, context, respond):
        ack()
        text = (body.get("message") or {}).get("text")
        notes = truncate(text.strip(), NOTES_MAX) if isinstance(text, str) and text.strip() else None
        modal = ModalContext.opened_from(context, body)
        form = shortcut_form(runtime, context.team_id, channel_id=context.channel_id, shown=SHOWN)
        client.views_open(trigger_id=body["trigger_id"], view=_modal(runtime, modal, form, notes))

    @app.action(ids.ACCOUNT_PICKER, middleware=[modal_context()])
    @guarded
    def account_picked(ack, body, client, context, respond):
        ack()
        view = body.get("view") or {}
        # an account deleted since it was offered: pick again
        form = shortcut_form(runtime, context.team_id, account_id=int_or_none(action_value(body)) or 0, shown=SHOWN)
        client.views_update(view_id=view["id"], view=_modal(runtime, context["modal"], form, view_values(view).get("notes")))

    @app.options(ids.ACCOUNT_PICKER)
    @guarded
    def account_options(ack, body, context, respond):
        query = body.get("value") if isinstance(body.get("value"), str) else ""
        found = account_choices(runtime, context.team_id, query[:100])
        ack(options=[option(account.name, str(account.id)).to_dict() for account in found])
