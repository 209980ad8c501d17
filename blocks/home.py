"""The App Home: the user's accounts ranked by risk and the relationships that went stale.

Stays within a view's 100 blocks whatever the portfolio's size: the stale list shows the most urgent
few, the accounts come a page at a time.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
)
from slack_sdk.models.views import View

from app.core.portfolio import Portfolio
from app.core.report import Report
from blocks import ids
from blocks.portfolio import account_facts, account_headline, risk_counts
from blocks.report import portfolio_home_section
from blocks.serialize import as_json
from blocks.stale import stale_item_text
from blocks.text import mrkdwn, plain, section

PAGE_SIZE = 20  # accounts per page
STALE_SHOWN = 10


def page_count(portfolio: Portfolio) -> int:
    return max(1, -(-len(portfolio.accounts) // PAGE_SIZE))


def home_view(portfolio: Portfolio, page: int = 0, report: Report | None = None) -> dict:
    """The Home tab for one user; `page` (from 0) is clamped to the pages there are. With a `report` (a lead
    or a workspace admin), the portfolio report's section comes first."""
    page = min(max(page, 0), page_count(portfolio) - 1)
    blocks: list[Block] = [*_summary(portfolio), DividerBlock()]
    if portfolio.accounts:
        blocks += [*_stale(portfolio), DividerBlock(), *_accounts(portfolio, page)]
    view = as_json(View(type="home", blocks=blocks))
    if report is not None:
        view["blocks"] = [as_json(block) for block in portfolio_home_section(report)] + view["blocks"]
    return view


def _summary(portfolio: Portfolio) -> list[Block]:
    accounts = portfolio.accounts
    if accounts:
        text = (f"*{len(accounts)} accounts* · {risk_counts(accounts)} · "
                f"*{portfolio.stale.total} stale relationships*")
    else:
        text = ("You own no accounts yet. Create one here or with `/stakemap new &lt;account&gt;`: the accounts you own "
                "appear here ranked by risk, with the relationships that went stale.")
    buttons = [ButtonElement(text="New account", action_id=ids.CREATE_ACCOUNT, style="primary"),
               ButtonElement(text="Settings", action_id=ids.OPEN_SETTINGS)]
    return [HeaderBlock(text=plain("Your accounts", 150)), section(text),
            ActionsBlock(block_id="home_actions", elements=buttons)]


# --- stale relationships -------------------------------------------------------------------------


def _stale(portfolio: Portfolio) -> list[Block]:
    stale = portfolio.stale
    if not stale.total:
        return [section("*Stale relationships*\nNone: every active contact was touched within its window.")]
    blocks: list[Block] = [section(f"*Stale relationships* ({stale.total}), most urgent first")]
    shown = stale.items[:STALE_SHOWN]
    for item in shown:
        button = ButtonElement(text="Log touch", action_id=ids.HOME_LOG_TOUCH, value=f"{item.account_id}:{item.contact_id}")
        blocks.append(section(stale_item_text(item, stale.today), accessory=button))
    if stale.total > len(shown):
        rest = stale.total - len(shown)
        blocks.append(ContextBlock(elements=[mrkdwn(f"…and {rest} more: open an account's map to see them all.")]))
    return blocks


# --- accounts ------------------------------------------------------------------------------------


def _accounts(portfolio: Portfolio, page: int) -> list[Block]:
    pages = page_count(portfolio)
    start = page * PAGE_SIZE
    shown = portfolio.accounts[start:start + PAGE_SIZE]
    where = f" — {start + 1}–{start + len(shown)} of {len(portfolio.accounts)}" if pages > 1 else ""
    blocks: list[Block] = [section(f"*Accounts by risk*{where}")]
    for assessment in shown:
        button = ButtonElement(text="Open map", action_id=ids.HOME_OPEN_MAP, value=str(assessment.account.id))
        blocks.append(section(f"{account_headline(assessment)}\n{account_facts(assessment)}", accessory=button))
    pager = [ButtonElement(text=label, action_id=f"{ids.HOME_PAGE}:{target}", value=str(target))
             for label, target in (("← Previous", page - 1), ("Next →", page + 1)) if 0 <= target < pages]
    if pager:
        blocks.append(ActionsBlock(block_id="home_pages", elements=pager))
    return blocks
