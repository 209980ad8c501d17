"""The leader's report in Slack: `/stakemap report` (only to the caller), the weekly leader digest, and the
Portfolio section at the top of a lead's App Home. Every sentence of those surfaces is built here."""

from __future__ import annotations

import re

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
)

from app.core.format import RISK_BADGE, long_date
from app.core.report import Report, accounts_text, change_text, money_text, percent_text, rates_text
from blocks import ids
from blocks.notices import Notice
from blocks.text import chunk_lines, esc, field, mrkdwn, plain, section

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
CSM_SECTIONS = 3
DIGEST_AT_RISK = 5


def who(user_id: str | None) -> str:
    """A Slack mention for a real user id; anything else is escaped text."""
    if user_id is None:
        return "_no owner_"
    return f"<@{user_id}>" if USER_ID.match(user_id) else esc(user_id)


def scope_words(report: Report) -> str:
    return f"{who(report.owner_user_id)}'s accounts" if report.owner_user_id else "every account"


def headline_lines(report: Report) -> list[str]:
    lines = []
    for h in report.headlines:
        share = f" ({percent_text(h.share)})" if h.key != "renewing" else ""
        lines.append(f"*{h.label}:* {esc(money_text(h.now))}{share} · {esc(change_text(h))}")
    return lines


def _headline_section(report: Report) -> Block:
    title = (f"*Renewing by {long_date(report.horizon_end)}* — change vs {report.compared_week} "
             f"(4 weeks ago)")
    return section("\n".join([title, *headline_lines(report)]))


def risk_line(report: Report) -> str:
    return " · ".join(f"{RISK_BADGE[row.risk]} {row.risk.label}: {accounts_text(row.accounts)}, {esc(money_text(row.arr))}"
                      for row in report.by_risk)


def _csm_lines(report: Report) -> list[str]:
    return [f"{who(row.user_id)}: {accounts_text(row.accounts)} · {esc(money_text(row.arr))} · high risk "
            f"{esc(money_text(row.high_risk_arr))} · {row.overdue} overdue · touches {row.touches_7} / {row.touches_30}"
            for row in report.csms]


def _at_risk_blocks(report: Report, limit: int | None = None) -> list[Block]:
    items = report.at_risk[:limit] if limit else report.at_risk
    if not items:
        return [section("*Largest renewals at risk*\nNone: no high- or medium-risk account renews in the next 90 days.")]
    blocks: list[Block] = [section(f"*Largest renewals at risk* ({len(items)})")]
    for n, item in enumerate(items):
        text = (f"{RISK_BADGE[item.risk]} *{field(item.name, 120)}* · {esc(money_text(item.arr))} · renews "
                f"{long_date(item.renewal_date)} · {who(item.owner_user_id)}\n{esc(item.reason)}")
        button = ButtonElement(text="Open map", action_id=f"{ids.HOME_OPEN_MAP}:{n}", value=str(item.account_id))
        blocks.append(section(text, accessory=button))
    return blocks


def _summary_text(report: Report) -> str:
    renewing = report.headline("renewing")
    single = report.headline("single_threaded")
    return (f"Portfolio report ({report.week}): {money_text(renewing.now)} renewing in 90 days, "
            f"{percent_text(single.share)} single-threaded.")


def report_message(report: Report) -> Notice:
    """The full report, only to the caller."""
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"Portfolio report — {long_date(report.today)}", 150)),
        ContextBlock(elements=[mrkdwn(f"{accounts_text(report.accounts)} ({scope_words(report)}) · "
                                      f"{esc(rates_text(report))}")]),
        _headline_section(report),
        section(f"*By risk*\n{risk_line(report)}"),
    ]
    lines = _csm_lines(report)
    if lines:
        chunks = chunk_lines(lines, CSM_SECTIONS, more="…and {n} more CSMs")
        blocks += [section(f"*Per CSM* (touches logged: last 7 / 30 days)\n{chunks[0]}"),
                   *(section(chunk) for chunk in chunks[1:])]
    blocks += [DividerBlock(), *_at_risk_blocks(report),
               ActionsBlock(block_id="report_actions", elements=[
                   ButtonElement(text="Trend chart", action_id=ids.REPORT_CHART, value=report.owner_user_id or "all")])]
    return Notice(text=esc(_summary_text(report)), blocks=[block.to_dict() for block in blocks])


def leader_digest_message(report: Report) -> Notice:
    """The weekly leader digest: the headline numbers and the top renewals at risk."""
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"Weekly portfolio digest — {report.week}", 150)),
        _headline_section(report),
        section(f"*By risk*\n{risk_line(report)}"),
        *_at_risk_blocks(report, DIGEST_AT_RISK),
        ContextBlock(elements=[mrkdwn(f"{esc(rates_text(report))} `/stakemap report` gives the full report.")]),
    ]
    return Notice(text=esc(_summary_text(report)), blocks=[block.to_dict() for block in blocks])


def portfolio_home_section(report: Report) -> list[Block]:
    """The Portfolio section at the top of a lead's App Home: headline numbers and a Full report button."""
    button = ButtonElement(text="Full report", action_id=ids.REPORT_FULL, style="primary")
    return [
        HeaderBlock(text=plain("Portfolio", 150)),
        section("\n".join(headline_lines(report))),
        section(f"*By risk*\n{risk_line(report)}", accessory=button),
        DividerBlock(),
    ]


def report_usage(typed: str) -> str:
    return (f"`/stakemap report` shows the portfolio of every account; `report mine` your accounts; "
            f"`report @someone` one CSM's; `report chart` the trend picture. I did not understand “{field(typed, 100)}”.")


def digest_setting_usage() -> str:
    return ("To post the weekly leader digest, a workspace admin types "
            "`/stakemap report digest #channel monday 09:00` (UTC); `/stakemap report digest off` stops it.")


def digest_saved(channel_id: str, schedule: str) -> str:
    return f"The weekly leader digest will be posted in <#{channel_id}> every {schedule}."


def digest_refused_shared(channel_id: str) -> str:
    return (f"<#{channel_id}> is shared with another organisation (or I cannot tell): the leader digest is "
            f"internal, so pick an internal channel.")


DIGEST_OFF = "The weekly leader digest is off."
ADMINS_ONLY = "Only workspace admins can set where the leader digest goes."
CHART_WHERE = ("The trend chart is only shared privately: run `/stakemap report chart` in your DM with me or in an "
               "internal channel.")
