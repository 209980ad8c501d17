"""Who is stale, in which order, and when each CSM's week starts and their digest is due."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.core.assessment import Staleness, is_snoozed
from app.core.domain import ContactStatus, StakeholderType
from app.core.models import Contact, TouchCreate, Workspace
from app.core.workspace_settings import NudgeSchedule
from app.services.accounts import find_account
from app.services.nudges import StaleItem, local_week, snooze, stale_by_owner, stale_relationships
from app.services.touches import log_touch
from tests.nudge_world import MONDAY, Person, at, seed_account
from tests.sql_counter import count_statements

T = StakeholderType
TEAM = "T0001"


def stale_names(runtime, owner="U0ANA", today=MONDAY) -> list[str]:
    with runtime.db.session() as session:
        return [item.contact_name for item in stale_relationships(session, TEAM, owner, today)]


def level_of(runtime, name, owner="U0ANA", today=MONDAY) -> Staleness:
    with runtime.db.session() as session:
        items = stale_relationships(session, TEAM, owner, today)
    return next((item.staleness for item in items if item.contact_name == name), Staleness.FRESH)


# --- every rule boundary, through the database ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "idle", "expected"),
    [
        (T.CHAMPION, 30, Staleness.FRESH),  # day N: still within the window
        (T.CHAMPION, 31, Staleness.DUE),  # day N+1
        (T.CHAMPION, 45, Staleness.DUE),  # exactly 1.5x
        (T.CHAMPION, 46, Staleness.OVERDUE),
        (T.ECONOMIC_BUYER, 60, Staleness.FRESH),
        (T.ECONOMIC_BUYER, 61, Staleness.DUE),
        (T.TECHNICAL_LEAD, 46, Staleness.DUE),
        (T.INFLUENCER, 136, Staleness.OVERDUE),
    ],
)
def test_window_boundaries(runtime, kind, idle, expected):
    seed_account(runtime, "Acme", "U0ANA", [Person("Pat Doe", kind, touched=idle)])
    assert level_of(runtime, "Pat Doe") == expected


@pytest.mark.parametrize(("renewal_in", "expected"), [(90, Staleness.OVERDUE), (91, Staleness.FRESH)])
def test_buyer_untouched_in_the_90_days_before_renewal(runtime, renewal_in, expected):
    people = [Person("Sarah Kim", T.ECONOMIC_BUYER, touched=1), Person("Dana Lee", T.DECISION_MAKER, touched=1)]
    seed_account(runtime, "Acme", "U0ANA", people, renewal_in=renewal_in)
    assert level_of(runtime, "Sarah Kim") == expected
    assert level_of(runtime, "Dana Lee") == expected


@pytest.mark.parametrize(("added", "expected"), [(30, Staleness.FRESH), (31, Staleness.DUE), (46, Staleness.OVERDUE)])
def test_never_touched_is_stale_from_the_day_it_was_added(runtime, added, expected):
    seed_account(runtime, "Acme", "U0ANA", [Person("New Person", T.CHAMPION, touched=None, added=added)])
    assert level_of(runtime, "New Person") == expected


@pytest.mark.parametrize("status", [ContactStatus.LEFT, ContactStatus.NOT_ENGAGED])
def test_departed_and_not_engaged_are_never_stale(runtime, status):
    seed_account(runtime, "Acme", "U0ANA", [Person("Gone Person", touched=200, status=status)])
    assert stale_names(runtime) == []


def test_snoozed_is_hidden_for_14_days_then_back(runtime):
    ids = seed_account(runtime, "Acme", "U0ANA", [Person("Tom Chen", touched=60)])
    with runtime.db.session() as session:
        until = snooze(session.get(Contact, ids["Tom Chen"]), "U0ANA", MONDAY)
    assert until == MONDAY + timedelta(days=14)
    assert stale_names(runtime, today=MONDAY + timedelta(days=13)) == []
    assert stale_names(runtime, today=MONDAY + timedelta(days=14)) == ["Tom Chen"]


def test_is_snoozed_boundaries():
    until = date(2026, 3, 23)
    assert is_snoozed(until, date(2026, 3, 22)) and not is_snoozed(until, until) and not is_snoozed(None, until)


def test_logging_a_touch_clears_it_at_once(runtime):
    seed_account(runtime, "Acme", "U0ANA", [Person("Tom Chen", touched=60)])
    assert stale_names(runtime) == ["Tom Chen"]
    seed_account(runtime, "Globex", "U0ANA", [Person("Tom Chen", touched=0)])  # another account, fresh
    with runtime.db.session() as session:
        acme = find_account(session, TEAM, "Acme")
        tom = session.scalar(select(Contact).where(Contact.account_id == acme.id))
        log_touch(session, acme, TouchCreate(contact_id=tom.id, occurred_on=MONDAY, kind="call"), "U0ANA", at(MONDAY))
    assert stale_names(runtime) == []


def test_workspace_windows_apply(runtime):
    seed_account(runtime, "Acme", "U0ANA", [Person("Tom Chen", touched=40)])
    assert level_of(runtime, "Tom Chen") == Staleness.DUE
    with runtime.db.session() as session:
        session.get(Workspace, TEAM).config = {"windows": {"champion": 40}}
    assert level_of(runtime, "Tom Chen") == Staleness.FRESH


def test_only_the_owners_accounts_in_their_workspace(runtime):
    seed_account(runtime, "Acme", "U0ANA", [Person("Tom Chen", touched=60)])
    seed_account(runtime, "Globex", "U0BEN", [Person("Hank Scorpio", touched=60)])
    seed_account(runtime, "Acme", "U0ANA", [Person("Foreign Person", touched=60)], team="T0002")
    assert stale_names(runtime, "U0ANA") == ["Tom Chen"]
    assert stale_names(runtime, "U0BEN") == ["Hank Scorpio"]


# --- ranking -------------------------------------------------------------------------------------------


def item(name, kind=T.CHAMPION, level=Staleness.DUE, renewal_in=None, arr=None, idle=40) -> StaleItem:
    renewal = MONDAY + timedelta(days=renewal_in) if renewal_in is not None else None
    return StaleItem(contact_id=hash(name) % 1000, account_id=1, account_name="Acme", contact_name=name, title=None,
                     type=kind, staleness=level, idle_days=idle, window_days=30, last_touch_on=None,
                     renewal_date=renewal, arr_amount=Decimal(arr) if arr is not None else None, currency="EUR")


def ranked(*items) -> list[str]:
    return [i.contact_name for i in sorted(items, key=lambda i: i.rank(MONDAY))]


def test_overdue_before_due_whatever_the_type():
    assert ranked(item("due champion", T.CHAMPION), item("overdue gatekeeper", T.GATEKEEPER, Staleness.OVERDUE)) == [
        "overdue gatekeeper", "due champion"]


def test_critical_before_high_before_the_rest():
    assert ranked(item("lead", T.TECHNICAL_LEAD), item("sponsor", T.EXECUTIVE_SPONSOR), item("detractor", T.DETRACTOR),
                  item("buyer", T.ECONOMIC_BUYER), item("champion", T.CHAMPION)) == [
        "champion", "buyer", "sponsor", "detractor", "lead"]  # same class: the type's own rank


def test_renewal_before_the_types_own_rank():
    assert ranked(item("champion later", T.CHAMPION, renewal_in=100), item("buyer sooner", T.ECONOMIC_BUYER, renewal_in=20),
                  item("champion quieter", T.CHAMPION, renewal_in=100, idle=90)) == [
        "buyer sooner", "champion quieter", "champion later"]


def test_nearer_renewal_then_bigger_arr():
    assert ranked(item("far", renewal_in=200), item("none"), item("near", renewal_in=10), item("past", renewal_in=-5),
                  item("near rich", renewal_in=10, arr=500_000)) == ["near rich", "near", "far", "none", "past"]


def test_digest_and_home_share_the_ranking(runtime):
    seed_account(runtime, "Acme", "U0ANA", [Person("Tom Chen", T.CHAMPION, touched=35),
                                            Person("Lisa Park", T.TECHNICAL_LEAD, touched=80)], renewal_in=200)
    seed_account(runtime, "Initech", "U0ANA", [Person("Bob Slydell", T.ECONOMIC_BUYER, touched=70)], renewal_in=42)
    assert stale_names(runtime) == ["Bob Slydell", "Lisa Park", "Tom Chen"]  # overdue buyer, overdue lead, due


# --- statements do not grow with the data --------------------------------------------------------------


def test_statement_count_does_not_grow_with_accounts_contacts_or_touches(runtime):
    counts = []
    for copies in (1, 5):
        for n in range(copies):
            seed_account(runtime, f"Acct {copies}-{n}", f"U{n % 2}",
                         [Person(f"P{k}", list(T)[k % 9], touched=k * 40) for k in range(6)])
        with runtime.db.session() as session, count_statements(runtime.db.engine) as statements:
            found = stale_by_owner(session, TEAM, {"U0": MONDAY, "U1": MONDAY})
        assert sum(len(items) for items in found.values()) > 0
        counts.append(len(statements))
    assert counts[0] == counts[1] == 3


# --- the local week and send moment -------------------------------------------------------------------


HONOLULU, TONGA = "Pacific/Honolulu", "Pacific/Tongatapu"  # UTC-10 and UTC+13 (no DST in March)


@pytest.mark.parametrize(
    ("tz", "utc_moment", "week", "due"),
    [
        (HONOLULU, datetime(2026, 3, 9, 18, 59), "2026-W11", False),  # 08:59 Monday in Honolulu
        (HONOLULU, datetime(2026, 3, 9, 19, 0), "2026-W11", True),  # 09:00
        (TONGA, datetime(2026, 3, 8, 19, 59), "2026-W11", False),  # 08:59 Monday in Tonga, still Sunday in UTC
        (TONGA, datetime(2026, 3, 8, 20, 0), "2026-W11", True),
        (TONGA, datetime(2026, 3, 8, 10, 0), "2026-W10", False),  # 23:00 Sunday there: W10's time long past
        (HONOLULU, datetime(2026, 3, 10, 18, 59), "2026-W11", True),  # Tuesday 08:59 there: still catching up
        (HONOLULU, datetime(2026, 3, 10, 19, 0), "2026-W11", False),  # a day late: skipped, not sent late
        ("Not/AZone", datetime(2026, 3, 9, 9, 0), "2026-W11", True),  # unknown zone: UTC
    ],
)
def test_local_week_and_due(tz, utc_moment, week, due):
    found = local_week(utc_moment.replace(tzinfo=ZoneInfo("UTC")), tz, NudgeSchedule())
    assert (found.week, found.due) == (week, due)


def test_configured_day_and_time():
    schedule = NudgeSchedule(weekday=2, at=time(14, 30))  # Wednesday 14:30
    tuesday = local_week(at(MONDAY + timedelta(days=1), 23), "UTC", schedule)
    wednesday = local_week(at(MONDAY + timedelta(days=2), 14, 30), "UTC", schedule)
    assert (tuesday.due, wednesday.due, wednesday.today) == (False, True, MONDAY + timedelta(days=2))
