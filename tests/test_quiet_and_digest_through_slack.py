"""Going dark (a linked channel that was active and has been quiet for 14 days) on the map and in the weekly
digest, and the digest's "Seen in Slack, not on your maps"."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.core.domain import DeliveryStatus, StakeholderType
from app.core.models import CaptureSuggestion, Contact
from app.core.presence import quiet_days
from app.jobs.sweep import DIGEST_EVENT, run_sweep
from app.platform.slack_client import web_client
from tests.block_limits import message_problems
from tests.handlers.test_nudge_delivery import ledger, stale_accounts
from tests.nudge_world import MONDAY, Person, at, seed_account
from tests.people_world import TEAM, activity, at_noon, link, seen
from tests.seeding import seed_demo


@pytest.mark.parametrize(("messages", "last", "quiet"), [
    (3, 14, 14), (3, 13, None), (2, 40, None), (5, 0, None), (30, 200, 200),
])
def test_the_quiet_rule(messages, last, quiet):
    today = date(2026, 3, 10)
    assert quiet_days(today - timedelta(days=last), messages, today) == quiet


@pytest.fixture
def acme(runtime):
    seed_demo(runtime, TEAM, channel="C0ACME")
    today = runtime.today()
    link(runtime, "Acme", "C0EXTQUIET")
    for days_ago in (45, 30, 20):  # 3 messages in the 30 days up to Feb 18, none since
        activity(runtime, "C0EXTQUIET", today - timedelta(days=days_ago), 1)
    link(runtime, "Acme", "C0EXTBUSY", last_message=at_noon(today - timedelta(days=1)))
    activity(runtime, "C0EXTBUSY", today - timedelta(days=2), 4)
    link(runtime, "Acme", "C0EXTSLOW")
    activity(runtime, "C0EXTSLOW", today - timedelta(days=60), 1)  # 2 messages, never active: not dark
    activity(runtime, "C0EXTSLOW", today - timedelta(days=20), 1)
    link(runtime, "Acme", "C0EXTNEW")


def test_the_map_shows_each_channels_last_message_and_which_went_quiet(slack, acme):
    slack.command("Acme")
    posted = slack.reply()
    assert message_problems(posted["blocks"], posted["text"]) == []
    [line] = [e["text"] for b in posted["blocks"] if b["type"] == "context" for e in b["elements"]
              if e["text"].startswith("*Slack Connect:*")]
    assert line == ("*Slack Connect:* <#C0ACME> no customer message yet"  # the seeded account's own link, first
                    " | <#C0EXTBUSY> last customer message Mar 9 | <#C0EXTNEW> no customer message yet"
                    " | <#C0EXTQUIET> last customer message Feb 18 · 🌑 *quiet for 20 days* | "
                    "<#C0EXTSLOW> last customer message Feb 18")  # linked at one moment: by channel id


def test_a_map_without_linked_channels_says_nothing_of_slack(slack, runtime):
    seed_demo(runtime, TEAM)
    slack.command("Globex")
    assert "Slack Connect" not in str(slack.reply()["blocks"])


# --- the weekly digest -------------------------------------------------------------------------------


def sweep(runtime, when):
    runtime.clock.set(when)
    return run_sweep(runtime, web_client(runtime.settings), TEAM)


def digest_of(standin, user: str) -> dict:
    opened = {c.response["channel"]["id"]: c.body["users"] for c in standin.calls_to("conversations.open", ok=True)}
    [digest] = [c.body for c in standin.calls_to("chat.postMessage", ok=True)
                if (c.body.get("metadata") or {}).get("event_type") == DIGEST_EVENT and opened.get(c.body["channel"]) == user]
    return digest


@pytest.fixture
def ana(standin):
    standin.add_user("U0ANA", "ana", tz="UTC")


def quiet_account(runtime, name: str, owner: str, days: int) -> None:
    seed_account(runtime, name, owner, [Person("Hank Scorpio", touched=3)])
    channel = "C0" + name.upper().replace(" ", "")[:10]
    link(runtime, name, channel)
    activity(runtime, channel, MONDAY - timedelta(days=days), 3)


def test_nothing_stale_but_an_account_went_quiet_and_people_were_seen_still_sends_the_digest(runtime, standin, ana):
    quiet_account(runtime, "Globex", "U0ANA", days=16)
    quiet_account(runtime, "Initech", "U0ANA", days=3)  # not quiet yet
    seen(runtime, "Globex", "U0DANA", 7, "Dana Lee", "VP Engineering")
    report = sweep(runtime, at(MONDAY, 10))
    assert report.sent == ["U0ANA"]
    digest = digest_of(standin, "U0ANA")
    assert message_problems(digest["blocks"], digest["text"]) == []
    texts = [b["text"]["text"] for b in digest["blocks"] if b["type"] == "section"]
    assert "Nothing went stale this week." in texts
    assert "*Gone quiet in Slack*\n🌑 *Globex* — <#C0GLOBEX> quiet for 16 days" in texts
    assert "*Seen in Slack, not on your maps* (1)" in texts
    assert "👤 *Dana Lee* · VP Engineering · *Globex* · 7 messages" in texts
    assert digest["text"] == "1 of your accounts went quiet in Slack; 1 person seen in Slack not on your maps."
    assert ledger(runtime)[("U0ANA", "2026-W11")].status == DeliveryStatus.SENT


def test_no_digest_when_nothing_is_stale_quiet_or_seen(runtime, standin, ana):
    quiet_account(runtime, "Initech", "U0ANA", days=3)
    assert sweep(runtime, at(MONDAY, 10)).empty == ["U0ANA"]


def test_stale_relationships_and_news_fit_one_message(runtime, standin, ana):
    for n in range(12):
        stale_accounts(runtime, "U0ANA") if n == 0 else seed_account(runtime, f"Acme {n}", "U0ANA", [
            Person(f"P{n} A", StakeholderType.CHAMPION, touched=60), Person(f"P{n} B", StakeholderType.DECISION_MAKER,
                                                                             touched=200)])
    quiet_account(runtime, "Quietco", "U0ANA", days=30)
    for n in range(9):
        seen(runtime, "Quietco", f"U0SEEN{n}", 20 - n, f"Seen Person {n}", "Engineer")
    sweep(runtime, at(MONDAY, 10))
    digest = digest_of(standin, "U0ANA")
    assert message_problems(digest["blocks"], digest["text"]) == []
    assert "+4 more seen in Slack." in str(digest["blocks"])
    assert "*Gone quiet in Slack*" in str(digest["blocks"])
    assert "more stale relationships" in str(digest["blocks"])


def test_ignore_from_the_digest_settles_that_row(runtime, standin, ana, slack):
    seed_account(runtime, "Globex", "U0ANA", [Person("Hank Scorpio", touched=3)])
    seen(runtime, "Globex", "U0DANA", 7, "Dana Lee", "VP Engineering")
    sweep(runtime, at(MONDAY, 10))
    digest = digest_of(standin, "U0ANA")
    row = next(b for b in digest["blocks"] if (b.get("accessory") or {}).get("action_id", "").startswith("seen_menu:"))
    ignore = next(o["value"] for o in row["accessory"]["options"] if o["text"]["text"] == "Ignore")
    slack.choose(row["accessory"]["action_id"], ignore, message=digest | {"ts": "1773046800.000100"}, user_id="U0ANA")
    settled = slack.reply()
    assert settled["replace_original"] is True
    assert "*Dana Lee* will not be suggested for *Globex* again." in str(settled["blocks"])
    assert "seen_menu:" not in str(settled["blocks"])
    with runtime.db.session() as session:
        assert session.scalar(select(CaptureSuggestion.ignored_by)) == "U0ANA"


def test_add_to_map_from_the_digest_adds_them_to_that_account(runtime, standin, ana, slack):
    seed_account(runtime, "Globex", "U0ANA", [Person("Hank Scorpio", touched=3)])
    seen(runtime, "Globex", "U0RAJ", 7, "Raj Patel", "CFO", "raj@globex.com")
    sweep(runtime, at(MONDAY, 10))
    digest = digest_of(standin, "U0ANA")
    row = next(b for b in digest["blocks"] if (b.get("accessory") or {}).get("action_id", "").startswith("seen_menu:"))
    add = next(o["value"] for o in row["accessory"]["options"] if o["text"]["text"] == "Add to map")
    slack.choose(row["accessory"]["action_id"], add, message=digest | {"ts": "1773046800.000100"}, user_id="U0ANA")
    view = slack.wait_for_views(1)
    assert "Adding a contact to *Globex*" in str(view["blocks"][0])
    assert slack.submit(view, {}).body == ""
    slack.drain()
    with runtime.db.session() as session:
        raj = session.scalar(select(Contact).where(Contact.slack_user_id == "U0RAJ"))
        assert (raj.name, raj.title, raj.email, raj.type.value, raj.department) == (
            "Raj Patel", "CFO", "raj@globex.com", "economic_buyer", "Finance")
        assert session.scalar(select(CaptureSuggestion)) is None
