"""The seed's Acme example must come out exactly as seed 000's Coverage Assessment table says."""

from app.core.assessment import assess
from app.core.domain import Risk
from app.services.demo import SEED_TODAY, acme
from tests.factories import from_demo

SEED_COVERAGE_TABLE = [
    ("Champion", "✓ Active (Tom)", "Low -- but single-threaded to one champion"),
    ("Economic Buyer", "⚠ Gap (Sarah not engaged)", "High -- renewal decision at risk"),
    ("Executive Sponsor", "✗ Missing", "Medium -- no strategic air cover"),
    ("Breadth (departments)", "⚠ Narrow (Engineering only)",
     "Medium -- a reorg in Engineering could sever the entire relationship"),
    ("Depth (levels)", "⚠ Thin (VP + Manager, no C-level)", "Medium -- no board-level awareness of value"),
]


def acme_assessment():
    account, contacts, touches = from_demo(acme(SEED_TODAY), SEED_TODAY)
    return assess(account, contacts, touches, [], SEED_TODAY)


def test_seed_dates_are_the_seeds():
    result = acme_assessment()
    last = {s.contact.name: s.last_touch.occurred_on.strftime("%b %d") for s in result.active}
    assert last == {"Tom Chen": "Mar 01", "Sarah Kim": "Dec 15", "Lisa Park": "Mar 05"}


def test_coverage_table_is_the_seeds():
    rows = [(d.label, d.status_text, d.risk_text) for d in acme_assessment().dimensions]
    assert rows == SEED_COVERAGE_TABLE


def test_risk_factors_are_the_seeds():
    result = acme_assessment()
    applying = [(f.label, f.risk) for f in result.applying_factors]
    assert applying == [
        ("No economic buyer engaged", Risk.HIGH),
        ("No executive sponsor", Risk.MEDIUM),
        ("All contacts in one department", Risk.MEDIUM),
    ]
    assert result.overall_risk == Risk.HIGH


def test_single_threaded_to_tom():
    result = acme_assessment()
    assert result.single_thread_on.name == "Tom Chen"
    assert result.single_thread_summary.startswith("Yes: the account depends on Tom Chen (champion)")


def test_sections_hold_the_seeds_people():
    result = acme_assessment()
    assert [s.contact.display_name for s in result.active] == ["Tom Chen", "Sarah Kim", "Lisa Park"]
    assert [s.contact.display_name for s in result.not_engaged] == [
        "CTO (name unknown)", "Operations Manager (name unknown)"]
    assert [s.contact.name for s in result.engaged] == ["Tom Chen", "Lisa Park"]


def test_plan_suggestions_follow_the_seeds_plan():
    suggestions = acme_assessment().suggestions
    sarah, cto = suggestions[0], suggestions[1]
    assert (sarah.target_label, sarah.path, sarah.first_action, sarah.timeline.label) == (
        "Sarah Kim (CFO)", "Through Tom (champion introduction)", "Ask Tom to introduce Sarah Kim", "This month")
    assert (cto.target_label, cto.path, cto.timeline.label) == ("CTO", "Through Tom or Sarah", "This quarter")
    assert cto.first_action == "Identify the executive sponsor, then propose an executive alignment meeting"


def test_breadth_suggestion_reaches_outside_engineering():
    breadth = acme_assessment().suggestions[2]
    assert (breadth.target_label, breadth.timeline.label) == ("Operations Manager", "This quarter")
    assert breadth.first_action == "Show Operations what the product does for them and invite Operations Manager to a demo"
