"""The /stakemap slash command (SPEC §4 grammar)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from app.runtime import Runtime
from blocks.notices import help_notice
from handlers import accounts, contacts, touches
from handlers.maps import show_map
from handlers.payloads import text_of
from handlers.replies import tell

COMMAND = "/stakemap"
VERBS = ("help", "show", "new", "add", "log")


@dataclass(frozen=True)
class Command:
    verb: str  # one of VERBS
    account: str  # the rest of the text: the account name, any characters


def parse_command(text: str) -> Command:
    """'' / help → help; '<verb> <account>' for a known verb; anything else is an account to show."""
    words = text.split(maxsplit=1)
    if not words or (len(words) == 1 and words[0].lower() == "help"):
        return Command("help", "")
    verb = words[0].lower()
    if verb in VERBS and verb != "help" and len(words) == 2:
        return Command(verb, words[1].strip())
    return Command("show", text.strip())


def register(app: App, runtime: Runtime) -> None:
    @app.command(COMMAND)
    def stakemap(ack, body, respond, client, context):
        ack()
        command = parse_command(text_of(body, "text"))
        if command.verb == "help":
            tell(respond, help_notice())
        elif command.verb == "show":
            show_map(runtime, respond, context.team_id, command.account)
        elif command.verb == "new":
            accounts.open_account_modal(client, body, context, command.account)
        elif command.verb == "add":
            contacts.open_contact_modal_for(runtime, client, body, context, respond, command.account)
        elif command.verb == "log":
            touches.open_touch_modal_for(runtime, client, body, context, respond, command.account)

