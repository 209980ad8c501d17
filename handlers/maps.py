"""Maps: posted where they were asked for, opened in a modal from the App Home, redrawn after a change."""

from __future__ import annotations

import logging
import re

from slack_bolt import App

from app.platform.runtime import Runtime
from blocks import ids
from blocks.map import map_modal
from handlers.common.after_ack import after_ack
from handlers.common.errors import guarded
from handlers.common.maps import (
    map_now,
    modal_metadata,
    show_map,
)
from handlers.common.payloads import clicked_id
from handlers.common.replies import open_modal
from handlers.common.requests import CommandRequest

log = logging.getLogger(__name__)


def show_command(request: CommandRequest) -> None:
    after_ack(request.runtime, show_map, request.runtime, request.client, request.respond, request.team_id,
              request.context.channel_id, request.account, body=request.body, respond=request.respond)


# --- redrawing a map after a change made from it ---------------------------------------------------


def register(app: App, runtime: Runtime) -> None:
    @app.action(re.compile(rf"^{ids.HOME_OPEN_MAP}(:\d+)?$"))  # "home_open_map:<n>" where a message lists several
    @guarded
    def open_map(ack, body, client, context, respond):
        ack()
        account_id = clicked_id(body)
        message = map_now(runtime, context.team_id, account_id)
        open_modal(client, body, map_modal(message, modal_metadata(context.team_id, account_id)))
