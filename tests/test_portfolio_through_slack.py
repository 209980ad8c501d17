"""`/stakemap list` and `list all`: the caller's (or every) account ranked by risk, only to the caller."""

from tests.block_limits import message_problems
from tests.conftest import TEAM
from tests.seeding import many_accounts, seed_demo
from tests.sql_counter import count_statements


def lines(reply: dict) -> list[str]:
    return [line for b in reply["blocks"] if b["type"] == "section" for line in b["text"]["text"].splitlines()]


def test_list_shows_my_accounts_ranked_with_the_main_reason(slack, runtime):
    seed_demo(runtime, TEAM)
    with runtime.db.session() as session:
        from app.services.accounts import find_account

        find_account(session, TEAM, "Globex").owner_user_id = "U0SOMEONE"
    slack.command("list")
    reply = slack.reply()
    assert reply["response_type"] == "ephemeral" and message_problems(reply["blocks"], reply["text"]) == []
    assert lines(reply) == [
        "*Your accounts by risk* (2): 🔴 2 high · 🟠 0 medium · 🟢 0 low",
        "🔴 *Initech* — No active contact · Renewal Apr 21, 2026 (in 42 days) · EUR 65,000 · gaps: Champion, "
        "Economic Buyer, Executive Sponsor, Breadth, Depth, Detractors · 2 stale",
        "🔴 *Acme* — No economic buyer engaged · Renewal Jun 30, 2026 (in 112 days) · EUR 120,000 · gaps: "
        "Economic Buyer, Executive Sponsor, Breadth, Depth · 1 stale",
    ]
    slack.command("LIST all")
    everyone = lines(slack.reply())
    assert everyone[0] == "*All accounts by risk* (3): 🔴 2 high · 🟠 0 medium · 🟢 1 low"
    assert everyone[-1].startswith("🟢 *Globex* — 3+ active contacts across levels and functions")


def test_list_in_another_workspace_and_without_accounts(slack, other_slack, runtime):
    seed_demo(runtime, TEAM)
    other_slack.command("list all")
    assert other_slack.reply()["text"] == "No accounts in this workspace yet: create one with `/stakemap new &lt;account&gt;`."
    other_slack.command("list")
    assert other_slack.reply()["text"].startswith("You own no accounts yet.")
    slack.command("list everything")
    assert "`/stakemap list` shows your accounts and `/stakemap list all` every account" in slack.reply()["text"]


def test_list_reads_a_fixed_number_of_statements_and_fits_a_message(slack, runtime):
    many_accounts(runtime, TEAM, "U0CSM", 250, contacts_each=0)
    with count_statements(runtime.db.engine) as statements:
        slack.command("list")
        reply = slack.reply()
    reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(reads) <= 4  # the portfolio's four statements, whatever the number of accounts
    assert message_problems(reply["blocks"], reply["text"]) == []
    assert reply["blocks"][-1]["elements"][0]["text"] == (
        "Showing the 200 riskiest of 250 accounts; the App Home pages through them all.")
