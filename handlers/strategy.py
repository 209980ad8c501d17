"""Engagement strategy: the map's Accept buttons (one proposal, or all of them)."""

from __future__ import annotations

import re

from slack_bolt import App

from app.platform.runtime import Runtime
from app.services.strategies import accept_strategy
from blocks import ids
from blocks.notices import plain_notice
from blocks.strategy import NOTHING_TO_ACCEPT
from handlers.common.after_ack import after_action
from handlers.common.errors import guarded
from handlers.common.payloads import id_and_rest, int_or_none
from handlers.common.replies import answer


def register(app: App, runtime: Runtime) -> None:
    @app.action(re.compile(rf"^{ids.STRATEGY_ACCEPT}:(\d+|all)$"))
    @guarded
    def accept(ack, body, client, context, respond):
        ack()
        account_id, who = id_and_rest(body)
        contact_id = None if who == "all" else (int_or_none(who) or 0)
        accepted = accept_strategy(runtime, context.team_id, account_id, contact_id, context.user_id)
        if not accepted:
            answer(client, body, respond, plain_notice(NOTHING_TO_ACCEPT))
        after_action(runtime, client, context, body, respond, account_id)
