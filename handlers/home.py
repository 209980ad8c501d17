"""The App Home: published when the user opens it, a page at a time, and again after each change they make."""

from __future__ import annotations

import logging
import re

from slack_bolt import App

from app.platform.runtime import Runtime
from blocks import ids
from handlers.common.after_ack import after_ack
from handlers.common.errors import guarded
from handlers.common.home import publish_home
from handlers.common.payloads import action_value, int_or_none

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    @app.event("app_home_opened")
    @guarded
    def home_opened(ack, body, event, client, context, respond):
        ack()
        if event.get("tab") == "home":
            after_ack(runtime, publish_home, runtime, client, context.team_id, context.user_id, body=body, respond=respond)

    @app.action(re.compile(rf"^{ids.HOME_PAGE}:\d+$"))
    @guarded
    def turn_page(ack, body, client, context, respond):
        ack()
        page = int_or_none(action_value(body)) or 0
        after_ack(runtime, publish_home, runtime, client, context.team_id, context.user_id, page,
                  body=body, respond=respond)
