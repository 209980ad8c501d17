"""Accounts ranked by risk, as `/stakemap list` answers and the App Home lists them."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ContextBlock

from app.core.assessment import Assessment
from app.core.format import RISK_BADGE, money, renewal_text
from app.core.portfolio import main_reason, stale_count
from blocks.notices import Notice
from blocks.serialize import as_json
from blocks.text import chunk_lines, field, mrkdwn, section

LIST_MAX_SECTIONS = 45  # of a 50-block message
LIST_MAX_ACCOUNTS = 200  # the riskiest; the rest are counted


def gap_words(assessment: Assessment) -> str:
    """"Economic Buyer, Executive Sponsor, Breadth": the dimensions not covered, in a few words."""
    return ", ".join(dimension.label.split(" (")[0] for dimension in assessment.gaps)


def account_headline(assessment: Assessment) -> str:
    """"🔴 *Acme* — No economic buyer engaged"."""
    return f"{RISK_BADGE[assessment.overall_risk]} *{field(assessment.account.name, 120)}* — {main_reason(assessment)}"


def account_facts(assessment: Assessment) -> str:
    """Renewal, ARR, coverage gaps and stale relationships of one account, on one line."""
    account = assessment.account
    facts = [f"Renewal {renewal_text(account.renewal_date, assessment.today)}"]
    if account.arr_amount is not None:
        facts.append(money(account.arr_amount, account.currency))
    gaps = gap_words(assessment)
    facts.append(f"gaps: {gaps}" if gaps else "no coverage gaps")
    stale = stale_count(assessment)
    if stale:
        facts.append(f"{stale} stale")
    return " · ".join(facts)


def risk_counts(assessments: Sequence[Assessment]) -> str:
    """"🔴 3 high · 🟠 5 medium · 🟢 4 low"."""
    counts = {risk: 0 for risk in sorted(RISK_BADGE, reverse=True)}
    for assessment in assessments:
        counts[assessment.overall_risk] += 1
    return " · ".join(f"{RISK_BADGE[risk]} {n} {risk.label.lower()}" for risk, n in counts.items())


def portfolio_notice(ranked: Sequence[Assessment], whose: str) -> Notice:
    """The accounts (already ranked) as lines, riskiest first; `whose` is "Your" or "All"."""
    title = f"*{whose} accounts by risk* ({len(ranked)}): {risk_counts(ranked)}"
    shown = ranked[:LIST_MAX_ACCOUNTS]
    lines = [f"{account_headline(a)} · {account_facts(a)}" for a in shown]
    chunks = chunk_lines(lines, max_chunks=LIST_MAX_SECTIONS, more="…and {n} more accounts")
    blocks = [section(title), *(section(chunk) for chunk in chunks)]
    if len(shown) < len(ranked):
        note = f"Showing the {len(shown)} riskiest of {len(ranked)} accounts; the App Home pages through them all."
        blocks.append(ContextBlock(elements=[mrkdwn(note)]))
    text = f"{whose} accounts by risk: {len(ranked)} ({risk_counts(ranked)})."
    return Notice(text=text, blocks=as_json(blocks))
