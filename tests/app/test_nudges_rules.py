"""Who is stale, in which order, and when each CSM's week starts and their digest is due."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.core.assessment import Staleness, is_snoozed
from app.core.domain import ContactStatus, StakeholderType
from app.core.models import Contact, TouchCreate, Workspace
from app.core.workspace_settings import NudgeSchedule
from app.services.accounts import find_account
from app.services.nudges import local_week, snooze, stale_by_owner, stale_relationships
from app.services.touches import log_touch
from tests.nudge_world import MONDAY, Person, at, seed_account
from tests.sql_counter import count_statements

T = StakeholderType
TEAM = "T0001"


def stale_names(runtime, owner="U0ANA", today=MONDAY) -> list[str]:
    with runtime.db.session() as session:
        return [item.contact_name for item in stale_relationships(session, TEAM, owner, today, 50).items]


def level_of(runtime, name, owner="U0ANA", today=MONDAY) -> Staleness:
    with runtime.db.session() as session:
        items = stale_relationships(session, TEAM, owner, today, 50).items
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


# --- ranking (in the database) -------------------------------------------------------------------------


def test_overdue_before_due_whatever_the_type(runtime):
    seed_account(runtime, "Acme", "U0ANA", [Person("due champion", T.CHAMPION, touched=35),
                                            Person("overdue gatekeeper", T.GATEKEEPER, touched=136)])
    assert stale_names(runtime) == ["overdue gatekeeper", "due champion"]


def test_critical_before_high_before_the_rest(runtime):
    seed_account(runtime, "Acme", "U0ANA", [  # all due, on one account: the same renewal and ARR
        Person("lead", T.TECHNICAL_LEAD, touched=50), Person("sponsor", T.EXECUTIVE_SPONSOR, touched=100),
        Person("detractor", T.DETRACTOR, touched=50), Person("buyer", T.ECONOMIC_BUYER, touched=65),
        Person("champion", T.CHAMPION, touched=35)])
    assert stale_names(runtime) == ["champion", "buyer", "sponsor", "detractor", "lead"]  # same class: the type's rank


def test_renewal_before_the_types_own_rank_then_the_longer_silence(runtime):
    seed_account(runtime, "Globex", "U0ANA", [Person("champion later", T.CHAMPION, touched=35),
                                              Person("champion quieter", T.CHAMPION, touched=44)], renewal_in=100)
    seed_account(runtime, "Initech", "U0ANA", [Person("buyer sooner", T.ECONOMIC_BUYER, touched=65)], renewal_in=20)
    assert stale_names(runtime) == ["buyer sooner", "champion quieter", "champion later"]


def test_nearer_renewal_then_bigger_arr_then_the_older_account(runtime):
    for name, renewal_in, arr in [("far", 200, None), ("none", None, None), ("near", 10, None), ("past", -5, None),
                                  ("near rich", 10, 500_000)]:
        seed_account(runtime, f"Account {name}", "U0ANA", [Person(name, touched=35)], renewal_in=renewal_in, arr=arr)
    assert stale_names(runtime) == ["near rich", "near", "far", "none", "past"]


def test_only_the_first_shown_are_loaded_with_the_counts_of_all(runtime):
    seed_account(runtime, "Acme", "U0ANA", [Person(f"P{n}", T.CHAMPION, touched=31 + n) for n in range(6)])
    seed_account(runtime, "Globex", "U0ANA", [Person("Fresh", touched=1), Person("Gone", touched=99)])
    with runtime.db.session() as session:
        found = stale_relationships(session, TEAM, "U0ANA", MONDAY, 3)
    assert [item.contact_name for item in found.items] == ["Gone", "P5", "P4"]  # overdue, then the longer silence
    assert (len(found), found.total, found.overdue, found.accounts) == (7, 7, 1, 2)


# --- statements do not grow with the data --------------------------------------------------------------


def test_statement_count_does_not_grow_with_accounts_contacts_or_touches(runtime):
    counts = []
    for copies in (1, 5):
        for n in range(copies):
            seed_account(runtime, f"Acct {copies}-{n}", f"U{n % 2}",
                         [Person(f"P{k}", list(T)[k % 9], touched=k * 40) for k in range(6)])
        with runtime.db.session() as session, count_statements(runtime.db.engine) as statements:
            found = stale_by_owner(session, TEAM, {"U0": MONDAY, "U1": MONDAY}, 20)
        assert sum(found_list.total for found_list in found.values()) > 0
        counts.append(len(statements))
    assert counts[0] == counts[1] == 2  # the workspace's windows, then one ranked query for the date


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
