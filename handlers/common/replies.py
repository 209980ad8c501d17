"""Answers to the person acting: ephemeral through the response_url Slack gave us, or a modal."""

from __future__ import annotations

import logging

from app.platform.runtime import Runtime
from app.platform.slack_client import post_ephemeral
from blocks.modals import notice_modal
from blocks.notices import Notice
from handlers.common.payloads import acting_view

log = logging.getLogger(__name__)


def tell(respond, notice: Notice) -> None:
    """Ephemeral reply to the command or action being handled (Slack always gives a response_url)."""
    if not getattr(respond, "response_url", None):
        log.info("no response_url to answer on")  # never the reply: it holds names
        return
    respond(response_type="ephemeral", replace_original=False, text=notice.text, blocks=notice.blocks)


def tell_later(runtime: Runtime, response_url: str | None, notice: Notice) -> None:
    """Ephemeral reply after a modal closes, to where the modal was opened from (when known)."""
    post_ephemeral(runtime.settings, response_url, notice.text, notice.blocks)


def open_modal(client, body: dict, view: dict) -> None:
    """Open a modal; pushed on top when the action came from a modal (a map opened from the App Home).
    Slack always sends a trigger_id with a command or a click; without one there is nothing to open."""
    trigger_id = body.get("trigger_id")
    if not isinstance(trigger_id, str):
        log.info("no trigger_id to open a modal with")
        return
    if acting_view(body):
        client.views_push(trigger_id=trigger_id, view=view)
    else:
        client.views_open(trigger_id=trigger_id, view=view)


def answer(client, body: dict, respond, notice: Notice) -> None:
    """Tell the person acting: ephemerally where Slack gave a response_url, else (App Home, modal) in a modal."""
    if getattr(respond, "response_url", None):
        tell(respond, notice)
    elif client is not None and isinstance(body.get("trigger_id"), str):
        open_modal(client, body, notice_modal(notice.text))
