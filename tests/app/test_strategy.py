"""Engagement strategy (pure): the default table, the seed's Acme proposals, the cadence → staleness rule
at its boundaries, the table as a file, and the workspace's own table."""

from datetime import date, timedelta

import pytest

from app.core.assessment import DEFAULT_WINDOWS, Staleness, assess, staleness, staleness_window
from app.core.domain import (
    CADENCE_DAYS,
    Cadence,
    ContactStatus,
    Influence,
    Quadrant,
    Sentiment,
    StakeholderType,
    StrategyOrigin,
    TouchKind,
)
from app.core.errors import StakemapError
from app.core.models import ContactCreate
from app.core.strategy import (
    DEFAULT_TABLE,
    FALLBACK,
    ProposalRow,
    engagement_groups,
    parse_table_csv,
    propose,
    strategy_of,
    table_csv,
)
from app.core.workspace_settings import WorkspaceSettings
from app.services.demo import SEED_TODAY, acme
from tests.factories import account, contact, touch

T, Q, S, C = StakeholderType, Quadrant, Sentiment, Cadence
TODAY = date(2026, 3, 10)


def test_the_seeds_examples_are_the_first_rows():
    first = [(r.type, r.quadrant, r.sentiment, r.approach, r.cadence, r.channel) for r in DEFAULT_TABLE[:6]]
    assert first == [
        (None, None, S.DETRACTOR, "Meet to hear objections; agree one fix", C.EVERY_2_WEEKS, TouchKind.MEETING),
        (T.DETRACTOR, None, None, "Meet to hear objections; agree one fix", C.EVERY_2_WEEKS, TouchKind.MEETING),
        (T.ECONOMIC_BUYER, Q.KEEP_SATISFIED, None, "Quarterly ROI review with the CFO's priorities", C.QUARTERLY,
         TouchKind.QBR),
        (T.END_USER_CHAMPION, Q.KEEP_INFORMED, None, "Training sessions and release notes", C.MONTHLY,
         TouchKind.MEETING),
        (T.INFLUENCER, Q.MONITOR, None, "Watch sentiment; no fixed cadence", C.NONE, TouchKind.CHAT),
        (T.EXECUTIVE_SPONSOR, None, None, "ROI reports to executive stakeholders; quarterly executive review",
         C.QUARTERLY, TouchKind.QBR),
    ]
    assert DEFAULT_TABLE[-1] == FALLBACK and FALLBACK.type is FALLBACK.quadrant is FALLBACK.sentiment is None


@pytest.mark.parametrize(("kind", "quadrant", "sentiment", "approach", "cadence"), [
    (T.ECONOMIC_BUYER, Q.KEEP_SATISFIED, S.NEUTRAL, "Quarterly ROI review with the CFO's priorities", C.QUARTERLY),
    (T.END_USER_CHAMPION, Q.KEEP_INFORMED, S.SUPPORTIVE, "Training sessions and release notes", C.MONTHLY),
    (T.DETRACTOR, Q.MANAGE_CLOSELY, S.NEUTRAL, "Meet to hear objections; agree one fix", C.EVERY_2_WEEKS),
    (T.CHAMPION, Q.MONITOR, S.DETRACTOR, "Meet to hear objections; agree one fix", C.EVERY_2_WEEKS),
    (T.INFLUENCER, Q.MONITOR, S.NEUTRAL, "Watch sentiment; no fixed cadence", C.NONE),
    (T.CHAMPION, Q.MANAGE_CLOSELY, S.ADVOCATE, "Monthly roadmap 1:1; involve in beta", C.MONTHLY),
    (T.DECISION_MAKER, Q.MANAGE_CLOSELY, S.NEUTRAL, "Monthly check-in on goals, ahead of any commercial conversation",
     C.MONTHLY),
    (T.DECISION_MAKER, None, S.NEUTRAL, "Quarterly check-in on goals, ahead of any commercial conversation",
     C.QUARTERLY),
    (T.TECHNICAL_LEAD, Q.MANAGE_CLOSELY, S.SUPPORTIVE, "Technical sync on adoption and open issues", C.EVERY_2_WEEKS),
    (T.GATEKEEPER, Q.MONITOR, S.NEUTRAL, "Keep them briefed before every request to their leaders", C.MONTHLY),
    (T.INFLUENCER, None, S.NEUTRAL, "Share wins and news; hear their view", C.QUARTERLY),
])
def test_default_proposals(kind, quadrant, sentiment, approach, cadence):
    proposal = propose(kind, quadrant, sentiment)
    assert (proposal.approach, proposal.cadence, proposal.proposed) == (approach, cadence, True)


