"""The App Home as Slack drives it: app_home_opened in, views.publish out; its buttons; its refresh."""

import threading

from sqlalchemy import func, select

from app.core.models import Touch
from tests.block_limits import view_problems
from tests.conftest import OTHER_TEAM, TEAM
from tests.seeding import account_id, many_accounts, seed_demo


def texts(view: dict) -> str:
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")


def accessories(view: dict, label: str) -> list[dict]:
    return [b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("text", {}).get("text") == label]


def test_opening_the_home_publishes_the_users_accounts_ranked_by_risk(slack, standin, runtime):
    seed_demo(runtime, TEAM)
    assert slack.open_home().status == 200
    [call] = standin.wait_for("views.publish", ok=True)
    assert call.body["user_id"] == "U0CSM"
    home = call.response["view"]
    assert view_problems(home) == []
    text = texts(home)
    assert "*3 accounts* · 🔴 2 high · 🟠 0 medium · 🟢 1 low · *3 stale relationships*" in text
    ranked = [b["text"]["text"].split("*")[1] for b in home["blocks"]
              if b.get("accessory", {}).get("action_id") == "home_open_map"]
    assert ranked == ["Initech", "Acme", "Globex"]  # high risk (the nearer renewal first), then low
    assert ("🔴 *Acme* — No economic buyer engaged\nRenewal Jun 30, 2026 (in 112 days) · EUR 120,000 · "
            "gaps: Economic Buyer, Executive Sponsor, Breadth, Depth · 1 stale") in text
    assert "🟢 *Globex* — 3+ active contacts across levels and functions" in text
    # the stale list: overdue before due; among the overdue the champion before the economic buyer
    stale = [b["text"]["text"] for b in home["blocks"] if b.get("accessory", {}).get("action_id") == "home_log_touch"]
    assert [line.split("*")[1] for line in stale] == ["Peter Gibbons", "Bob Slydell", "Sarah Kim"]
    assert stale[2] == ("*Sarah Kim* (CFO) · Economic Buyer · *Acme*\n"
                        "⏰ Due: 85 days since the last touch (Dec 15, 2025), window 60 · renewal Jun 30, 2026 (in 112 days)")


def test_a_user_without_accounts_and_another_workspace_see_none_of_them(slack, other_slack, standin, runtime):
    seed_demo(runtime, TEAM)
    other_slack.open_home(user_id="U0CSM")  # same user id, other workspace
    home = slack.home()
    assert standin.calls_to("views.publish")[0].body["user_id"] == "U0CSM"
    assert "You own no accounts yet" in texts(home)
    assert "Acme" not in str(home)
    slack.open_home(user_id="U0NOBODY")
    assert "You own no accounts yet" in texts(slack.home(2))


def test_only_the_home_tab_is_published(slack, standin, runtime):
    seed_demo(runtime, TEAM)
    slack.event({"type": "app_home_opened", "user": "U0CSM", "channel": "D0HOME", "tab": "messages"})
    slack.open_home()
    assert len(standin.wait_for("views.publish")) == 1


def test_log_touch_from_the_home_logs_it_and_refreshes_the_home(slack, standin, runtime):
    seed_demo(runtime, TEAM)
    slack.open_home()
    home = slack.home()
    sarah = f"{account_id(runtime, TEAM, 'Acme')}:{_contact_id(runtime, 'Sarah Kim')}"
    assert sarah in [a["value"] for a in accessories(home, "Log touch")]
    slack.click("home_log_touch", sarah, view=home)
    modal = slack.wait_for_views(1)
    who = next(b for b in modal["blocks"] if b.get("block_id") == "contact_id")["element"]
    assert who["initial_option"]["text"]["text"] == "Sarah Kim — CFO · Economic Buyer"
    assert slack.submit(modal, {"Kind": "meeting"}).body == ""
    refreshed = slack.home(2)
    assert standin.calls_to("views.publish")[1].body["user_id"] == "U0CSM"
    assert "*2 stale relationships*" in texts(refreshed)
    assert "Sarah Kim" not in str([b for b in refreshed["blocks"] if "accessory" in b and b["accessory"]["action_id"] == "home_log_touch"])
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Touch).where(Touch.logged_by == "U0CSM")) == 1


