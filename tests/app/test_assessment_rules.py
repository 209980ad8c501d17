"""Every assessment rule and boundary, table-driven (SPEC §3)."""

from datetime import date, timedelta

import pytest

from app.core.assessment import Coverage, Staleness, assess, is_engaged, staleness
from app.core.domain import ContactStatus, Level, Relationship, Risk, Sentiment, StakeholderType
from tests.factories import account, contact, step, touch

TODAY = date(2026, 6, 15)
T = StakeholderType


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.mark.parametrize(
    ("kind", "idle", "renewal_in", "expected"),
    [
        (T.CHAMPION, 30, None, Staleness.FRESH),  # exactly the window: still fresh
        (T.CHAMPION, 31, None, Staleness.DUE),  # one day past
        (T.CHAMPION, 45, None, Staleness.DUE),  # exactly 1.5x
        (T.CHAMPION, 46, None, Staleness.OVERDUE),
        (T.TECHNICAL_LEAD, 45, None, Staleness.FRESH),
        (T.TECHNICAL_LEAD, 46, None, Staleness.DUE),
        (T.EXECUTIVE_SPONSOR, 90, None, Staleness.FRESH),
        (T.EXECUTIVE_SPONSOR, 91, None, Staleness.DUE),
        (T.ECONOMIC_BUYER, 60, None, Staleness.FRESH),
        (T.ECONOMIC_BUYER, 61, None, Staleness.DUE),
        # renewal in 90 days: the run-up has begun, a touch before today is outside it
        (T.ECONOMIC_BUYER, 1, 90, Staleness.OVERDUE),
        (T.ECONOMIC_BUYER, 0, 90, Staleness.FRESH),
        # renewal in 91 days: not yet in the run-up
        (T.ECONOMIC_BUYER, 1, 91, Staleness.FRESH),
        (T.ECONOMIC_BUYER, 10, 80, Staleness.FRESH),  # touched the day the run-up began (10 days ago)
        (T.ECONOMIC_BUYER, 11, 80, Staleness.OVERDUE),  # touched the day before the run-up began
        (T.DECISION_MAKER, 11, 80, Staleness.OVERDUE),
        (T.CHAMPION, 11, 80, Staleness.FRESH),  # the renewal rule is for buyers only
        (T.ECONOMIC_BUYER, 30, -1, Staleness.FRESH),  # renewal already passed
    ],
)
def test_staleness_boundaries(kind, idle, renewal_in, expected):
    renewal = TODAY + timedelta(days=renewal_in) if renewal_in is not None else None
    window = kind.profile.window_days
    assert staleness(kind, ContactStatus.ACTIVE, ago(idle), ago(400), TODAY, window, renewal) == expected


@pytest.mark.parametrize(("added_days_ago", "expected"), [(30, Staleness.FRESH), (31, Staleness.DUE), (46, Staleness.OVERDUE)])
def test_never_touched_goes_stale_from_the_day_it_was_added(added_days_ago, expected):
    assert staleness(T.CHAMPION, ContactStatus.ACTIVE, None, ago(added_days_ago), TODAY, 30, None) == expected


@pytest.mark.parametrize("status", [ContactStatus.NOT_ENGAGED, ContactStatus.LEFT])
def test_only_active_contacts_go_stale(status):
    assert staleness(T.CHAMPION, status, ago(400), ago(500), TODAY, 30, None) == Staleness.FRESH


@pytest.mark.parametrize(
    ("status", "relationship", "stale", "engaged"),
    [
        (ContactStatus.ACTIVE, Relationship.STRONG, Staleness.FRESH, True),
        (ContactStatus.ACTIVE, Relationship.ADEQUATE, Staleness.FRESH, True),
        (ContactStatus.ACTIVE, Relationship.WEAK, Staleness.FRESH, False),
        (ContactStatus.ACTIVE, Relationship.NONE, Staleness.FRESH, False),
        (ContactStatus.ACTIVE, Relationship.STRONG, Staleness.DUE, False),
        (ContactStatus.NOT_ENGAGED, Relationship.STRONG, Staleness.FRESH, False),
        (ContactStatus.LEFT, Relationship.STRONG, Staleness.FRESH, False),
    ],
)
def test_engaged(status, relationship, stale, engaged):
    assert is_engaged(status, relationship, stale) is engaged


