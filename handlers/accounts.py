"""Creating accounts: the account modal, the 'Create' and 'Show' buttons of the unknown-account notice."""

from __future__ import annotations

import re

from slack_bolt import App

from app.core.models import AccountCreate
from app.platform.runtime import Runtime
from app.platform.slack_client import backfill_budget, history_reader, user_asker
from app.services.accounts import create_account, find_account, update_account
from app.services.capture_backfill import backfill_channel
from app.services.channel_links import account_channels, link_channel, unlink_channel
from blocks import ids
from blocks.modals import AccountForm, account_modal
from blocks.notices import (
    account_created,
    account_saved,
    channel_linked,
    channel_not_linked,
    channel_unlinked,
    link_from_a_channel,
    linked_shared_channel,
)
from handlers.common.after_ack import after_ack, after_modal
from handlers.common.channels import channel_is_shared
from handlers.common.errors import guarded
from handlers.common.forms import save_or_explain
from handlers.common.maps import show_map, tell_unknown
from handlers.common.payloads import ModalContext, action_value, modal_context, validated, view_values
from handlers.common.replies import open_modal, tell
from handlers.common.requests import CommandRequest


def open_account_modal(client, body: dict, context, name: str) -> None:
    form = AccountForm(name=name, owner_user_id=context.user_id)
    metadata = ModalContext.opened_from(context, body).dump()
    open_modal(client, body, account_modal(form, metadata))


def edit_command(request: CommandRequest) -> None:
    """`/stakemap edit Acme`: the account modal, prefilled, with its linked channels, domains and capture switch."""
    with request.runtime.db.session() as session:
        account = find_account(session, request.team_id, request.account)
        if account is not None:
            links = account_channels(session, request.team_id, [account.id]).get(account.id, [])
            form = AccountForm(name=account.name, arr=f"{account.arr_amount:f}" if account.arr_amount is not None else None,
                               currency=account.currency, renewal_date=account.renewal_date,
                               owner_user_id=account.owner_user_id, domains=account.domains,
                               capture_enabled=account.capture_enabled,
                               linked_channels=tuple(link.channel_id for link in links), editing=True)
            metadata = ModalContext.opened_from(request.context, request.body, account_id=account.id).dump()
    if account is None:
        tell_unknown(request.runtime, request.respond, request.team_id, request.account)
        return
    open_modal(request.client, request.body, account_modal(form, metadata))


def link_command(request: CommandRequest) -> None:
    """`/stakemap link Acme` in a channel: Acme's coverage changes go there, and `/stakemap` there shows it.
    A channel shared with another organisation is linked too, with a warning that nothing is posted in it."""
    channel_id = request.context.channel_id
    if not channel_id or not channel_id.startswith(("C", "G")):
        tell(request.respond, link_from_a_channel())
        return
    with request.runtime.db.session() as session:
        account = find_account(session, request.team_id, request.account)
        if account is not None:
            moved = link_channel(session, account, channel_id, request.runtime.now(), by=request.context.user_id,
                                 name=request.channel_name or None)
            name = account.name
    if account is None:
        tell_unknown(request.runtime, request.respond, request.team_id, request.account)
        return
    runtime = request.runtime
    after_ack(runtime, backfill_channel, runtime.db, request.team_id, channel_id,
              history_reader(request.client, backfill_budget(request.team_id)), user_asker(request.client),
              runtime.now(), body=request.body, respond=request.respond)
    if channel_is_shared(runtime, request.client, request.team_id, channel_id):
        tell(request.respond, linked_shared_channel(name, moved))
        return
    tell(request.respond, channel_linked(name, moved))


def unlink_command(request: CommandRequest) -> None:
    """`/stakemap unlink` in a linked channel: the channel no longer belongs to its account (capture stops)."""
    channel_id = request.context.channel_id
    if not channel_id or not channel_id.startswith(("C", "G")):
        tell(request.respond, link_from_a_channel())
        return
    with request.runtime.db.session() as session:
        account = unlink_channel(session, request.team_id, channel_id, request.runtime.now())
        name = account.name if account is not None else None
    tell(request.respond, channel_unlinked(name) if name else channel_not_linked())


def new_command(request: CommandRequest) -> None:
    open_account_modal(request.client, request.body, request.context, request.account)


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.CREATE_ACCOUNT)
    @guarded
    def create_button(ack, body, client, context, respond):
        ack()
        open_account_modal(client, body, context, action_value(body) or "")

    @app.action(re.compile(rf"^{ids.SHOW_ACCOUNT}:\d+$"))
    @guarded
    def show_button(ack, body, respond, context, client):
        ack()
        after_ack(runtime, show_map, runtime, client, respond, context.team_id, context.channel_id,
                  action_value(body) or "", body=body, respond=respond)

    @app.view(ids.ACCOUNT_MODAL, middleware=[modal_context()])
    @guarded
    def submit(ack, body, view, context, respond, client):
        modal = context["modal"]

        def save() -> str:
            values = {"currency": "", **view_values(view)}
            if modal.account_id is not None:  # editing: the renewal may have passed since it was set
                data = validated(AccountCreate, values, None)
                with runtime.db.session() as session:
                    return update_account(session, context.team_id, modal.account_id, data, runtime.now(),
                                          context.user_id).name
            data = validated(AccountCreate, values, runtime.today())
            with runtime.db.session() as session:
                account = create_account(session, context.team_id, data, context.user_id, runtime.now(),
                                         context.enterprise_id)
                return account.name

        name = save_or_explain(ack, context, "name", save)
        if name is not None:
            notice = account_saved(name) if modal.account_id is not None else account_created(name)
            after_modal(runtime, client, context, modal, None, notice, body=body, respond=respond)

