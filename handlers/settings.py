"""/stakemap settings: anyone may read the workspace's settings; workspace admins change them."""

from __future__ import annotations

import logging

from slack_bolt import App

from app.core.errors import InvalidInput
from app.core.workspace_settings import SettingsForm
from app.platform.runtime import Runtime
from app.services.workspaces import current_settings, save_settings
from blocks import ids
from blocks.notices import SETTINGS_ADMINS_ONLY, settings_saved
from blocks.settings import settings_modal
from handlers.common.after_ack import after_ack
from handlers.common.errors import guarded
from handlers.common.forms import save_or_explain
from handlers.common.payloads import ModalContext, modal_context, view_values
from handlers.common.permissions import is_workspace_admin
from handlers.common.replies import open_modal, tell_later
from handlers.common.requests import CommandRequest

log = logging.getLogger(__name__)


def open_settings(runtime: Runtime, client, body: dict, context) -> None:
    """The settings modal: editable for workspace admins, read-only for everyone else."""
    editable = is_workspace_admin(client, context.user_id)
    current = current_settings(runtime, context.team_id)
    metadata = ModalContext.opened_from(context, body).dump()
    open_modal(client, body, settings_modal(current, metadata, editable=editable))


def settings_command(request: CommandRequest) -> None:
    open_settings(request.runtime, request.client, request.body, request.context)


def _save(runtime: Runtime, client, context, view: dict) -> list[str]:
    form = SettingsForm.model_validate(view_values(view))
    if not is_workspace_admin(client, context.user_id):  # checked again on save, never taken from the view
        raise InvalidInput({"nudge_weekday": SETTINGS_ADMINS_ONLY})
    return save_settings(runtime, context.team_id, form.windows(), form.schedule(), form.capture())


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.OPEN_SETTINGS)
    @guarded
    def settings_button(ack, body, client, context, respond):
        ack()
        open_settings(runtime, client, body, context)

    @app.view(ids.SETTINGS_MODAL, middleware=[modal_context()])
    @guarded
    def submit(ack, body, view, client, context, respond):
        modal = context["modal"]
        changed = save_or_explain(ack, context, "nudge_weekday", lambda: _save(runtime, client, context, view))
        if changed is None:
            return
        if changed:
            log.info("%s changed the settings of %s: %s", context.user_id, context.team_id, "; ".join(changed))
        after_ack(runtime, tell_later, runtime, modal.response_url, settings_saved(changed), body=body, respond=respond)
