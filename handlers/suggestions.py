""""Seen in Slack, not on the map" (the map and the weekly digest): *Add to map* opens the contact modal
prefilled from the person's Slack profile and title; *Ignore* means never suggested again."""

from __future__ import annotations

import re

from slack_bolt import App

from app.core.errors import NotFound
from app.platform.runtime import Runtime
from app.services.suggestions import ignore
from blocks import ids
from blocks.capture import ignored, settle_person
from blocks.notices import plain_notice
from handlers.common.after_ack import after_action
from handlers.common.errors import guarded
from handlers.common.openers import open_contact_modal
from handlers.common.payloads import action_value, int_or_none, is_map_message, map_view_id
from handlers.common.replies import answer


def _chosen(body: dict) -> tuple[str, int, str]:
    """(choice, account id, Slack user id) from the menu's selected option ("add|12|U0DANA")."""
    choice, account_id, user_id = ((action_value(body) or "").split("|") + ["", ""])[:3]
    return choice, int_or_none(account_id) or 0, user_id


def _add(runtime: Runtime, client, body: dict, context, respond, account_id: int, user_id: str) -> None:
    open_contact_modal(runtime, client, body, context, respond, account_id, slack_user_id=user_id)


def _ignore(runtime: Runtime, client, body: dict, context, respond, account_id: int, user_id: str) -> None:
    name, account_name = ignore(runtime, context.team_id, account_id, user_id, context.user_id)
    said = plain_notice(ignored(name, account_name))
    if is_map_message(body) or map_view_id(body):
        answer(client, body, respond, said)
        after_action(runtime, client, context, body, respond, account_id)
        return
    message = body.get("message") if isinstance(body.get("message"), dict) else None
    if message and isinstance(message.get("blocks"), list):  # the digest: the row says what was done
        respond(replace_original=True, text=message.get("text") or said.text,
                blocks=settle_person(message["blocks"], account_id, user_id, said.text))
    else:
        answer(client, body, respond, said)


def register(app: App, runtime: Runtime) -> None:
    @app.action(re.compile(rf"^{ids.SEEN_MENU}:\d+:[A-Z0-9]+$"))
    @guarded
    def chosen(ack, body, client, context, respond):
        ack()
        choice, account_id, user_id = _chosen(body)
        act = {ids.SEEN_ADD: _add, ids.SEEN_IGNORE: _ignore}.get(choice)
        if act is None:
            return
        try:
            act(runtime, client, body, context, respond, account_id, user_id)
        except NotFound as error:
            answer(client, body, respond, plain_notice(str(error)))
