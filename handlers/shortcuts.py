"""The "Log as touch" message shortcut: call notes pasted in Slack become a touch in two clicks.

The account is guessed from the channel's linked account; otherwise (or to change the guess) the
modal's first input picks it, with type-ahead search over every account of the workspace, and the
modal then shows that account's contacts (views.update).
"""

from __future__ import annotations

from slack_bolt import App

from app.core.errors import NotFound
from app.core.format import truncate
from app.core.models import NOTES_MAX, Account
from app.platform.runtime import Runtime
from app.services.accounts import get_account, search_accounts
from app.services.channel_links import linked_account
from blocks import ids
from blocks.modals import option, shortcut_touch_modal
from handlers.common.errors import guarded
from handlers.common.openers import picker_choices
from handlers.common.payloads import ModalContext, action_value, int_or_none, modal_context, view_values


def _modal(runtime: Runtime, session, modal: ModalContext, account: Account | None, notes: str | None) -> dict:
    contacts = picker_choices(session, modal.team_id, account.id, include_left=False) if account else []
    metadata = modal.model_copy(update={"account_id": account.id if account else None}).dump()
    return shortcut_touch_modal(account, contacts, metadata, runtime.today(), notes)


def register(app: App, runtime: Runtime) -> None:
    @app.shortcut(ids.LOG_AS_TOUCH)
    @guarded
    def log_as_touch(ack, body, client, context, respond):
        ack()
        text = (body.get("message") or {}).get("text")
        notes = truncate(text.strip(), NOTES_MAX) if isinstance(text, str) and text.strip() else None
        modal = ModalContext.opened_from(context, body)
        with runtime.db.reading() as session:
            view = _modal(runtime, session, modal, linked_account(session, context.team_id, context.channel_id), notes)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(ids.ACCOUNT_PICKER, middleware=[modal_context()])
    @guarded
    def account_picked(ack, body, client, context, respond):
        ack()
        view = body.get("view") or {}
        modal = context["modal"]
        with runtime.db.reading() as session:
            try:
                account = get_account(session, context.team_id, int_or_none(action_value(body)) or 0)
            except NotFound:  # deleted since it was offered: pick again
                account = None
            updated = _modal(runtime, session, modal, account, view_values(view).get("notes"))
        client.views_update(view_id=view["id"], view=updated)

    @app.options(ids.ACCOUNT_PICKER)
    @guarded
    def account_options(ack, body, context, respond):
        query = body.get("value") if isinstance(body.get("value"), str) else ""
        with runtime.db.reading() as session:
            found = search_accounts(session, context.team_id, query[:100])
        ack(options=[option(account.name, str(account.id)).to_dict() for account in found])
