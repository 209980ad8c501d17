"""`/stakemap report [mine|all|@csm|chart|digest …]`: the leader's report, only to the caller (SPEC §7).

The report is read after the ack and answered ephemerally. `report chart` (and the report's Trend chart
button) uploads the trend picture, only where it stays internal: the caller's DM with the bot, or a channel
conversations.info says is not shared with another organisation. `report digest #channel monday 09:00`
(workspace admins) names where the weekly leader digest goes; a shared channel is refused.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import time

from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackRequestError

from app.core.workspace_settings import WEEKDAYS
from app.platform.runtime import Runtime
from app.render.report_chart import draw_trend
from app.services.report import change_leader_settings, report_now
from blocks import ids
from blocks.notices import chart_upload_failed, plain_notice, trend_upload_refused
from blocks.report import (
    ADMINS_ONLY,
    CHART_WHERE,
    DIGEST_OFF,
    digest_refused_shared,
    digest_saved,
    digest_setting_usage,
    report_message,
    report_usage,
)
from handlers.common.after_ack import after_ack
from handlers.common.channels import channel_is_shared
from handlers.common.charts import upload_chart
from handlers.common.errors import guarded
from handlers.common.payloads import action_value
from handlers.common.permissions import is_workspace_admin
from handlers.common.replies import tell
from handlers.common.requests import CommandRequest

log = logging.getLogger(__name__)

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")  # Slack's escaped user mention: <@U123|name>
CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")  # <#C123|name>
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
ALL = "all"


@dataclass(frozen=True)
class Scope:
    owner: str | None  # None: every account
    chart: bool = False


def parse_scope(text: str, caller: str) -> Scope | None:
    """'' / all → everyone; mine → the caller; <@U…> → that CSM; a leading 'chart' asks for the picture."""
    words = text.split()
    chart = bool(words) and words[0].lower() == "chart"
    words = words[1:] if chart else words
    if len(words) > 1:
        return None
    word = words[0] if words else ALL
    if word.lower() == ALL:
        return Scope(None, chart)
    if word.lower() == "mine":
        return Scope(caller, chart)
    mention = MENTION.match(word)
    return Scope(mention.group(1), chart) if mention else None


def report_command(request: CommandRequest) -> None:
    text = request.account.strip()
    if text.split()[:1] and text.split()[0].lower() == "digest":
        after_ack(request.runtime, set_digest, request, text.split()[1:], body=request.body, respond=request.respond)
        return
    scope = parse_scope(text, request.context.user_id)
    if scope is None:
        tell(request.respond, plain_notice(report_usage(text)))
        return
    if scope.chart:
        after_ack(request.runtime, share_trend, request.runtime, request.client, request.respond, request.team_id,
                  scope.owner, request.context.channel_id, body=request.body, respond=request.respond)
        return
    after_ack(request.runtime, show_report, request.runtime, request.respond, request.team_id, scope.owner,
              body=request.body, respond=request.respond)


def show_report(runtime: Runtime, respond, team_id: str, owner: str | None) -> None:
    tell(respond, report_message(report_now(runtime, team_id, owner)))


def share_trend(runtime: Runtime, client, respond, team_id: str, owner: str | None, channel_id: str | None) -> None:
    """Upload the trend picture where only insiders see it: the DM with the bot or an internal channel."""
    if not channel_id or channel_is_shared(runtime, client, team_id, channel_id):
        tell(respond, plain_notice(CHART_WHERE))
        return
    try:
        upload_chart(client, draw_trend(report_now(runtime, team_id, owner)), channel_id, None)
    except SlackApiError as error:
        tell(respond, trend_upload_refused(error.response.get("error", "error")))
    except (SlackRequestError, OSError) as error:
        log.warning("trend chart upload failed: %s", error)
        tell(respond, chart_upload_failed())


def parse_digest(words: list[str]) -> tuple[str, int, time] | None:
    """'#channel weekday HH:MM' (weekday and time optional: Monday 09:00)."""
    if not words or len(words) > 3 or not CHANNEL.match(words[0]):
        return None
    weekday, at = 0, time(9, 0)
    for word in words[1:]:
        day = next((n for n, name in enumerate(WEEKDAYS) if name.lower().startswith(word.lower()[:3])), None)
        clock = CLOCK.match(word)
        if clock:
            at = time(int(clock.group(1)), int(clock.group(2)))
        elif len(word) >= 3 and day is not None:
            weekday = day
        else:
            return None
    return CHANNEL.match(words[0]).group(1), weekday, at


def set_digest(request: CommandRequest, words: list[str]) -> None:
    runtime, respond = request.runtime, request.respond
    if not is_workspace_admin(request.client, request.context.user_id):
        tell(respond, plain_notice(ADMINS_ONLY))
        return
    if [w.lower() for w in words] == ["off"]:
        change_leader_settings(runtime, request.team_id, channel_id=None)
        tell(respond, plain_notice(DIGEST_OFF))
        return
    parsed = parse_digest(words)
    if parsed is None:
        tell(respond, plain_notice(digest_setting_usage()))
        return
    channel_id, weekday, at = parsed
    if channel_is_shared(runtime, request.client, request.team_id, channel_id):
        tell(respond, plain_notice(digest_refused_shared(channel_id)))
        return
    saved = change_leader_settings(runtime, request.team_id, channel_id=channel_id, weekday=weekday, at=at)
    tell(respond, plain_notice(digest_saved(channel_id, saved.schedule_label)))


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.REPORT_CHART)
    @guarded
    def chart_button(ack, body, client, context, respond):
        ack()
        value = action_value(body)
        owner = value if value and value != ALL and MENTION.match(f"<@{value}>") else None
        after_ack(runtime, share_trend, runtime, client, respond, context.team_id, owner, context.channel_id,
                  body=body, respond=respond)

    @app.action(ids.REPORT_FULL)
    @guarded
    def full_report(ack, body, client, context, respond):
        ack()
        after_ack(runtime, show_report_in_dm, runtime, client, context.team_id, context.user_id,
                  body=body, respond=respond)


def show_report_in_dm(runtime: Runtime, client, team_id: str, user_id: str) -> None:
    """From the App Home (no response_url): the full report in the user's DM with the bot."""
    message = report_message(report_now(runtime, team_id))
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False)
