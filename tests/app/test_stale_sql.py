"""Property: the database's stale list is the pure assessment's, ranked as SPEC §4 says, on random data."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.assessment import Staleness, assess
from app.core.domain import TYPE_PROFILES, Cadence, ContactStatus, Priority, StakeholderType
from app.core.models import Account, Contact, Touch, Workspace
from app.core.workspace_settings import windows_of
from app.services.nudges import stale_by_owner

TODAY = date(2026, 3, 9)
OWNERS = ("U0ANA", "U0BEN")
_teams = itertools.count(1)
# Days before TODAY: any, and often right at a rule's edge (a window, 1.5x it, a renewal run-up's start).
EDGES = [0, 1, 7, 8, 10, 11, 14, 15, 21, 22, 30, 31, 32, 41, 42, 45, 46, 60, 61, 62, 67, 68, 70, 80, 90, 91, 92, 93,
         135, 136, 138, 139, 184, 185]
days_ago = st.one_of(st.integers(0, 200), st.sampled_from(EDGES))

contacts = st.lists(st.fixed_dictionaries({
    "type": st.sampled_from(list(StakeholderType)),
    "status": st.sampled_from([ContactStatus.ACTIVE] * 3 + [ContactStatus.NOT_ENGAGED, ContactStatus.LEFT]),
    "touches": st.lists(days_ago, max_size=3),
    "added": days_ago,
    "snoozed": st.one_of(st.none(), st.integers(-5, 20)),  # snoozed until TODAY + n
    "cadence": st.one_of(st.none(), st.none(), st.sampled_from(list(Cadence))),  # an accepted strategy's cadence
}), max_size=6)
accounts = st.lists(st.fixed_dictionaries({
    "owner": st.sampled_from(OWNERS),
    "renewal": st.one_of(st.none(), st.integers(-30, 200), st.sampled_from([-1, 0, 10, 20, 90, 91])),  # days ahead
    "arr": st.one_of(st.none(), st.sampled_from([0, 5_000, 120_000])),
    "contacts": contacts,
}), min_size=1, max_size=6)
windows = st.one_of(st.just({}), st.fixed_dictionaries({"champion": st.sampled_from([30, 41, 61]),
                                                        "economic_buyer": st.integers(1, 120)}))


def at(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=UTC)


def insert(session, team: str, spec: list[dict], config: dict) -> list[tuple[Account, list[Contact], list[Touch]]]:
    session.add(Workspace(team_id=team, config={"windows": config} if config else {}, created_at=at(TODAY)))
    session.flush()
    made = []
    for n, acct in enumerate(spec):
        account = Account(team_id=team, name=f"Account {n}", name_key=f"account {n}", owner_user_id=acct["owner"],
                          renewal_date=TODAY + timedelta(days=acct["renewal"]) if acct["renewal"] is not None else None,
                          arr_amount=Decimal(acct["arr"]) if acct["arr"] is not None else None,
                          created_at=at(TODAY), updated_at=at(TODAY))
        session.add(account)
        session.flush()
        people, touches = [], []
        for k, person in enumerate(acct["contacts"]):
            contact = Contact(team_id=team, account_id=account.id, name=f"Person {k}", name_key=f"person {k}",
                              type=person["type"], status=person["status"],
                              created_at=at(TODAY - timedelta(days=person["added"])), updated_at=at(TODAY),
                              snoozed_until=TODAY + timedelta(days=person["snoozed"]) if person["snoozed"] is not None else None,
                              strategy_cadence=person["cadence"],
                              strategy_approach="Monthly roadmap 1:1" if person["cadence"] else None)
            session.add(contact)
            session.flush()
            people.append(contact)
            for days in person["touches"]:
                touch = Touch(team_id=team, account_id=account.id, contact_id=contact.id, kind="call",
                              occurred_on=TODAY - timedelta(days=days), created_at=at(TODAY))
                session.add(touch)
                touches.append(touch)
        made.append((account, people, touches))
    session.flush()
    return made


def urgency(item, today: date) -> tuple:
    """SPEC §4's order, written independently of the SQL: the oracle."""
    profile = TYPE_PROFILES[item.type]
    ahead = (item.renewal_date - today).days if item.renewal_date and item.renewal_date >= today else None
    return (item.staleness != Staleness.OVERDUE, {Priority.CRITICAL: 0, Priority.HIGH: 1}.get(profile.priority, 2),
            ahead is None, ahead or 0, -(item.arr_amount or 0), profile.rank, -item.idle_days, item.account_id,
            item.contact_id)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(accounts, windows, st.integers(0, 1), st.integers(1, 12))
def test_the_database_judges_and_ranks_as_the_assessment(runtime, spec, config, ben_later, shown):
    team = f"TPROP{next(_teams)}"
    today_of = {"U0ANA": TODAY, "U0BEN": TODAY + timedelta(days=ben_later)}  # one or two local dates
    with runtime.db.session() as session:
        made = insert(session, team, spec, config)
        found = stale_by_owner(session, team, today_of, shown)
        everything = stale_by_owner(session, team, today_of, 1000)
        rules = windows_of(session.get(Workspace, team))
        for owner, today in today_of.items():
            expected = {}
            for account, people, touches in made:
                if account.owner_user_id != owner:
                    continue
                for state in assess(account, people, touches, [], today, rules).active:
                    if state.staleness != Staleness.FRESH and state.snoozed_until is None:
                        expected[state.contact.id] = (state.staleness, state.idle_days, state.window_days)
            listed = everything[owner]
            assert {i.contact_id: (i.staleness, i.idle_days, i.window_days) for i in listed.items} == expected
            assert list(listed.items) == sorted(listed.items, key=lambda item: urgency(item, today))
            assert found[owner].items == listed.items[:shown]
            overdue = sum(1 for level, _, _ in expected.values() if level == Staleness.OVERDUE)
            stale_accounts = {i.account_id for i in listed.items}
            assert (found[owner].total, found[owner].overdue, found[owner].accounts, found[owner].today) == (
                len(expected), overdue, len(stale_accounts), today)