def run(contacts, touches=(), steps=(), renewal=None, windows=None):
    kwargs = {"windows": windows} if windows else {}
    return assess(account(renewal_date=renewal), contacts, touches, steps, TODAY, **kwargs)


def dimension(result, key):
    return next(d for d in result.dimensions if d.key == key)


def test_window_day_decides_coverage():
    champ = contact("Ana Ruiz", T.CHAMPION)
    assert dimension(run([champ], [touch(champ, ago(30))]), "champion").coverage == Coverage.COVERED
    gap = dimension(run([champ], [touch(champ, ago(31))]), "champion")
    assert (gap.coverage, gap.status, gap.risk) == (Coverage.GAP, "Gap (Ana not engaged)", Risk.HIGH)


def test_workspace_windows_override_defaults():
    champ = contact("Ana Ruiz", T.CHAMPION)
    result = run([champ], [touch(champ, ago(31))], windows={T.CHAMPION: 45})
    assert dimension(result, "champion").coverage == Coverage.COVERED


def test_missing_when_only_known_but_not_engaged():
    sponsor = contact(None, T.EXECUTIVE_SPONSOR, title="CTO", status=ContactStatus.NOT_ENGAGED)
    result = run([sponsor])
    row = dimension(result, "executive_sponsor")
    assert (row.status_text, row.risk_text) == ("✗ Missing", "Medium -- no strategic air cover")
    assert result.not_engaged[0].contact.display_name == "CTO (name unknown)"


def test_unknown_name_contact_counts_when_engaged():
    sponsor = contact(None, T.EXECUTIVE_SPONSOR, title="CTO", level=Level.C_LEVEL)
    result = run([sponsor], [touch(sponsor, ago(3))])
    assert dimension(result, "executive_sponsor").status_text == "✓ Active (CTO)"
    assert dimension(result, "depth").status_text == "✓ Deep (C-level)"


def test_departed_contacts_never_count():
    gone = contact("Tom Chen", T.CHAMPION, status=ContactStatus.LEFT)
    result = run([gone], [touch(gone, ago(1))])
    assert dimension(result, "champion").coverage == Coverage.MISSING
    assert result.departed[0].contact is gone and not result.engaged
    assert result.applying_factors[0].label == "No active contact"


def test_economic_buyer_untouched_before_renewal_is_a_gap():
    buyer = contact("Sarah Kim", T.ECONOMIC_BUYER, relationship=Relationship.STRONG)
    near = run([buyer], [touch(buyer, ago(20))], renewal=TODAY + timedelta(days=80))
    assert dimension(near, "economic_buyer").coverage == Coverage.GAP
    far = run([buyer], [touch(buyer, ago(20))], renewal=TODAY + timedelta(days=91))
    assert dimension(far, "economic_buyer").coverage == Coverage.COVERED


@pytest.mark.parametrize(("renewal_in", "risk"), [(90, Risk.HIGH), (91, Risk.MEDIUM)])
def test_decision_maker_risk_depends_on_renewal(renewal_in, risk):
    maker = contact("Dana Lee", T.DECISION_MAKER, relationship=Relationship.WEAK)
    result = run([maker], [touch(maker, TODAY)], renewal=TODAY + timedelta(days=renewal_in))
    assert dimension(result, "decision_maker").risk == risk


def test_no_decision_maker_row_when_the_buyer_stands_in():
    champ = contact("Ana Ruiz", T.CHAMPION)
    assert "decision_maker" not in [d.key for d in run([champ], [touch(champ, TODAY)]).dimensions]