def test_the_seeds_acme_gets_a_strategy_for_all_five_people():
    people = {spec.contact.name or spec.contact.title: spec.contact for spec in acme(SEED_TODAY).contacts}
    proposals = {name: (s.approach, s.terms) for name, s in
                 ((name, strategy_of(c)) for name, c in people.items())}
    assert proposals == {
        "Tom Chen": ("Monthly roadmap 1:1; involve in beta", "monthly · call"),
        "Sarah Kim": ("Quarterly ROI review with the CFO's priorities", "quarterly · QBR"),
        "Lisa Park": ("Technical sync on adoption and open issues", "every 2 weeks · call"),
        "CTO": ("ROI reports to executive stakeholders; quarterly executive review", "quarterly · QBR"),
        "Operations Manager": ("Training sessions and release notes", "monthly · meeting"),
    }


def test_a_workspace_table_without_a_match_falls_back():
    only_champions = [ProposalRow(type="Champion", approach="Weekly sync", cadence="weekly")]
    assert propose(T.CHAMPION, None, S.NEUTRAL, only_champions).approach == "Weekly sync"
    assert propose(T.GATEKEEPER, None, S.NEUTRAL, only_champions) == FALLBACK.strategy()


# --- cadence → staleness ---------------------------------------------------------------------------


def test_cadence_days_are_a_plain_mapping_for_sql():
    assert CADENCE_DAYS == {"weekly": 7, "every_2_weeks": 14, "monthly": 31, "quarterly": 92, "twice_a_year": 184,
                            "none": None}
    assert all(cadence.days == CADENCE_DAYS[cadence.value] for cadence in Cadence)


