"""Property: no data string can form a mention, a broadcast or a link on any surface.

Slack reads as mrkdwn the top-level `text` of every message (notifications, previews) and every text
object of type mrkdwn (sections, fields, context elements, confirmation texts); there `<!channel>`
broadcasts, `<@U…>` mentions, `<#C…>` links a channel and `<https://…|click>` is a link. Names, titles,
notes, departments, objectives and plan steps made of such pieces are rendered on every surface, and
every `<…>` token in every mrkdwn string must be one the product itself emits: a mention of the owner
or the person acting, or a link to the account's channel, built from validated Slack ids.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.assessment import Staleness, Suggestion, assess
from app.core.departures import Departure
from app.core.domain import ContactStatus, PlanTimeline, Relationship, Risk, Sentiment, StakeholderType
from app.core.models import NAME_MAX, STEP_TEXT_MAX, TEXT_MAX
from app.core.portfolio import Portfolio, ranked_by_risk
from app.core.presence import ChannelPulse, QuietAccount, SeenList, SeenPerson, Signal, SignalKind, SlackNews
from app.core.stale import StaleItem, StaleList
from app.services.suggestions import ContactDraft
from blocks.capture import ignored, signal_message, signal_settled, still_there, title_updated
from blocks.departures import coverage_changed
from blocks.digest import digest_message
from blocks.home import home_view
from blocks.map import map_message, map_modal
from blocks.modals import (
    AccountForm,
    account_modal,
    contact_modal,
    forget_confirm_modal,
    forget_pick_modal,
    notice_modal,
    pickable,
    plan_modal,
    remove_contact_modal,
    shortcut_touch_modal,
    touch_modal,
)
from blocks.notices import (
    account_created,
    channel_linked,
    channel_unlinked,
    list_usage,
    no_contacts,
    unknown_account,
)
from blocks.portfolio import portfolio_notice
from tests.conftest import TEAM
from tests.factories import account, contact, step, touch
from tests.seeding import seed_demo
from tests.test_contact_menu_through_slack import choose
from tests.test_contact_menu_through_slack import contact as stored_contact

TODAY = date(2026, 3, 10)
OWNER, ACTOR, CHANNEL = "U0OWNER", "U0CSM", "C0CHAN"
# The only tokens the product writes itself: mentions of the owner or the person acting, its channel.
PRODUCT_TOKENS = re.compile(rf"<@(?:{OWNER}|{ACTOR})>|<#{CHANNEL}>")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
DANGEROUS = [
    "<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C123>", "<!subteam^S123|@team>",
    "<https://evil.example|click>", "<mailto:a@evil.example|mail>", "&lt;", "&gt;", "&amp;", "<", ">", "&", "|",
    "\u202e", "\u202a", "\u2066", "\u2069", "🙂", "*", "_", "`", "~", "Acme", " ",
]
piece = st.one_of(st.sampled_from(DANGEROUS), st.text(alphabet="<>&!@#|^ab ", max_size=4))
short = st.lists(piece, min_size=1, max_size=8).map("".join).filter(str.strip)
long = st.builds(lambda p, n: p * n, st.sampled_from(DANGEROUS[:7]), st.integers(20, 400))
data = st.one_of(short, short, short, long)
# As long as the input models let them be: account name, contact name, title, notes, department,
# objectives, plan step.
LIMITS = (NAME_MAX, NAME_MAX - 2, NAME_MAX, TEXT_MAX, 80, TEXT_MAX, STEP_TEXT_MAX)
strings = st.tuples(*(data.map(lambda text, limit=limit: text[:limit]) for limit in LIMITS))


def mrkdwn_strings(payload) -> list[str]:
    """Every string in a message or view that Slack parses as mrkdwn (besides a message's `text`)."""
    found: list[str] = []
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn" and isinstance(payload.get("text"), str):
            found.append(payload["text"])
        for value in payload.values():
            found += mrkdwn_strings(value)
    elif isinstance(payload, list):
        for value in payload:
            found += mrkdwn_strings(value)
    return found


def injected(text: str) -> list[str]:
    """The `<…>` tokens (or lone `<`) in a mrkdwn string that the product did not write itself."""
    return re.findall(r"<[^<>]*>?", PRODUCT_TOKENS.sub("", text))


def surfaces(acct_name: str, person: str, title: str, notes: str, department: str, objectives: str,
             step_text: str) -> dict[str, dict]:
    """Every surface rendered with these data strings: name → {"text": …, "blocks": …} or a view."""
    acct = account(acct_name, renewal_date=TODAY + timedelta(days=40), arr_amount=Decimal(120000), currency="EUR",
                   owner_user_id=OWNER, channel_id=CHANNEL)
    people = [
        contact(person, type=StakeholderType.CHAMPION, title=title, notes=notes, department=department,
                objectives=objectives, relationship=Relationship.WEAK, sentiment=Sentiment.SKEPTICAL),
        contact(f"{person} 2", type=StakeholderType.ECONOMIC_BUYER, title=title, department=department),
        contact(None, type=StakeholderType.EXECUTIVE_SPONSOR, title=title, notes=notes,
                status=ContactStatus.NOT_ENGAGED, relationship=Relationship.NONE),
        contact(f"{person} 3", type=StakeholderType.TECHNICAL_LEAD, title=title, status=ContactStatus.LEFT),
    ]
    touches = [touch(people[0], TODAY - timedelta(days=200)), touch(people[1], TODAY - timedelta(days=5))]
    plan = [step(people[0]), step(None, role=step_text)]
    plan[1].path, plan[1].first_action, plan[1].owner_user_id = step_text, step_text, OWNER
    assessment = assess(acct, people, touches, plan, TODAY)
    message = map_message(assessment, acct.id)
    pick = [pickable(p) for p in people]
    suggestion = Suggestion(key="k", target_label=person, contact_id=None, target_role=title, path=step_text,
                            first_action=step_text, timeline=PlanTimeline.THIS_MONTH)
    departure = Departure(contact_id=people[0].id, contact_name=person, contact_title=title,
                          contact_type=StakeholderType.CHAMPION, account_id=acct.id, account_name=acct_name,
                          channel_id=CHANNEL, owner_user_id=OWNER, risk_before=Risk.MEDIUM, risk_after=Risk.HIGH,
                          next_step=suggestion, changed=True, was_active=True)
    stale = StaleItem(contact_id=people[0].id, account_id=acct.id, account_name=acct_name, contact_name=person,
                      title=title, type=StakeholderType.CHAMPION, staleness=Staleness.OVERDUE, idle_days=200,
                      window_days=30, last_touch_on=TODAY - timedelta(days=200), renewal_date=acct.renewal_date,
                      arr_amount=acct.arr_amount, currency="EUR")
    stale_list = StaleList(TODAY, (stale,), total=3, overdue=1, accounts=1)
    portfolio = Portfolio(ranked_by_risk([assessment]), stale_list)
    as_message = [
        ("map", message), ("portfolio", portfolio_notice([assessment], "All")),
        ("unknown account", unknown_account(acct_name, [acct_name, person])), ("no contacts", no_contacts(acct_name, 1)),
        ("list usage", list_usage(acct_name)), ("account created", account_created(acct_name)),
        ("coverage change", coverage_changed(departure, ACTOR)), ("digest", digest_message(stale_list, TODAY)),
        ("map with channels", map_message(assessment, acct.id, channels=(ChannelPulse(CHANNEL, TODAY),
                                                                         ChannelPulse(title, None)))),
        ("channel unlinked", channel_unlinked(acct_name)),
        ("channel linked", channel_linked(acct_name, [person])),
    ]
    as_message += _slack_connect_surfaces(acct, assessment, person, title)
    rendered: dict[str, dict] = {name: {"text": m.text, "blocks": m.blocks} for name, m in as_message}
    rendered["map channel post"] = json.loads(message.channel_post)
    rendered |= {
        "map modal": map_modal(message, "{}"),
        "home": home_view(portfolio),
        "add contact": contact_modal(acct_name, pick, "{}"),
        "edit contact": contact_modal(acct_name, pick, "{}", contact=people[0], manager=pick[1]),
        "fill in contact": contact_modal(acct_name, pick, "{}", contact=people[2]),
        "remove contact": remove_contact_modal(person, acct_name, "{}"),
        "log touch": touch_modal(acct_name, pick, "{}", TODAY, initial=pick[0], notes=notes),
        "log as touch": shortcut_touch_modal(acct, pick, "{}", TODAY, notes),
        "log as touch, no contacts": shortcut_touch_modal(acct, [], "{}", TODAY, notes),
        "forget": forget_pick_modal(acct_name, pick, "{}"),
        "forget confirm": forget_confirm_modal(acct_name, pick[0], "{}"),
        "plan step": plan_modal(acct_name, pick, "{}", OWNER),
        "new account": account_modal(AccountForm(name=acct_name), "{}"),
        "edit account": account_modal(AccountForm(name=acct_name, domains=title, linked_channels=(CHANNEL, title),
                                                  editing=True), "{}"),
        "notice modal": notice_modal(unknown_account(acct_name, [person]).text),
        "add contact seen in Slack": contact_modal(acct_name, pick, "{}", draft=ContactDraft(
            "U0SEEN", person, title, None, title, None, StakeholderType.INFLUENCER)),
    }
    return rendered


def _slack_connect_surfaces(acct, assessment, person: str, title: str) -> list:
    """The map and digest with people seen in Slack and quiet channels; the signals DMed to the owner."""
    seen = SeenList((SeenPerson(acct.id, acct.name, "U0SEEN", person, title, 3),
                     SeenPerson(acct.id, acct.name, "U0NONAME", None, None, 1)), total=9)
    pulses = (ChannelPulse(CHANNEL, TODAY - timedelta(days=20), 20), ChannelPulse(CHANNEL, None))
    news = SlackNews(seen, (QuietAccount(acct.id, acct.name, CHANNEL, 20),))
    signals = [Signal(id=1, kind=kind, contact_id=1, contact_name=person, contact_type=StakeholderType.CHAMPION,
                      account_id=acct.id, account_name=acct.name, owner_user_id=OWNER, channel_id=CHANNEL,
                      old_title=title, new_title=title) for kind in SignalKind]
    return [
        ("map with Slack", map_message(assessment, acct.id, channels=pulses, seen=seen)),
        ("digest with Slack", digest_message(StaleList(TODAY), TODAY, news)),
        *((f"signal {s.kind}", signal_message(s)) for s in signals),
        ("signal answered", signal_settled(signals[0], still_there(signals[0]))),
        ("title updated", signal_settled(signals[2], title_updated(signals[2]))),
        ("ignored", signal_settled(signals[1], ignored(person, acct.name))),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strings)
def test_no_data_string_forms_a_mention_a_broadcast_or_a_link(values):
    for surface, payload in surfaces(*values).items():
        texts = [payload["text"]] if "text" in payload else []
        for text in texts + mrkdwn_strings(payload):
            assert injected(text) == [], f"{surface}: {text!r}"
            assert not BIDI.search(text), f"{surface}: {text!r}"


def test_the_product_still_mentions_the_owner_and_links_the_channel():
    """The check above is not satisfied by dropping every token: the product's own ones stay."""
    rendered = surfaces("Acme", "Sarah Kim", "CFO", "n", "Finance", "o", "Call")
    assert f"<@{OWNER}>" in json.dumps(rendered["map"]["blocks"])
    assert f"<@{ACTOR}>" in json.dumps(rendered["coverage change"]["blocks"])
    assert "Stakeholder map for Acme" in rendered["map"]["text"]


def test_the_texts_that_pinged_everyone_are_escaped():
    """The three holes found: the map post's text, the coverage-change post, the digest's text."""
    rendered = surfaces("Evil <!channel> Co", "<https://evil.example|click>", "CFO", "n", "Finance", "o", "Call")
    assert "Evil &lt;!channel&gt; Co" in rendered["map channel post"]["text"]
    assert "&lt;https://evil.example|click&gt;" in rendered["coverage change"]["text"]
    digest = surfaces("Acme", "<!subteam^S123|@team>", "CFO", "n", "Finance", "o", "Call")["digest"]
    assert "&lt;!subteam^S123|@team&gt;" in digest["text"]


# --- through Slack: what the stand-in receives ------------------------------------------------------

EVIL_ACCOUNT = "Evil <!channel> Co"
EVIL_PERSON = "<https://evil.example|click>"


def parsed_texts(message: dict) -> list[str]:
    """What Slack reads as mrkdwn in a message body (plain_text and button values are not parsed)."""
    return [message["text"], *mrkdwn_strings(message.get("blocks", []))]


def test_an_account_named_to_ping_everyone_is_posted_harmless(slack, standin):
    slack.command(f"new {EVIL_ACCOUNT}")
    assert slack.submit(slack.wait_for_views(1), {}).body == ""
    created = slack.reply()
    assert "*Evil &lt;!channel&gt; Co*" in created["text"]
    assert [injected(text) for text in parsed_texts(created)] == [[]] * len(parsed_texts(created))
    assert slack.command(EVIL_ACCOUNT).status == 200
    posted = slack.reply()
    assert posted["response_type"] == "in_channel"
    assert posted["text"].startswith("Stakeholder map for Evil &lt;!channel&gt; Co: overall risk")
    assert all(injected(text) == [] for text in parsed_texts(posted)) and len(parsed_texts(posted)) > 10


def test_a_contact_named_as_a_link_leaves_the_company_harmless(slack, standin, runtime):
    seed_demo(runtime, TEAM, channel="C0ACME")
    slack.command("Acme")
    tom = stored_contact(runtime, "Tom Chen")
    choose(slack, slack.reply(), tom.id, "Edit")
    assert slack.submit(slack.wait_for_views(1), {"Name": EVIL_PERSON}).body == ""
    slack.command("Acme")
    choose(slack, slack.reply(), tom.id, "Left the company")
    [post] = standin.wait_for("chat.postMessage", count=1, ok=True)
    assert post.body["text"].startswith("Coverage changed at Acme: &lt;https://evil.example|click&gt; (Champion)")
    assert all(injected(text) == [] for text in parsed_texts(post.body))
    assert not {"link_names", "parse"} & set(post.body)  # plain words like @channel stay plain words


def _evil_hubspot(runtime) -> None:
    from app.jobs.crm_sync import sync_team
    from app.platform.hubspot import HubSpotClient
    from tests.hubspot_standin import TOKEN, HubSpotStandIn

    with HubSpotStandIn() as hubspot:
        company = hubspot.add_company(EVIL_ACCOUNT)
        hubspot.add_contact(EVIL_PERSON, "<!here>", company=company, labels=("Champion", "Decision maker"),
                            jobtitle="<@U123> VP", department="<#C123>")
        gone = hubspot.add_contact("Ann", "<!everyone>", company=company, labels=("Economic buyer",))
        sync_team(runtime, TEAM, client=HubSpotClient(hubspot.url, TOKEN))
        hubspot.archive("contacts", gone)
        sync_team(runtime, TEAM, client=HubSpotClient(hubspot.url, TOKEN))


def _evil_salesforce(runtime) -> None:
    from app.jobs.crm_sync import sync_team
    from app.platform.salesforce import SalesforceClient
    from tests.salesforce_standin import ACCESS_TOKEN, SalesforceStandIn

    with SalesforceStandIn() as salesforce:
        account = salesforce.add_account(EVIL_ACCOUNT)
        salesforce.add_contact(EVIL_PERSON, "<!here>", account=account, roles=("Champion", "Decision Maker"),
                               Title="<@U123> VP", Department="<#C123>")
        gone = salesforce.add_contact("Ann", "<!everyone>", account=account, roles=("Economic Buyer",))
        sync_team(runtime, TEAM, crm="salesforce", client=SalesforceClient(salesforce.url, ACCESS_TOKEN))
        salesforce.delete("Contact", gone)
        sync_team(runtime, TEAM, crm="salesforce", client=SalesforceClient(salesforce.url, ACCESS_TOKEN))


@pytest.mark.parametrize("fill", [_evil_hubspot, _evil_salesforce], ids=["hubspot", "salesforce"])
def test_what_a_crm_sends_is_posted_harmless(slack, runtime, fill):
    """The CRM is a source of data strings too: a company, person, title and department from HubSpot or
    Salesforce, with their extra roles and a removal flag, reach the map escaped."""
    fill(runtime)
    slack.command(EVIL_ACCOUNT)
    posted = slack.reply()
    text = json.dumps(posted["blocks"])
    assert "Champion (also Decision Maker)" in text and "removed in the CRM" in text
    assert all(injected(text) == [] for text in parsed_texts(posted)) and len(parsed_texts(posted)) > 10
