"""Answers only the caller sees, through the response_url Slack gave us."""

from __future__ import annotations

import logging

from slack_sdk.webhook import WebhookClient

from app.runtime import Runtime
from blocks.notices import Notice

log = logging.getLogger(__name__)


def tell(respond, notice: Notice) -> None:
    """Ephemeral reply to the command or action being handled (Slack always gives a response_url)."""
    if not getattr(respond, "response_url", None):
        log.warning("no response_url to answer on; the reply was: %s", notice.text[:80])
        return
    respond(response_type="ephemeral", replace_original=False, text=notice.text, blocks=notice.blocks)


def tell_later(runtime: Runtime, response_url: str | None, notice: Notice) -> None:
    """Ephemeral reply after a modal closes, to where the modal was opened from (when known)."""
    if not response_url or not runtime.settings.trusted_response_url(response_url):
        return
    response = WebhookClient(response_url).send(
        text=notice.text, blocks=notice.blocks, response_type="ephemeral", replace_original=False
    )
    if response.status_code != 200:
        log.warning("response_url answered %s: %s", response.status_code, response.body)
