"""The seed's Acme example entered through the modals, as Slack drives them, yields the seed's map."""

from datetime import date

from sqlalchemy import func, select

from app.core.models import Account, Contact, Touch
from tests.block_limits import message_problems

CONTACTS = [
    {"Name": "Tom Chen", "Title": "VP Engineering", "Stakeholder type": "Champion", "Department": "Engineering",
     "Level": "VP", "Relationship strength": "Strong", "Sentiment": "Advocate",
     "Notes": "Primary relationship. Drives internal adoption"},
    {"Name": "Sarah Kim", "Title": "CFO", "Stakeholder type": "Economic Buyer", "Department": "Finance",
     "Level": "C-level", "Relationship strength": "Weak", "Sentiment": "Neutral",
     "Notes": "Met once. Has not engaged since. Critical gap"},
    {"Name": "Lisa Park", "Title": "Eng Manager", "Stakeholder type": "Technical Lead", "Department": "Engineering",
     "Level": "Manager", "Relationship strength": "Adequate", "Sentiment": "Supportive",
     "Notes": "Responsive. Handles day-to-day"},
    {"Title": "CTO", "Stakeholder type": "Executive Sponsor", "Department": "Engineering", "Level": "C-level",
     "Relationship strength": "None", "Status": "Known but not engaged", "Notes": "Never identified or introduced"},
    {"Title": "Operations Manager", "Stakeholder type": "End User Champion", "Department": "Operations",
     "Relationship strength": "None", "Status": "Known but not engaged",
     "Notes": "Product is used in Engineering only. Operations could benefit"},
]
TOUCHES = [("Tom Chen", "2026-03-01", "call"), ("Sarah Kim", "2025-12-15", "QBR"), ("Lisa Park", "2026-03-05", "email")]


def option_label(view: dict, block_id: str, starts_with: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return next(o["text"]["text"] for o in block["element"]["options"] if o["text"]["text"].startswith(starts_with))


def enter_acme(slack, standin) -> list[str]:
    """Type the seed's example into the modals; returns the confirmation each submission got."""
    confirmations = []

    def submitted(view, values):
        response = slack.submit(view, values)
        assert response.status == 200 and response.body == ""  # an empty ack closes the modal
        confirmations.append(slack.reply()["text"])

    slack.command("new Acme")
    submitted(slack.wait_for_views(1), {"ARR": "120,000", "Renewal date": "2026-06-30"})
    for index, contact in enumerate(CONTACTS, start=2):
        slack.command("add acme")
        submitted(slack.wait_for_views(index), contact)
    for index, (name, day, kind) in enumerate(TOUCHES, start=len(CONTACTS) + 2):
        slack.command("log Acme")
        view = slack.wait_for_views(index)
        submitted(view, {"Who": option_label(view, "contact_id", name), "When": day, "Kind": kind})
    return confirmations


def test_acme_entered_through_modals_yields_the_seeds_map(slack, standin, runtime):
    enter_acme(slack, standin)
    response = slack.command("  ACME ")
    assert response.status == 200
    posted = slack.reply()
    assert posted["response_type"] == "in_channel"
    assert message_problems(posted["blocks"], posted["text"]) == []
    text = "\n".join(b["text"]["text"] for b in posted["blocks"] if b["type"] == "section")
    for line in [
        "✓ *Champion*: Active (Tom) — Low -- but single-threaded to one champion",
        "⚠ *Economic Buyer*: Gap (Sarah not engaged) — High -- renewal decision at risk",
        "✗ *Executive Sponsor*: Missing — Medium -- no strategic air cover",
        "⚠ *Breadth (departments)*: Narrow (Engineering only) — Medium -- a reorg in Engineering could sever",
        "⚠ *Depth (levels)*: Thin (VP + Manager, no C-level) — Medium -- no board-level awareness of value",
        "🔴 *Overall risk: High* — single-threaded to Tom Chen",
        "*Tom Chen* · VP Engineering\nChampion · Strong · Mar 1 (call) · Advocate",
        "*CTO (name unknown)* — Executive Sponsor — Never identified or introduced",
    ]:
        assert line in text
    assert "overall risk High" in posted["text"]
    header = posted["blocks"][0]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Stakeholder Map: Acme", "emoji": True}}
    buttons = {b["block_id"]: [e["text"]["text"] for e in b["elements"] if e["type"] == "button"]
               for b in posted["blocks"] if b["type"] == "actions"}
    assert buttons == {"map_actions": ["Add contact", "Log touch", "Add plan step", "Chart"],
                       "strategy_actions": ["Accept for Tom Chen", "Accept for Sarah Kim", "Accept for Lisa Park",
                                            "Accept all 3 proposed"]}


def test_what_was_stored(slack, standin, runtime):
    enter_acme(slack, standin)
    with runtime.db.session() as session:
        account = session.scalar(select(Account))
        assert (account.name, str(account.arr_amount), account.currency, account.renewal_date,
                account.owner_user_id, account.team_id) == ("Acme", "120000.00", "EUR", date(2026, 6, 30), "U0CSM", "T0001")
        assert session.scalar(select(func.count()).select_from(Contact)) == 5
        assert session.scalar(select(func.count()).select_from(Touch)) == 3
        cto = session.scalar(select(Contact).where(Contact.title == "CTO"))
        assert cto.name is None and cto.display_name == "CTO (name unknown)"


def test_confirmations_reach_only_the_caller(slack, standin):
    confirmations = enter_acme(slack, standin)
    assert all(c.body["response_type"] == "ephemeral" for c in standin.calls_to("response_url"))
    assert confirmations[:2] == ["Created *Acme*. Add its people with `/stakemap add Acme`.", "Added *Tom Chen* to *Acme*."]
    assert confirmations[-3] == "Logged a call with *Tom Chen* at *Acme* (Mar 1)."


def test_map_buttons_open_the_modals(slack, standin):
    enter_acme(slack, standin)
    standin.clear()
    slack.command("Acme")
    blocks = slack.reply()["blocks"]
    buttons = {e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"] if "value" in e}
    slack.click("map_log_touch", buttons["map_log_touch"])
    touch_view = slack.wait_for_views(1)
    assert touch_view["callback_id"] == "touch_modal"
    who = next(b for b in touch_view["blocks"] if b.get("block_id") == "contact_id")["element"]["options"]
    assert [o["text"]["text"] for o in who] == [
        "CTO (name unknown) · Executive Sponsor", "Operations Manager (name unknown) · End User Champion",
        "Lisa Park — Eng Manager · Technical Lead", "Sarah Kim — CFO · Economic Buyer",
        "Tom Chen — VP Engineering · Champion"]
    slack.click("map_add_contact", buttons["map_add_contact"])
    assert slack.wait_for_views(2)["callback_id"] == "contact_modal"
