"""History and trends (every tracked change stored, shown on the map, in the JSON) and linked channels."""

import json
from datetime import UTC, date, datetime

from click.testing import CliRunner
from sqlalchemy import select

from app.core.models import Contact, ContactChange
from app.core.trends import Trend, trends
from app.edge.cli import cli
from tests.conftest import TEAM
from tests.seeding import seed_demo


def change(contact_id: int, field: str, old: str, new: str, day: date) -> ContactChange:
    return ContactChange(team_id=TEAM, account_id=1, contact_id=contact_id, field=field, old_value=old,
                         new_value=new, changed_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC))


def test_the_latest_recent_change_of_each_field_is_the_trend():
    today = date(2026, 3, 10)
    history = [
        change(1, "sentiment", "supportive", "neutral", date(2025, 11, 1)),  # older than 90 days
        change(1, "sentiment", "neutral", "skeptical", date(2026, 3, 3)),
        change(1, "relationship", "strong", "weak", date(2026, 2, 1)),
        change(2, "sentiment", "advocate", "supportive", date(2025, 12, 9)),  # 91 days ago
        change(2, "status", "not_engaged", "active", date(2026, 3, 9)),  # not a trend
        change(3, "sentiment", "neutral", "supportive", date(2025, 12, 10)),  # exactly 90 days ago
    ]
    assert trends(history, today) == {
        1: [Trend(1, "sentiment", "Neutral", "Skeptical", date(2026, 3, 3)),
            Trend(1, "relationship", "Strong", "Weak", date(2026, 2, 1))],
        3: [Trend(3, "sentiment", "Neutral", "Supportive", date(2025, 12, 10))],
    }


def test_the_map_shows_a_touchs_sentiment_change_and_the_json_has_the_history(slack, runtime, db_url):
    seed_demo(runtime, TEAM)
    slack.command("log Acme")
    view = slack.wait_for_views(1)
    slack.submit(view, {"Who": "Sarah Kim — CFO · Economic Buyer", "When": "2026-03-03", "Kind": "QBR",
                        "Sentiment after": "Skeptical"})
    slack.command("Acme")
    text = "\n".join(b["text"]["text"] for b in slack.reply()["blocks"] if b["type"] == "section")
    assert "Economic Buyer · Weak · Mar 3 (QBR) · Skeptical · _Neutral → Skeptical since Mar 10_" in text
    result = CliRunner().invoke(cli, ["show", "Acme", "--team", TEAM, "--format", "json"],
                                env={"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    history = json.loads(result.output)["history"]
    with runtime.db.session() as session:
        sarah = session.scalar(select(Contact.id).where(Contact.name == "Sarah Kim"))
    assert [{k: h[k] for k in ("contact_id", "field", "old", "new", "changed_by")} for h in history] == [
        {"contact_id": sarah, "field": "sentiment", "old": "neutral", "new": "skeptical", "changed_by": "U0CSM"}]
    assert history[0]["changed_at"].startswith("2026-03-10")


def test_stakemap_alone_in_a_linked_channel_shows_its_account(slack, other_slack, runtime):
    seed_demo(runtime, TEAM, channel="C0ACME")
    slack.command("")
    posted = slack.reply()
    assert posted["response_type"] == "in_channel" and posted["blocks"][0]["text"]["text"] == "Stakeholder Map: Acme"
    slack.command("help")
    assert slack.reply()["text"].startswith("*stakemap* keeps a stakeholder map")
    slack.command("", channel_id="C0ELSEWHERE")
    assert slack.reply()["text"].startswith("*stakemap* keeps a stakeholder map")
    other_slack.command("")  # the same channel id in another workspace is not linked there
    assert other_slack.reply()["response_type"] == "ephemeral"


def test_link_moves_a_channel_to_an_account(slack, other_slack, runtime):
    seed_demo(runtime, TEAM, channel="C0ACME")
    slack.command("link globex")
    assert slack.reply()["text"] == ("Linked this channel to *Globex* (it was linked to Acme): `/stakemap` here shows "
                                     "its map, and its coverage changes are posted here.")
    slack.command("")
    assert slack.reply()["blocks"][0]["text"]["text"] == "Stakeholder Map: Globex"
    slack.command("link Globex", channel_id="D0DIRECT")
    assert slack.reply()["text"] == "Run `/stakemap link &lt;account&gt;` in the channel to link the account to."
    slack.command("link Nowhere")
    assert slack.reply()["text"].startswith("No account named “Nowhere”")
    other_slack.command("link Globex")  # another workspace has no Globex
    assert other_slack.reply()["text"].startswith("No account named “Globex”")
    from app.services.channel_links import linked_account

    with runtime.db.session() as session:
        assert linked_account(session, TEAM, "C0ACME").name == "Globex"
