"""The Home and the list reuse an account's assessment until anything on its map changes, and never show a
stale one: a Home refreshed after a change reads and assesses only the account that changed."""

from datetime import date

from sqlalchemy import select

from app.core.models import Contact, TouchCreate, Workspace
from app.services.accounts import find_account
from app.services.touches import log_touch
from tests.conftest import TEAM
from tests.seeding import seed_demo


def sections(view: dict) -> str:
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")


def acme_line(view: dict) -> str:
    return next(line for line in sections(view).splitlines() if "*Acme*" in line and "Renewal" not in line)


def touch_sarah(runtime, on: date) -> None:
    with runtime.db.session() as session:
        acme = find_account(session, TEAM, "Acme")
        sarah = session.scalars(select(Contact).where(Contact.account_id == acme.id, Contact.name == "Sarah Kim")).one()
        log_touch(session, acme, TouchCreate(contact_id=sarah.id, occurred_on=on, kind="meeting"), None, runtime.now())


def test_the_home_assesses_again_only_the_account_that_changed(slack, runtime):
    seed_demo(runtime, TEAM)
    slack.open_home()
    first = slack.home()
    assert (runtime.assessments.misses, runtime.assessments.hits) == (3, 0)  # Acme, Globex, Initech
    slack.open_home()
    assert slack.home(2)["blocks"] == first["blocks"] and runtime.assessments.hits == 3
    touch_sarah(runtime, runtime.today())
    slack.open_home()
    refreshed = slack.home(3)
    assert (runtime.assessments.misses, runtime.assessments.hits) == (4, 5)  # only Acme assessed again
    assert "1 stale" in sections(first) and "*Acme*" in sections(refreshed)
    assert "Sarah Kim" not in str([b for b in refreshed["blocks"]
                                   if b.get("accessory", {}).get("action_id") == "home_log_touch"])


def test_the_list_is_assessed_again_on_a_new_day_and_with_new_windows(slack, runtime, clock):
    seed_demo(runtime, TEAM)
    slack.command("list")
    first = str(slack.reply())
    slack.command("list")
    assert str(slack.reply()) == first and runtime.assessments.hits == 3
    with runtime.db.session() as session:
        session.get(Workspace, TEAM).config = {"windows": {"economic_buyer": 365, "champion": 365}}
    slack.command("list")
    assert str(slack.reply()) != first and runtime.assessments.misses == 6
    clock.set(date(2026, 3, 11))
    slack.command("list")
    assert slack.reply() and runtime.assessments.misses == 9


def test_assessments_stay_within_the_cache_budget(slack, runtime):
    from app.platform.map_cache import VersionedCache, assessment_weight

    seed_demo(runtime, TEAM)
    runtime.assessments = VersionedCache(budget=30_000, weigh=assessment_weight)  # 45 kB: all three
    slack.command("list")
    assert slack.reply() and 0 < runtime.assessments.weight <= 30_000 and len(runtime.assessments) < 3
    slack.command("list")
    assert "Acme" in str(slack.reply())
