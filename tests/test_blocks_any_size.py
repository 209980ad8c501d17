"""Property: the map (message and modal), the Home and the portfolio list are valid Block Kit at any size."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.assessment import Staleness, assess
from app.core.domain import ContactStatus, Relationship, Sentiment, StakeholderType
from app.core.portfolio import Portfolio, ranked_by_risk
from app.core.presence import ChannelPulse, SeenList, SeenPerson
from app.core.stale import StaleItem, StaleList
from app.core.trends import Trend
from blocks.home import home_view
from blocks.map import map_message, map_modal
from blocks.portfolio import portfolio_notice
from tests.block_limits import message_problems, view_problems
from tests.factories import account, contact, step, touch

TODAY = date(2026, 3, 10)
names = st.text(min_size=1, max_size=120).filter(lambda s: s.strip())
people = st.tuples(
    st.one_of(st.none(), names), names, st.sampled_from(list(StakeholderType)), st.sampled_from(list(ContactStatus)),
    st.sampled_from(list(Relationship)), st.sampled_from(list(Sentiment)), st.integers(0, 400),
    st.one_of(st.none(), st.text(max_size=1000)),
)


def build(spec, n: int, steps: int):
    acct = account(f"Account {n} " + "x" * (n % 100), renewal_date=TODAY + timedelta(days=n % 300),
                   arr_amount=Decimal(n * 1000), currency="EUR")
    contacts, touches = [], []
    for i, (name, title, kind, status, relationship, sentiment, idle, notes) in enumerate(spec):
        person = contact(f"{name} {i}" if name else None, type=kind, status=status, relationship=relationship,
                         sentiment=sentiment, title=title, notes=notes, department=title[:20], added=TODAY - timedelta(days=500))
        contacts.append(person)
        touches.append(touch(person, TODAY - timedelta(days=idle)))
    plan = [step(contacts[i % len(contacts)] if contacts and i % 2 else None, role=f"Role {i}") for i in range(steps)]
    return acct, assess(acct, contacts, touches, plan, TODAY), contacts


def stale_of(assessments) -> StaleList:
    """The stale relationships of these assessments as a CSM's list (in any order: only the size matters here)."""
    items = [StaleItem(contact_id=s.contact.id, account_id=a.account.id, account_name=a.account.name,
                       contact_name=s.contact.display_name, title=s.contact.title if s.contact.name else None,
                       type=s.contact.type, staleness=s.staleness, idle_days=s.idle_days, window_days=s.window_days,
                       last_touch_on=s.last_touch.occurred_on if s.last_touch else None,
                       renewal_date=a.account.renewal_date, arr_amount=a.account.arr_amount, currency=a.account.currency)
             for a in assessments for s in a.active if s.staleness != Staleness.FRESH]
    overdue = sum(1 for item in items if item.staleness == Staleness.OVERDUE)
    return StaleList(TODAY, tuple(items), len(items), overdue, len({item.account_id for item in items}))


def slack_connect(acct, seen: int, channels: int, name: str):
    """`channels` linked channels (every other one quiet) and `seen` people seen there, for the map."""
    people = tuple(SeenPerson(acct.id, acct.name, f"U0SEEN{n}", name, name, 100 - n) for n in range(min(seen, 5)))
    pulses = tuple(ChannelPulse(f"C0LINK{n}", TODAY - timedelta(days=n * 7), n * 7 if n % 2 else None)
                   for n in range(channels))
    return pulses, SeenList(people, seen)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(people, max_size=80), st.integers(0, 30), st.integers(0, 40), st.integers(0, 300), names)
def test_any_map_fits_a_message_and_a_modal(spec, steps, seen, channels, name):
    acct, assessment, contacts = build(spec, 1, steps)
    trends = {c.id: [Trend(c.id, "sentiment", "Neutral", "Skeptical", TODAY),
                     Trend(c.id, "relationship", "Strong", "None", TODAY)] for c in contacts}
    pulses, seen_list = slack_connect(acct, seen, channels, name)
    message = map_message(assessment, acct.id, trends, channels=pulses, seen=seen_list)
    assert message_problems(message.blocks, message.text) == []
    assert view_problems(map_modal(message, "{}")) == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(people, max_size=6), max_size=40), st.integers(0, 5), st.integers(1, 60))
def test_any_portfolio_fits_the_home_and_the_list(accounts, page, copies):
    accounts = (accounts * (copies // max(len(accounts), 1) + 1))[:copies] if accounts else []
    assessments = [build(spec, n, n % 3)[1] for n, spec in enumerate(accounts)]
    ranked = ranked_by_risk(assessments)
    view = home_view(Portfolio(ranked, stale_of(assessments)), page)
    assert view_problems(view) == []
    notice = portfolio_notice(ranked, "All")
    assert message_problems(notice.blocks, notice.text) == []


def test_three_hundred_accounts_fit_the_home_on_every_page():
    spec = [(f"P{i}", "CFO", kind, ContactStatus.ACTIVE, Relationship.WEAK, Sentiment.NEUTRAL, 200, "n" * 300)
            for i, kind in enumerate(StakeholderType)]
    assessments = [build(spec, n, 2)[1] for n in range(300)]
    portfolio = Portfolio(ranked_by_risk(assessments), stale_of(assessments))
    assert len(portfolio.stale) == 300 * len(StakeholderType)
    for page in range(15):
        view = home_view(portfolio, page)
        assert view_problems(view) == [] and len(view["blocks"]) <= 100


def test_the_fullest_map_with_slack_connect_still_fits():
    """Every optional part at its largest: detailed contacts, not engaged, departed, plan, suggestions, strategies,
    people seen in Slack (+N more) and many linked channels."""
    kinds = list(StakeholderType)
    spec = [(f"P{i}", "VP Engineering " * 6, kinds[i % len(kinds)],
             [ContactStatus.ACTIVE, ContactStatus.NOT_ENGAGED, ContactStatus.LEFT][i % 3], Relationship.NONE,
             Sentiment.DETRACTOR, 300, "n" * 900) for i in range(90)]
    acct, assessment, _contacts = build(spec, 1, 30)
    pulses, seen = slack_connect(acct, 40, 300, "<!channel> " * 20)
    message = map_message(assessment, acct.id, channels=pulses, seen=seen)
    assert message_problems(message.blocks, message.text) == [] and len(message.blocks) <= 50
    assert "Seen in Slack, not on the map" in str(message.blocks)
