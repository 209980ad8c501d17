"""A rendered map is reused until anything on it changes, and never served stale."""

from datetime import date

from app.core.models import ContactCreate, PlanStep, TouchCreate, Workspace
from app.services.accounts import find_account
from app.services.contacts import add_contact
from app.services.demo import load_demo
from app.services.touches import log_touch


def version(runtime, name="Acme") -> int:
    with runtime.db.session() as session:
        return find_account(session, "T0001", name).version


def map_text(slack, name="Acme") -> str:
    slack.command(name)
    return str(slack.reply()["blocks"])


def test_every_kind_of_change_bumps_only_that_accounts_version(runtime):
    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
    globex, seen = version(runtime, "Globex"), [version(runtime)]
    with runtime.db.session() as session:
        acme = find_account(session, "T0001", "Acme")
        contact = add_contact(session, acme, ContactCreate(name="New Person", type="influencer"), None, runtime.now())
    seen.append(version(runtime))
    with runtime.db.session() as session:
        acme = find_account(session, "T0001", "Acme")
        log_touch(session, acme, TouchCreate(contact_id=contact.id, occurred_on=date(2026, 3, 9), kind="call"), None,
                  runtime.now())
    seen.append(version(runtime))
    with runtime.db.session() as session:
        session.get(type(contact), contact.id).title = "Director"
    seen.append(version(runtime))
    with runtime.db.session() as session:
        session.add(PlanStep(team_id="T0001", account_id=contact.account_id, target_role="CFO", path="p",
                             first_action="a", created_at=runtime.now()))
    seen.append(version(runtime))
    with runtime.db.session() as session:
        find_account(session, "T0001", "Acme").arr_amount = 1
    seen.append(version(runtime))
    assert seen == sorted(set(seen)) and len(seen) == 6
    assert version(runtime, "Globex") == globex


def test_cached_map_is_reused_and_refreshed_on_change(slack, runtime):
    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
    first = map_text(slack)
    assert map_text(slack) == first and runtime.maps.hits == 1
    with runtime.db.session() as session:
        acme = find_account(session, "T0001", "Acme")
        sarah = next(c for c in acme_contacts(session, acme) if c.name == "Sarah Kim")
        log_touch(session, acme, TouchCreate(contact_id=sarah.id, occurred_on=runtime.today(), kind="meeting"),
                  None, runtime.now())
    refreshed = map_text(slack)
    assert refreshed != first and "Mar 10 (meeting)" in refreshed


def test_new_day_and_new_windows_render_again(slack, runtime, clock):
    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
    first = map_text(slack)
    with runtime.db.session() as session:
        session.get(Workspace, "T0001").config = {"windows": {"champion": 1}}
    assert "Gap (Tom not engaged)" in map_text(slack) and "Gap (Tom not engaged)" not in first
    clock.set(date(2026, 3, 11))
    assert "Mar 11, 2026" in map_text(slack)


def acme_contacts(session, account):
    from sqlalchemy import select

    from app.core.models import Contact

    return session.scalars(select(Contact).where(Contact.account_id == account.id)).all()


def test_a_newer_version_replaces_the_older_one(slack, runtime):
    """Write-heavy use (every touch is a new version) keeps one map per account, not one per version."""
    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
    for day in range(1, 6):
        map_text(slack)
        with runtime.db.session() as session:
            acme = find_account(session, "T0001", "Acme")
            sarah = next(c for c in acme_contacts(session, acme) if c.name == "Sarah Kim")
            log_touch(session, acme, TouchCreate(contact_id=sarah.id, occurred_on=date(2026, 3, day), kind="call"),
                      None, runtime.now())
    map_text(slack)
    assert len(runtime.maps) == 1 and runtime.maps.misses == 6


def test_maps_stay_within_the_cache_budget(slack, runtime):
    from app.platform.map_cache import VersionedCache

    with runtime.db.session() as session:
        load_demo(session, "T0001", runtime.now())
        names = [account.name for account in session.scalars(select_accounts()).all()]
    runtime.maps = VersionedCache(budget=150_000)  # about two demo maps
    for name in names:
        map_text(slack, name)
    assert len(names) > 2 and 0 < runtime.maps.weight <= 150_000 and len(runtime.maps) < len(names)
    assert map_text(slack, names[-1]) and runtime.maps.hits == 1  # the latest one is still there


def select_accounts():
    from sqlalchemy import select

    from app.core.models import Account

    return select(Account).where(Account.team_id == "T0001")
