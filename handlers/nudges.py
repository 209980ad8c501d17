"""The weekly digest's buttons: Log touch (the touch modal, contact preselected), Snooze 2 weeks,
Left the company. The item clicked then shows what was done instead of its buttons."""

from __future__ import annotations

import re

from slack_bolt import App

from app.core.domain import ContactStatus
from app.core.format import short_date
from app.platform.runtime import Runtime
from app.services.contacts import contact_of, snooze_contact
from blocks import ids
from blocks.digest import settle_item
from blocks.notices import Notice, left_settled, nobody_to_touch, snoozed
from handlers.common.after_ack import after_ack, after_action
from handlers.common.departures import record_departure
from handlers.common.errors import guarded
from handlers.common.openers import open_touch_modal
from handlers.common.payloads import action_value, int_or_none
from handlers.common.replies import answer


def _pattern(action: str) -> re.Pattern:
    return re.compile(rf"^{action}:\d+$")


def settle(respond, body: dict, contact_id: int, notice: Notice) -> None:
    """Replace the clicked item's buttons in the digest with what was done (or just say it)."""
    message = body.get("message") if isinstance(body.get("message"), dict) else None
    blocks = message.get("blocks") if message else None
    if not isinstance(blocks, list):
        respond(response_type="ephemeral", replace_original=False, text=notice.text, blocks=notice.blocks)
        return
    respond(replace_original=True, text=message.get("text") or notice.text,
            blocks=settle_item(blocks, contact_id, notice.text))


def _left(runtime: Runtime, client, context, body: dict, respond, contact_id: int) -> None:
    """After the ack: record the departure, post the coverage change, settle the item."""
    notice = record_departure(runtime, client, context.team_id, contact_id, context.user_id)
    settle(respond, body, contact_id, left_settled(notice))
    after_action(runtime, client, context, body, respond, None)


def register(app: App, runtime: Runtime) -> None:
    @app.action(_pattern(ids.NUDGE_LOG_TOUCH))
    @guarded
    def log_touch(ack, body, client, context, respond):
        ack()
        contact = contact_of(runtime, context.team_id, int_or_none(action_value(body)) or 0)
        if contact.status == ContactStatus.LEFT:
            answer(client, body, respond, nobody_to_touch(contact.display_name))
            return
        open_touch_modal(runtime, client, body, context, respond, contact.account_id, contact.id)

    @app.action(_pattern(ids.NUDGE_SNOOZE))
    @guarded
    def snooze_button(ack, body, client, context, respond):
        ack()
        contact, until = snooze_contact(runtime, context.team_id, int_or_none(action_value(body)) or 0, context.user_id)
        settle(respond, body, contact.id, snoozed(contact.display_name, short_date(until, runtime.today())))
        after_action(runtime, client, context, body, respond, contact.account_id)

    @app.action(_pattern(ids.NUDGE_LEFT))
    @guarded
    def left_button(ack, body, client, context, respond):
        ack()
        contact_id = int_or_none(action_value(body)) or 0
        after_ack(runtime, _left, runtime, client, context, body, respond, contact_id, body=body, respond=respond,
                  client=client)