@pytest.mark.parametrize("cadence", [c for c in Cadence if c != Cadence.NONE])
def test_an_accepted_cadence_is_the_window_day_n_fresh_day_n_plus_1_due(cadence):
    days = cadence.days
    window = staleness_window(T.TECHNICAL_LEAD, cadence, DEFAULT_WINDOWS)
    assert window == days
    added = TODAY - timedelta(days=400)

    def level(idle):
        return staleness(T.TECHNICAL_LEAD, ContactStatus.ACTIVE, TODAY - timedelta(days=idle), added, TODAY, window,
                         None)

    assert level(days) == Staleness.FRESH
    assert level(days + 1) == Staleness.DUE
    assert level(days * 3 // 2) == Staleness.DUE
    assert level(days * 3 // 2 + 1) == Staleness.OVERDUE


def test_without_a_strategy_of_its_own_the_type_window_applies():
    assert staleness_window(T.CHAMPION, None, DEFAULT_WINDOWS) == 30
    assert staleness_window(T.CHAMPION, None, {**DEFAULT_WINDOWS, T.CHAMPION: 21}) == 21


def test_cadence_none_is_never_stale_but_the_renewal_rule_still_applies():
    window = staleness_window(T.ECONOMIC_BUYER, Cadence.NONE, DEFAULT_WINDOWS)
    assert window is None
    long_ago = TODAY - timedelta(days=3000)
    assert staleness(T.INFLUENCER, ContactStatus.ACTIVE, long_ago, long_ago, TODAY, window, None) == Staleness.FRESH
    renewal = TODAY + timedelta(days=30)  # in the 90-day run-up, untouched since before it began
    assert staleness(T.ECONOMIC_BUYER, ContactStatus.ACTIVE, long_ago, long_ago, TODAY, window,
                     renewal) == Staleness.OVERDUE


def test_a_proposal_does_not_change_the_window_until_accepted():
    tom = contact("Tom Chen", T.CHAMPION, influence=Influence.HIGH, interest=Influence.HIGH)
    touches = [touch(tom, TODAY - timedelta(days=31))]
    before = assess(account("Acme", None), [tom], touches, [], TODAY).state_of(tom.id)
    assert (before.window_days, before.staleness, before.strategy.proposed) == (30, Staleness.DUE, True)
    for name, value in before.strategy.stored(StrategyOrigin.ACCEPTED).items():
        setattr(tom, name, value)
    after = assess(account("Acme", None), [tom], touches, [], TODAY).state_of(tom.id)
    assert (after.window_days, after.staleness, after.strategy.status_label) == (31, Staleness.FRESH, "accepted")
    touches = [touch(tom, TODAY - timedelta(days=32))]
    late = assess(account("Acme", None), [tom], touches, [], TODAY).state_of(tom.id)
    assert late.staleness == Staleness.DUE and late.missed_promise.approach == "Monthly roadmap 1:1; involve in beta"


def test_groups_follow_the_quadrants_and_list_the_unrated_last():
    people = [contact("A", T.CHAMPION, influence=Influence.HIGH, interest=Influence.HIGH),
              contact("B", T.INFLUENCER, influence=Influence.LOW, interest=Influence.LOW),
              contact("C", T.GATEKEEPER),
              contact("D", T.ECONOMIC_BUYER, influence=Influence.HIGH, interest=Influence.LOW),
              contact("E", T.CHAMPION, status=ContactStatus.NOT_ENGAGED, influence=Influence.LOW,
                      interest=Influence.HIGH)]
    result = assess(account("Acme", None), people, [], [], TODAY)
    groups = [(g.label, [s.contact.name for s in g.members]) for g in engagement_groups(result.active)]
    assert groups == [("Manage closely", ["A"]), ("Keep satisfied", ["D"]), ("Monitor", ["B"]), ("Not rated", ["C"])]


# --- the strategy a CSM writes, and the table as a file ----------------------------------------------


def test_a_strategy_of_its_own_needs_an_approach_and_a_cadence():
    own = ContactCreate(name="Tom", type=T.CHAMPION, strategy_approach="  Weekly  demo ", strategy_cadence="weekly")
    assert (own.strategy_approach, own.strategy_origin) == ("Weekly demo", StrategyOrigin.OWN)
    for half in ({"strategy_approach": "Weekly demo"}, {"strategy_cadence": "weekly"}, {"strategy_channel": "call"}):
        with pytest.raises(ValueError, match="proposal"):
            ContactCreate(name="Tom", type=T.CHAMPION, **half)
    with pytest.raises(ValueError, match="at most 150"):
        ContactCreate(name="Tom", type=T.CHAMPION, strategy_approach="x" * 151, strategy_cadence="weekly")


def test_the_table_file_round_trips_and_a_bad_row_changes_nothing():
    assert tuple(parse_table_csv(table_csv(DEFAULT_TABLE))) == DEFAULT_TABLE
    bad = "type,quadrant,sentiment,approach,cadence,channel\nChampion,any,any,Weekly sync,hourly,call\n"
    with pytest.raises(StakemapError, match="line 2: cadence"):
        parse_table_csv(bad)
    with pytest.raises(StakemapError, match="missing: cadence"):
        parse_table_csv("type,approach\nChampion,x\n")


def test_workspace_settings_keep_a_valid_table_and_fall_back_to_the_default():
    assert WorkspaceSettings().proposals == DEFAULT_TABLE
    row = {"type": "champion", "quadrant": None, "sentiment": None, "approach": "Weekly sync", "cadence": "weekly",
           "channel": "call"}
    assert WorkspaceSettings.model_validate({"strategy_table": [row]}).proposals[0].approach == "Weekly sync"
    with pytest.raises(ValueError):
        WorkspaceSettings.model_validate({"strategy_table": [dict(row, cadence="hourly")]})


def test_the_settings_modal_shows_the_table_to_read():
    from blocks.settings import settings_modal
    from tests.block_limits import view_problems

    own = WorkspaceSettings.model_validate({"strategy_table": [
        {"type": "champion", "approach": "Weekly <b> sync", "cadence": "weekly", "channel": "call"}]})
    for current, head in ((WorkspaceSettings(), f"({len(DEFAULT_TABLE)} rows, the default table"),
                          (own, "(1 rows, this workspace's own table")):
        view = settings_modal(current, "", editable=False)
        assert view_problems(view) == []
        text = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
        assert f"*Engagement strategy proposals* {head}" in text
    assert "• Champion · any · any → Weekly &lt;b&gt; sync (weekly · call)" in text


def test_remembered_proposals_answer_as_the_table_does_for_every_question():
    """propose() remembers its answers per table; each must be the table's first matching row, asked twice."""
    from itertools import product

    from app.core.domain import Quadrant, Sentiment, StakeholderType
    from app.core.strategy import DEFAULT_TABLE, FALLBACK, propose

    custom = (DEFAULT_TABLE[2], FALLBACK)
    for table in (DEFAULT_TABLE, custom, list(custom)):
        for kind, quadrant, sentiment in product(StakeholderType, (*Quadrant, None), Sentiment):
            expected = next((row for row in table if row.matches(kind, quadrant, sentiment)), FALLBACK).strategy()
            assert propose(kind, quadrant, sentiment, table) == expected
            assert propose(kind, quadrant, sentiment, table) == expected
