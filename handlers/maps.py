"""Posting an account's map where it was asked for."""

from __future__ import annotations

from app.accounts import assess_account, close_matches, find_account
from app.models import Account, Workspace
from app.runtime import Runtime
from app.workspaces import windows_of
from blocks.map import MapMessage, map_message
from blocks.notices import unknown_account
from handlers.errors import after_ack
from handlers.replies import tell
from handlers.requests import CommandRequest


def map_of(runtime: Runtime, session, account) -> MapMessage:
    """The account's map message, rendered once per version of the account, day and staleness windows."""
    windows = windows_of(session.get(Workspace, account.team_id))
    key = ("map", account.id, account.version, runtime.today(), tuple(sorted(windows.items())))
    return runtime.maps.get_or_make(
        key, lambda: map_message(assess_account(session, account, runtime.today()), account.id))


def show_map(runtime: Runtime, respond, team_id: str, name: str) -> None:
    """Post the account's map in the channel, or tell the caller it does not exist."""
    with runtime.db.session() as session:
        account = find_account(session, team_id, name)
        if account is not None:
            message = map_of(runtime, session, account)
    if account is None:
        tell_unknown(runtime, respond, team_id, name)
        return
    respond(response_type="in_channel", replace_original=False, text=message.text, blocks=message.blocks)


def tell_unknown(runtime: Runtime, respond, team_id: str, name: str) -> None:
    """Tell the caller no account has that name, with close matches and a Create button."""
    with runtime.db.session() as session:
        matches = close_matches(session, team_id, name)
    tell(respond, unknown_account(name, matches))


def requested_account(request: CommandRequest) -> Account | None:
    """The account a command names, or None once the caller has been told it does not exist."""
    with request.runtime.db.session() as session:
        account = find_account(session, request.team_id, request.account)
    if account is None:
        tell_unknown(request.runtime, request.respond, request.team_id, request.account)
    return account


def show_command(request: CommandRequest) -> None:
    after_ack(request.runtime, show_map, request.runtime, request.respond, request.team_id, request.account,
              body=request.body, respond=request.respond)
