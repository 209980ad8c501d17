"""/stakemap settings: anyone may read the workspace's settings; workspace admins change them."""

from __future__ import annotations

import logging

from pydantic import ValidationError
from slack_bolt import App

from app.models import Workspace
from app.runtime import Runtime
from app.sweep import SLACK_FAILURES
from app.validation import field_errors
from app.workspaces import SettingsForm, settings_of, update_settings
from blocks import ids
from blocks.notices import plain_notice
from blocks.settings import settings_modal
from handlers.payloads import ModalContext, view_values
from handlers.replies import tell_later
from handlers.requests import CommandRequest

log = logging.getLogger(__name__)
ADMINS_ONLY = "Only workspace admins can change stakemap's settings."


def is_admin(client, user_id: str) -> bool:
    """A workspace admin or owner, as users.info says now (never taken from the payload)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SLACK_FAILURES as error:
        log.warning("users.info %s failed (%s): treating as not an admin", user_id, error)
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def settings_command(request: CommandRequest) -> None:
    runtime, context = request.runtime, request.context
    editable = is_admin(request.client, context.user_id)
    with runtime.db.session() as session:
        current = settings_of(session.get(Workspace, context.team_id))
    metadata = ModalContext.opened_from(context, request.body).dump()
    request.client.views_open(trigger_id=request.body["trigger_id"],
                              view=settings_modal(current, metadata, editable=editable))


def register(app: App, runtime: Runtime) -> None:
    @app.view(ids.SETTINGS_MODAL)
    def submit(ack, view, client, context):
        modal = ModalContext.load(view, context.team_id)
        if modal is None:
            ack()
            return
        try:
            form = SettingsForm.model_validate(view_values(view))
        except ValidationError as error:
            ack(response_action="errors", errors=field_errors(error, "nudge_weekday"))
            return
        if not is_admin(client, context.user_id):
            ack(response_action="errors", errors={"nudge_weekday": ADMINS_ONLY})
            return
        with runtime.db.session() as session:
            changed = update_settings(session, context.team_id, form.windows(), form.schedule(), runtime.now())
        ack()
        if changed:
            log.info("%s changed the settings of %s: %s", context.user_id, context.team_id, "; ".join(changed))
        saved = "Saved: " + "; ".join(changed) + "." if changed else "Nothing changed."
        tell_later(runtime, modal.response_url, plain_notice(saved))
