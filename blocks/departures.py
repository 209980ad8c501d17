"""The coverage-change message posted when a champion, economic buyer or executive sponsor leaves."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from app.core.departures import Departure
from app.core.format import RISK_BADGE, truncate
from app.core.models import NAME_MAX
from blocks import ids
from blocks.text import Message, compose, field, mention, section


class CoverageMessage(Message):
    """Posted in the account's channel, or sent to its owner."""


def coverage_changed(departure: Departure, by: str | None) -> CoverageMessage:
    title = f" ({field(departure.contact_title, 100)})" if departure.contact_title else ""
    who = f" — recorded by {mention(by)}" if by else ""
    role = departure.contact_type.label.lower()
    lines = [
        f"⚠️ *Coverage changed at {field(departure.account_name, 150)}*: *{field(departure.contact_name, 150)}*"
        f"{title}, the {role}, left the company{who}.",
        f"Overall risk: {_risk(departure)}",
    ]
    step = departure.next_step
    if step is not None:
        lines.append(
            f"💡 *Suggested next step:* {field(step.first_action, 300)} — {field(step.path, 200)} — _{step.timeline.label}_"
        )
    show = ButtonElement(text=truncate(f"Show {departure.account_name}", 75), action_id=f"{ids.SHOW_ACCOUNT}:0",
                         value=departure.account_name[:NAME_MAX])
    blocks = [section("\n".join(lines)), ActionsBlock(block_id="coverage_changed", elements=[show])]
    text = compose("Coverage changed at {account}: {contact} ({role}) left the company. Overall risk: {risk}.",
                   account=field(departure.account_name, 150), contact=field(departure.contact_name, 150),
                   role=departure.contact_type.label, risk=departure.risk_after.label)
    return CoverageMessage(text=text, blocks=[block.to_dict() for block in blocks])


def _risk(departure: Departure) -> str:
    after, before = departure.risk_after, departure.risk_before
    text = f"{RISK_BADGE[after]} *{after.label}*"
    return text if after == before else f"{text} (was {RISK_BADGE[before]} {before.label})"
