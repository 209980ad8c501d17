"""The /stakemap slash command (SPEC §4 grammar): one table of verbs, the help generated from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App

from app.platform.runtime import Runtime
from app.services.channel_links import linked_account
from blocks.notices import help_notice
from handlers import accounts, charts, contacts, erasure, maps, plans, portfolio, report, settings, touches
from handlers.common.errors import after_ack, guarded
from handlers.common.payloads import text_of
from handlers.common.replies import tell
from handlers.common.requests import CommandRequest

COMMAND = "/stakemap"


@dataclass(frozen=True)
class Verb:
    run: Callable[[CommandRequest], None]
    does: str  # for the help
    takes_account: bool = True


VERBS: dict[str, Verb] = {
    "show": Verb(maps.show_command, "post the account's stakeholder map in this channel"),
    "new": Verb(accounts.new_command, "create an account"),
    "edit": Verb(accounts.edit_command, "edit the account: owner, renewal, customer e-mail domains, capture from Slack"),
    "link": Verb(accounts.link_command, "link this channel to the account (its map here, its changes posted here)"),
    "unlink": Verb(accounts.unlink_command, "unlink this channel from its account", takes_account=False),
    "add": Verb(contacts.add_command, "add a contact (name optional: “CTO (name unknown)”)"),
    "log": Verb(touches.log_command, "log a call, meeting, e-mail or QBR"),
    "plan": Verb(plans.plan_command, "add a step to the multi-threading plan"),
    "chart": Verb(charts.chart_command, "post the org chart and influence × interest picture in this channel"),
    "list": Verb(portfolio.list_command, "your accounts ranked by risk, only to you (`list all`: every account)",
                 takes_account=False),
    "forget": Verb(erasure.forget_command, "erase a person's personal data (account owner or workspace admin)"),
    "report": Verb(report.report_command, "the portfolio report, only to you (`report mine`, `report @csm`, "
                   "`report chart`, `report digest #channel monday 09:00`)", takes_account=False),
    "settings": Verb(settings.settings_command, "staleness windows and the weekly digest's day and time",
                     takes_account=False),
}


@dataclass(frozen=True)
class Command:
    verb: str  # "help" or a key of VERBS
    account: str  # the rest of the text: the account name, any characters


def parse_command(text: str) -> Command:
    """'' / help → help; '<verb> <account>' for a known verb; anything else is an account to show."""
    words = text.split(maxsplit=1)
    if not words or (len(words) == 1 and words[0].lower() == "help"):
        return Command("help", "")
    verb = VERBS.get(words[0].lower())
    if verb is not None and (len(words) == 2 or not verb.takes_account):
        return Command(words[0].lower(), words[1].strip() if len(words) == 2 else "")
    return Command("show", text.strip())


def usage() -> list[tuple[str, str]]:
    lines = [(f"{COMMAND} <account>", "post the account's stakeholder map in this channel"),
             (COMMAND, "in a channel linked to an account: that account's map")]
    lines += [(f"{COMMAND} {name}" + (" <account>" if verb.takes_account else ""), verb.does)
              for name, verb in VERBS.items() if name != "show"]
    return [*lines, (f"{COMMAND} help", "this help")]


def help_or_channel_map(runtime: Runtime, client, body: dict, respond, context, text: str) -> None:
    """`/stakemap` alone in a channel linked to an account shows that account's map; else the help."""
    linked = None
    if not text:
        with runtime.db.session() as session:
            linked = linked_account(session, context.team_id, context.channel_id)
    if linked is not None:
        after_ack(runtime, maps.show_map, runtime, client, respond, context.team_id, context.channel_id, linked.name,
                  body=body, respond=respond)
    else:
        tell(respond, help_notice(usage()))


def register(app: App, runtime: Runtime) -> None:
    @app.command(COMMAND)
    @guarded
    def stakemap(ack, body, respond, client, context):
        ack()
        text = text_of(body, "text")
        command = parse_command(text)
        if command.verb == "help":
            help_or_channel_map(runtime, client, body, respond, context, text)
            return
        request = CommandRequest(runtime, client, body, context, respond, command.account)
        VERBS[command.verb].run(request)
