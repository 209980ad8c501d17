"""Pictures: `/stakemap chart <account>` and the map's Chart button upload one PNG to the channel, or,
where the channel is shared with another organisation, to the caller's DM with the bot.

The listener acks first; the picture is drawn and uploaded afterwards on the runtime's after-ack pool
(files_upload_v2: title and alt text), as a reply in the map's thread when a map's Chart button asked.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackRequestError

from app.core.errors import NotFound
from app.platform.runtime import Runtime
from app.platform.slack_client import conversation_opener
from app.render.chart import draw_chart
from app.services.contacts import account_and_people
from app.services.slack_users import dm_channel
from blocks import ids
from blocks.notices import (
    chart_not_here,
    chart_sent_by_dm,
    chart_upload_failed,
    chart_upload_refused,
    charts_need_a_channel,
    plain_notice,
)
from handlers.common.after_ack import after_ack
from handlers.common.channels import channel_is_shared
from handlers.common.charts import upload_chart
from handlers.common.errors import guarded
from handlers.common.maps import requested_account
from handlers.common.payloads import action_value, int_or_none, message_origin
from handlers.common.replies import tell
from handlers.common.requests import CommandRequest

log = logging.getLogger(__name__)
NOT_A_MEMBER = ("not_in_channel", "channel_not_found", "is_archived")


def share_chart(runtime: Runtime, client, respond, team_id: str, account_id: int, channel_id: str | None,
                thread_ts: str | None = None, user_id: str | None = None) -> None:
    """Draw the account's picture and upload it to the channel (in the thread when given); where the
    channel is shared with another organisation (or Slack does not say), to the caller's DM with the bot."""
    try:
        account, contacts = account_and_people(runtime, team_id, account_id)
        name = account.name
    except NotFound as error:
        tell(respond, plain_notice(str(error)))
        return
    if not channel_id:
        tell(respond, charts_need_a_channel())
        return
    private = channel_is_shared(runtime, client, team_id, channel_id)
    if private and not user_id:
        tell(respond, chart_not_here())
        return
    chart = draw_chart(name, contacts, runtime.today())
    try:
        if private:
            upload_chart(client, chart, dm_channel(runtime, team_id, user_id, conversation_opener(client)), None)
            tell(respond, chart_sent_by_dm(name))
        else:
            upload_chart(client, chart, channel_id, thread_ts)
    except SlackApiError as error:
        code = error.response.get("error", "error")
        log.warning("chart upload refused by Slack: %s", code)
        tell(respond, chart_upload_refused(code, not_a_member=code in NOT_A_MEMBER))
    except (SlackRequestError, OSError) as error:
        log.warning("chart upload failed: %s", error)
        tell(respond, chart_upload_failed())


def chart_command(request: CommandRequest) -> None:
    after_ack(request.runtime, _chart_named, request, body=request.body, respond=request.respond)


def _chart_named(request: CommandRequest) -> None:
    account = requested_account(request)
    if account is not None:
        share_chart(request.runtime, request.client, request.respond, request.team_id, account.id,
                    request.context.channel_id, user_id=request.context.user_id)


def register(app: App, runtime: Runtime) -> None:
    @app.action(ids.SHOW_CHART)
    @guarded
    def chart_button(ack, body, client, context, respond):
        ack()
        channel_id, message_ts = message_origin(body)
        after_ack(runtime, share_chart, runtime, client, respond, context.team_id,
                  int_or_none(action_value(body)) or 0, channel_id or context.channel_id, message_ts,
                  context.user_id, body=body, respond=respond)