def test_open_map_from_the_home_shows_the_map_in_a_modal(slack, other_slack, standin, runtime):
    seed_demo(runtime, TEAM)
    slack.open_home()
    home = slack.home()
    acme = str(account_id(runtime, TEAM, "Acme"))
    slack.click("home_open_map", acme, view=home)
    modal = slack.wait_for_views(1)
    assert modal["callback_id"] == "map_modal" and view_problems(modal) == []
    assert modal["blocks"][0]["text"]["text"] == "Stakeholder Map: Acme"
    other_slack.click("home_open_map", acme, view={"id": "V0OTHER", "type": "home", "callback_id": ""})
    notice = slack.wait_for_views(2)
    assert notice["callback_id"] == "notice_modal"
    assert texts(notice) == "That account no longer exists."


def test_new_account_from_the_home_refreshes_it(slack, standin, runtime):
    slack.open_home()
    home = slack.home()
    buttons = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["New account", "Settings"]
    slack.click(buttons[0]["action_id"], view=home)
    modal = slack.wait_for_views(1)
    assert slack.submit(modal, {"Account name": "Umbrella"}).body == ""
    assert "Umbrella" in texts(slack.home(2))


def test_many_accounts_come_a_page_at_a_time(slack, standin, runtime):
    many_accounts(runtime, TEAM, "U0CSM", 45, contacts_each=1)  # 300 accounts: tests/test_blocks_any_size.py
    slack.open_home()
    home = slack.home()
    assert view_problems(home) == [] and len(home["blocks"]) <= 100
    assert "*Accounts by risk* — 1–20 of 45" in texts(home)
    pages = {e["text"]["text"]: e for b in home["blocks"] if b.get("block_id") == "home_pages" for e in b["elements"]}
    assert list(pages) == ["Next →"]
    slack.click(pages["Next →"]["action_id"], pages["Next →"]["value"], view=home)
    second = slack.home(2)
    assert "*Accounts by risk* — 21–40 of 45" in texts(second) and view_problems(second) == []
    pages = [e["text"]["text"] for b in second["blocks"] if b.get("block_id") == "home_pages" for e in b["elements"]]
    assert pages == ["← Previous", "Next →"]
    first_page_accounts = {a["value"] for a in accessories(home, "Open map")}
    assert not first_page_accounts & {a["value"] for a in accessories(second, "Open map")}


def _contact_id(runtime, name: str) -> int:
    from app.core.models import Contact

    with runtime.db.session() as session:
        return session.scalar(select(Contact.id).where(Contact.team_id == TEAM, Contact.name == name))


def test_other_workspace_home_lists_only_its_own(slack, other_slack, standin, runtime):
    seed_demo(runtime, TEAM)
    seed_demo(runtime, OTHER_TEAM, owner="U0OTHER")
    other_slack.open_home()
    home = slack.home()
    assert "*3 accounts*" in texts(home)
    ids = {int(a["value"]) for a in accessories(home, "Open map")}
    assert account_id(runtime, OTHER_TEAM, "Acme") in ids and account_id(runtime, TEAM, "Acme") not in ids


def test_settings_from_the_home(slack, standin, runtime):
    slack.open_home()
    home = slack.home()
    settings = next(e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
                    if e["text"]["text"] == "Settings")
    modal = slack.next_view(lambda: slack.click(settings["action_id"], view=home))
    assert modal["callback_id"] == "settings_modal"


def test_touches_while_the_home_is_being_published_are_each_confirmed_and_the_home_is_published_once_after(
        slack, standin, runtime):
    seed_demo(runtime, TEAM)
    slack.command("log Acme")
    modal = slack.wait_for_views(1)
    who = next(b for b in modal["blocks"] if b.get("block_id") == "contact_id")["element"]["options"][0]["text"]
    asked_on = slack.reply_to
    publishing, release = threading.Event(), threading.Event()

    def a_publish_in_progress() -> None:  # holds the user's Home as a slow views.publish would
        publishing.set()
        release.wait(10)

    holder = threading.Thread(target=runtime.homes.run, args=((TEAM, "U0CSM"), a_publish_in_progress))
    holder.start()
    assert publishing.wait(5)
    for kind in ("call", "meeting", "email"):
        assert slack.submit(modal, {"Who": who["text"], "Kind": kind}).body == ""
    slack.drain()
    confirmations = slack.replies(3, asked_on)
    assert [c["text"].split(" with ")[0] for c in confirmations] == ["Logged a call", "Logged a meeting",
                                                                     "Logged a email"]
    assert standin.calls_to("views.publish") == []  # the Home waits its turn, once for the three
    release.set()
    holder.join(10)
    [published] = standin.wait_for("views.publish")
    assert published.body["user_id"] == "U0CSM" and runtime.homes.skipped == 2
