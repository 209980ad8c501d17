"""The multi-threading plan: the plan-step modal, accepting a suggestion, marking a step done."""

from __future__ import annotations

import re
from functools import partial

from slack_bolt import App

from app.core.models import PlanStepCreate
from app.platform.runtime import Runtime
from app.services.plans import accept_suggestion, complete_step, plan_step
from blocks import ids
from blocks.notices import plain_notice, step_added, step_exists
from handlers.common.after_ack import after_action, after_modal
from handlers.common.errors import guarded
from handlers.common.forms import save_or_explain
from handlers.common.openers import for_named_account, open_plan_modal
from handlers.common.payloads import (
    ModalContext,
    action_value,
    clicked_id,
    id_and_rest,
    int_or_none,
    modal_context,
    validated,
    view_values,
)
from handlers.common.replies import answer

plan_command = for_named_account(open_plan_modal)


def _add(runtime: Runtime, context, modal: ModalContext, values: dict) -> str:
    data = validated(PlanStepCreate, values, runtime.today())
    account = plan_step(runtime, context.team_id, modal.account_id, data, context.user_id)
    return step_added(account.name, data.first_action)


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.ADD_PLAN_STEP)
    @guarded
    def add_button(ack, body, client, context, respond):
        ack()
        open_plan_modal(runtime, client, body, context, respond, clicked_id(body))

    @app.action(ids.STRATEGY_PLAN)
    @guarded
    def plan_for_person(ack, body, client, context, respond):
        ack()
        account_id, contact_id = id_and_rest(body)
        open_plan_modal(runtime, client, body, context, respond, account_id, int_or_none(contact_id) or 0)

    @app.view(ids.PLAN_MODAL, middleware=[modal_context("account_id")])
    @guarded
    def submit(ack, body, view, context, respond, client):
        modal = context["modal"]
        said = save_or_explain(ack, context, "target_role", lambda: _add(runtime, context, modal, view_values(view)))
        if said is not None:
            after_modal(runtime, client, context, modal, modal.account_id, partial(plain_notice, said), body=body,
                        respond=respond)

    @app.action(re.compile(rf"^{ids.PLAN_ACCEPT}:\d+$"))
    @guarded
    def accept(ack, body, client, context, respond):
        ack()
        account_id, key = id_and_rest(body)
        step = accept_suggestion(runtime, context.team_id, account_id, key, context.user_id)
        if step is None:
            answer(client, body, respond, step_exists())
        after_action(runtime, client, context, body, respond, account_id)

    @app.action(re.compile(rf"^{ids.PLAN_DONE}:\d+$"))
    @guarded
    def done(ack, body, client, context, respond):
        ack()
        step = complete_step(runtime, context.team_id, int_or_none(action_value(body)) or 0, context.user_id)
        after_action(runtime, client, context, body, respond, step.account_id)