def test_detractor_without_plan_step_is_medium():
    champ = contact("Ana Ruiz", T.CHAMPION, department="Eng")
    critic = contact("Bill Lumbergh", T.INFLUENCER, sentiment=Sentiment.DETRACTOR, relationship=Relationship.WEAK)
    touches = [touch(champ, TODAY), touch(critic, TODAY)]
    result = run([champ, critic], touches)
    row = dimension(result, "detractors")
    assert (row.status_text, row.risk) == ("⚠ Unmanaged (Bill)", Risk.MEDIUM)
    assert any(f.key == "unmanaged_detractor" for f in result.applying_factors)
    assert any(s.first_action == "Meet Bill Lumbergh to hear their objections" for s in result.suggestions)


def test_detractor_with_open_plan_step_is_managed():
    champ = contact("Ana Ruiz", T.CHAMPION, department="Eng")
    critic = contact("Bill Lumbergh", T.DETRACTOR, relationship=Relationship.WEAK)
    result = run([champ, critic], [touch(champ, TODAY)], steps=[step(critic)])
    row = dimension(result, "detractors")
    assert (row.status_text, row.risk) == ("✓ Managed (Bill)", Risk.LOW)
    assert not any(f.key == "unmanaged_detractor" for f in result.applying_factors)
    assert not any(s.contact_id == critic.id for s in result.suggestions)


def test_departed_detractor_is_not_a_detractor():
    critic = contact("Bill Lumbergh", T.DETRACTOR, status=ContactStatus.LEFT)
    assert "detractors" not in [d.key for d in run([critic]).dimensions]


def test_broad_and_resilient_account_is_low_risk():
    people = [
        contact("Ana Ruiz", T.CHAMPION, department="Engineering", level=Level.VP),
        contact("Ben Ng", T.ECONOMIC_BUYER, department="Finance", level=Level.C_LEVEL, relationship=Relationship.ADEQUATE),
        contact("Cy Oh", T.EXECUTIVE_SPONSOR, department="Executive", level=Level.C_LEVEL),
    ]
    result = run(people, [touch(p, ago(2)) for p in people])
    assert result.overall_risk == Risk.LOW
    assert [f.key for f in result.applying_factors] == ["broad"]
    assert dimension(result, "breadth").status_text == "✓ Broad (Engineering, Finance, Executive)"
    assert dimension(result, "depth").status_text == "✓ Deep (C-level + VP)"
    assert result.single_thread_on is None and result.single_thread_summary.startswith("No:")
    assert result.suggestions == []


def test_one_engaged_contact_is_high_and_single_threaded():
    champ = contact("Ana Ruiz", T.CHAMPION, department="Engineering", relationship=Relationship.ADEQUATE)
    result = run([champ], [touch(champ, ago(2))])
    assert result.overall_risk == Risk.HIGH
    assert result.applying_factors[0].label == "Only 1 active contact"
    assert result.single_thread_on is champ


def test_departments_compare_without_case():
    people = [contact("A B", T.CHAMPION, department="Engineering"), contact("C D", T.TECHNICAL_LEAD, department=" engineering ")]
    result = run(people, [touch(p, TODAY) for p in people])
    assert dimension(result, "breadth").status_text == "⚠ Narrow (Engineering only)"


def test_empty_account():
    result = run([])
    assert result.overall_risk == Risk.HIGH
    assert dimension(result, "champion").status_text == "✗ Missing"
    assert dimension(result, "breadth").coverage == Coverage.MISSING
    assert result.single_thread_summary.startswith("No one at the account is engaged")
    assert {s.key for s in result.suggestions} == {"champion:new", "economic_buyer:new", "executive_sponsor:new"}


def test_planned_role_is_not_suggested_again():
    result = run([], steps=[step(role="economic buyer")])
    assert "economic_buyer:new" not in {s.key for s in result.suggestions}
