"""The /stakemap slash command (SPEC §4 grammar): one table of verbs, the help generated from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App

from app.core.format import one_line
from app.platform.runtime import Runtime
from app.services.channel_links import linked_account_name
from blocks.notices import help_notice
from handlers import accounts, charts, contacts, erasure, maps, plans, portfolio, report, settings, touches
from handlers.common.after_ack import after_ack
from handlers.common.errors import guarded
from handlers.common.replies import tell
from handlers.common.requests import CommandRequest

COMMAND = "/stakemap"


@dataclass(frozen=True)
class Verb:
    run: Callable[[CommandRequest], None]
    takes_account: bool = True  # what each verb does is said in blocks/notices.py (VERB_HELP)


VERBS: dict[str, Verb] = {
    "show": Verb(maps.show_command),
    "new": Verb(accounts.new_command),
    "edit": Verb(accounts.edit_command),
    "link": Verb(accounts.link_command),
    "unlink": Verb(accounts.unlink_command, takes_account=False),
    "add": Verb(contacts.add_command),
    "log": Verb(touches.log_command),
    "plan": Verb(plans.plan_command),
    "chart": Verb(charts.chart_command),
    "list": Verb(portfolio.list_command, takes_account=False),
    "forget": Verb(erasure.forget_command),
    "report": Verb(report.report_command, takes_account=False),
    "settings": Verb(settings.settings_command, takes_account=False),
}


@dataclass(frozen=True)
class Command:
    verb: str  # "here" (nothing typed), "help" or a key of VERBS
    account: str  # the rest of the text: the account name, any characters


def parse_command(typed: object) -> Command:
    """The command's text (anything but a string counts as nothing): nothing → here; help → help;
    '<verb> <account>' for a known verb; anything else is an account to show."""
    text = one_line(typed) if isinstance(typed, str) else ""
    words = text.split(maxsplit=1)
    if not words:
        return Command("here", "")
    if len(words) == 1 and words[0].lower() == "help":
        return Command("help", "")
    verb = VERBS.get(words[0].lower())
    if verb is not None and (len(words) == 2 or not verb.takes_account):
        return Command(words[0].lower(), words[1].strip() if len(words) == 2 else "")
    return Command("show", text.strip())


def show_help(respond) -> None:
    tell(respond, help_notice(COMMAND, [(name, verb.takes_account) for name, verb in VERBS.items()]))


def help_or_channel_map(runtime: Runtime, client, body: dict, respond, context) -> None:
    """`/stakemap` alone in a channel linked to an account shows that account's map; else the help."""
    linked = linked_account_name(runtime, context.team_id, context.channel_id)
    if linked is not None:
        after_ack(runtime, maps.show_map, runtime, client, respond, context.team_id, context.channel_id, linked,
                  body=body, respond=respond)
    else:
        show_help(respond)


def register(app: App, runtime: Runtime) -> None:
    @app.command(COMMAND)
    @guarded
    def stakemap(ack, body, respond, client, context):
        ack()
        command = parse_command(body.get("text"))
        if command.verb == "help":
            show_help(respond)
            return
        if command.verb == "here":
            help_or_channel_map(runtime, client, body, respond, context)
            return
        request = CommandRequest(runtime, client, body, context, respond, command.account, context.team_id,
                                 one_line(body.get("channel_name") or "")[:80])
        VERBS[command.verb].run(request)
