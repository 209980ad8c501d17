"""The leader's view (SPEC §7): weekly snapshots, the report's headlines on a hand-made portfolio, and
`/stakemap report`, its chart and the weekly leader digest driven as Slack drives them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from app.core.domain import Level, Relationship, StakeholderType
from app.core.models import (
    Account,
    AccountCreate,
    AccountFigures,
    ContactCreate,
    CoverageSnapshot,
    NudgeDelivery,
    TouchCreate,
    Workspace,
)
from app.core.report import iso_week
from app.jobs.leader_digest import LEDGER_KEY, run_leader_digest
from app.jobs.scheduler import _add_leader_jobs
from app.jobs.snapshots import snapshot_all
from app.platform.slack_client import web_client
from app.services.accounts import create_account, find_account
from app.services.contacts import add_contact
from app.services.report import build_report, save_leader_settings
from app.services.snapshots import take_snapshots
from app.services.touches import log_touch
from tests.block_limits import message_problems
from tests.conftest import OTHER_TEAM, TEAM

TODAY = datetime(2026, 3, 10, 12, tzinfo=UTC).date()  # a Tuesday, ISO week 2026-W11
START = datetime(2026, 2, 10, 9, tzinfo=UTC)  # 4 weeks earlier (2026-W07)
EUR, USD = "EUR", "USD"


def _account(session, team, name, arr, currency, renew_in, owner):
    data = AccountCreate(name=name, arr_amount=Decimal(arr), currency=currency,
                         renewal_date=TODAY + timedelta(days=renew_in), owner_user_id=owner)
    return create_account(session, team, data, owner, START)


def _engaged(session, account, name, kind, department, now, by=None):
    contact = add_contact(session, account, ContactCreate(name=name, type=kind, department=department,
                                                          level=Level.C_LEVEL, relationship=Relationship.STRONG),
                          None, now)
    log_touch(session, account, TouchCreate(contact_id=contact.id, occurred_on=now.date(), kind="call"), by, now)


def hand_made_portfolio(runtime) -> None:
    """Day90 (EUR 100k, renews in 90 days, one thread), Day91 (EUR 50k, in 91 days), Dollar (USD 40k, three
    threads incl. buyer and sponsor, touched by a CSM who owns nothing), Thread (EUR 30k, one thread until
    week 3 of five, when its economic buyer is engaged); snapshots in weeks 1, 2, 3 and 5 (week 4 missed)."""
    with runtime.db.session() as session:
        day90 = _account(session, TEAM, "Day90", 100_000, EUR, 90, "U0ANA")
        _engaged(session, day90, "Ann Champ", StakeholderType.CHAMPION, "Ops", START)
        day91 = _account(session, TEAM, "Day91", 50_000, EUR, 91, "U0ANA")
        _engaged(session, day91, "Bo Champ", StakeholderType.CHAMPION, "Ops", START)
        dollar = _account(session, TEAM, "Dollar", 40_000, USD, 30, "U0BEN")
        _engaged(session, dollar, "Cy Champ", StakeholderType.CHAMPION, "Ops", START)
        _engaged(session, dollar, "Di Buyer", StakeholderType.ECONOMIC_BUYER, "Finance", START)
        _engaged(session, dollar, "Ed Sponsor", StakeholderType.EXECUTIVE_SPONSOR, "Board", START)
        thread = _account(session, TEAM, "Thread", 30_000, EUR, 60, "U0BEN")
        _engaged(session, thread, "Fay Champ", StakeholderType.CHAMPION, "Ops", START)
        other = _account(session, OTHER_TEAM, "Elsewhere", 9_000_000, EUR, 10, "U0ANA")
        _engaged(session, other, "Gil Champ", StakeholderType.CHAMPION, "Ops", START)
    for week in range(5):
        day = START.date() + timedelta(weeks=week)
        if week == 2:  # week 3: Thread's economic buyer is engaged; a CSM without accounts logs a touch
            with runtime.db.session() as session:
                now = START + timedelta(weeks=2)
                _engaged(session, find_account(session, TEAM, "Thread"), "Hal Buyer", StakeholderType.ECONOMIC_BUYER,
                         "Finance", now)
        if week == 3:
            continue  # the server was down all week: no snapshot
        with runtime.db.session() as session:
            take_snapshots(session, TEAM, day)
            take_snapshots(session, OTHER_TEAM, day)
    with runtime.db.session() as session:  # this week (W11): CSM Cat, who owns nothing, logs a touch on Dollar
        dollar = find_account(session, TEAM, "Dollar")
        contact_id = next(c.id for c in dollar_contacts(session, dollar))
        log_touch(session, dollar, TouchCreate(contact_id=contact_id, occurred_on=TODAY, kind="call"), "U0CAT",
                  datetime.combine(TODAY, START.time(), UTC))
        take_snapshots(session, TEAM, TODAY)


def dollar_contacts(session, account):
    from app.services.contacts import account_contacts

    return account_contacts(session, account)


def report(runtime, owner=None):
    with runtime.db.reading() as session:
        return build_report(session, TEAM, TODAY, owner)


def euros(**amounts) -> dict:
    return {currency: Decimal(value).quantize(Decimal("0.01")) for currency, value in amounts.items()}


# --- snapshots -------------------------------------------------------------------------------------


def test_snapshots_once_a_week_idempotent_and_a_missed_week_is_a_gap(runtime):
    hand_made_portfolio(runtime)
    with runtime.db.session() as session:
        again = take_snapshots(session, TEAM, TODAY)
        weeks = dict(session.execute(select(CoverageSnapshot.iso_week, func.count()).where(
            CoverageSnapshot.team_id == TEAM).group_by(CoverageSnapshot.iso_week)).all())
        thread = find_account(session, TEAM, "Thread").id
        singled = dict(session.execute(select(CoverageSnapshot.iso_week, CoverageSnapshot.single_threaded).where(
            CoverageSnapshot.account_id == thread)).all())
    assert again.taken == 0 and again.summary() == "Workspace T0001: week 2026-W11 was already taken."
    assert weeks == {"2026-W07": 4, "2026-W08": 4, "2026-W09": 4, "2026-W11": 4}  # W10 missed: not invented
    assert singled == {"2026-W07": True, "2026-W08": True, "2026-W09": False, "2026-W11": False}
    trend = report(runtime).trend
    assert [(p.week, p.taken) for p in trend[-5:]] == [("2026-W07", True), ("2026-W08", True), ("2026-W09", True),
                                                       ("2026-W10", False), ("2026-W11", True)]
    assert [p.single_threaded_percent for p in trend[-5:] if p.taken] == [
        {EUR: Decimal("100.0"), USD: Decimal("0.0")}, {EUR: Decimal("100.0"), USD: Decimal("0.0")},
        {EUR: Decimal("0.0"), USD: Decimal("0.0")}, {EUR: Decimal("76.9"), USD: Decimal("0.0")}]


def test_the_first_run_in_a_week_takes_it_however_late(runtime, clock):
    hand_made_portfolio(runtime)
    clock.set(datetime(2026, 3, 22, 23, 50, tzinfo=UTC))  # Sunday night of W12: the server was down since Monday
    assert [p.summary() for p in snapshot_all(runtime, TEAM)] == ["Workspace T0001: took week 2026-W12 for 4 accounts."]
    assert [p.taken for p in snapshot_all(runtime, TEAM)] == [0]


# --- the report's headlines ------------------------------------------------------------------------


def test_headlines_on_the_hand_made_portfolio(runtime):
    hand_made_portfolio(runtime)
    found = report(runtime)
    renewing, single, no_buyer, no_sponsor = found.headlines
    assert renewing.now == euros(EUR=130_000, USD=40_000)  # Day90 in (day 90), Day91 out (day 91)
    assert renewing.then == euros(EUR=30_000, USD=40_000)  # 4 weeks ago Day90 was 118 days out
    assert renewing.change == euros(EUR=100_000, USD=0)
    assert single.now == euros(EUR=100_000) and single.share == {EUR: Decimal("76.9"), USD: Decimal("0.0")}
    assert single.then == euros(EUR=30_000) and single.share_then == {EUR: Decimal("100.0"), USD: Decimal("0.0")}
    assert no_buyer.now == euros(EUR=100_000) and no_buyer.then == euros(EUR=30_000)
    assert no_sponsor.now == euros(EUR=130_000) and no_sponsor.change == euros(EUR=100_000)
    assert found.compared_week == "2026-W07" and found.rates_used == []
    assert [(r.risk.label, r.accounts, r.arr) for r in found.by_risk] == [
        ("High", 2, euros(EUR=150_000)), ("Medium", 1, euros(EUR=30_000)), ("Low", 1, euros(USD=40_000))]
    assert [(r.name, r.reason) for r in found.at_risk] == [("Day90", "Only 1 active contact"),
                                                           ("Thread", "No executive sponsor")]
    rows = {r.user_id: (r.accounts, r.arr, r.high_risk_arr, r.touches_7, r.touches_30) for r in found.csms}
    assert rows == {"U0ANA": (2, euros(EUR=150_000), euros(EUR=150_000), 0, 0),
                    "U0BEN": (2, euros(EUR=30_000, USD=40_000), {}, 0, 0),
                    "U0CAT": (0, {}, {}, 1, 1)}  # a CSM with no accounts: only their touches


def test_exchange_rates_fold_currencies_and_are_named(runtime):
    hand_made_portfolio(runtime)
    with runtime.db.session() as session:
        save_leader_settings(session, TEAM, START, currency=EUR, rates={USD: Decimal("0.9")})
    found = report(runtime)
    assert found.headline("renewing").now == euros(EUR=166_000)
    assert found.headline("renewing").then == euros(EUR=66_000)
    assert found.headline("single_threaded").share == {EUR: Decimal("60.2")}
    assert found.rates_used == [(USD, Decimal("0.9"))]
    from app.render.report import to_text

    assert "Exchange rates used: 1 USD = 0.9 EUR." in to_text(found)


def test_a_csm_with_no_accounts_gets_an_empty_book(runtime):
    hand_made_portfolio(runtime)
    found = report(runtime, "U0DAN")
    assert found.accounts == 0 and found.headline("renewing").now == {}
    assert [(r.user_id, r.accounts, r.touches_30) for r in found.csms] == [("U0DAN", 0, 0)]
    assert all(not p.taken for p in found.trend)


# --- each account's stored figures of the day ----------------------------------------------------------


def stored_figures(runtime, team=TEAM) -> dict[str, tuple]:
    with runtime.db.reading() as session:
        return {name: (as_of, version) for name, as_of, version in session.execute(
            select(Account.name, AccountFigures.as_of, AccountFigures.version)
            .join(Account, Account.id == AccountFigures.account_id).where(AccountFigures.team_id == team))}


def assessed_afresh(runtime, day=TODAY):
    """The report as it is when no stored figure holds: every account assessed live."""
    with runtime.db.session() as session:
        session.execute(AccountFigures.__table__.delete().where(AccountFigures.team_id == TEAM))
    with runtime.db.reading() as session:
        return build_report(session, TEAM, day)


def test_a_change_after_the_hourly_pass_shows_in_the_next_report(slack, runtime, clock):
    """The pass stores each account's figures of the day; a map changed after it (here Day90, single-threaded,
    gets an engaged economic buyer) is assessed again for the next report, which says the same as a report
    that assessed every account."""
    hand_made_portfolio(runtime)  # its last pass stored every account's figures of TODAY
    clock.set(datetime.combine(TODAY, START.time(), UTC))
    assert {as_of for as_of, _ in stored_figures(runtime).values()} == {TODAY}
    slack.command("report")
    assert "*Single-threaded:* EUR 100,000 (76.9% of EUR, 0.0% of USD)" in texts(slack.reply())
    before = stored_figures(runtime)
    with runtime.db.session() as session:
        _engaged(session, find_account(session, TEAM, "Day90"), "Ivy Buyer", StakeholderType.ECONOMIC_BUYER,
                 "Finance", runtime.now(), by="U0ANA")
    assert stored_figures(runtime) == before  # nothing refreshed them yet
    slack.command("report")
    body = texts(slack.reply())
    assert "*Single-threaded:* 0 (0.0% of EUR, 0.0% of USD)" in body
    assert "*Without an engaged economic buyer:* 0 (0.0% of EUR, 0.0% of USD)" in body
    assert "🟠 *Day90* · EUR 100,000 · renews Jun 8, 2026 · <@U0ANA>\nNo executive sponsor" in body
    found = report(runtime)
    assert found.headline("single_threaded").now == {} and found.headline("no_economic_buyer").now == {}
    assert found == assessed_afresh(runtime)


def test_stored_figures_hold_only_for_their_day_version_and_windows(runtime):
    """Figures stored by a pass are used only on their day, for the account's map version and under the
    workspace's windows; a later day or other windows give the report of a fresh assessment, and the next pass
    stores them again."""
    from app.core.workspace_settings import NudgeSchedule, windows_of
    from app.services.workspaces import update_settings

    hand_made_portfolio(runtime)
    assert report(runtime) == assessed_afresh(runtime)  # stored (the pass's) and assessed alike
    with runtime.db.session() as session:
        take_snapshots(session, TEAM, TODAY)
    later = TODAY + timedelta(days=40)  # every contact touched at START is overdue by then
    with runtime.db.reading() as session:
        aged = build_report(session, TEAM, later)
    assert aged.by_risk == assessed_afresh(runtime, later).by_risk and aged == assessed_afresh(runtime, later)
    assert aged.headline("single_threaded").now != report(runtime).headline("single_threaded").now
    with runtime.db.session() as session:
        take_snapshots(session, TEAM, TODAY)
        windows = {**windows_of(session.get(Workspace, TEAM)), StakeholderType.CHAMPION: 7}
        update_settings(session, TEAM, windows, NudgeSchedule(), runtime.now())
    shorter = report(runtime)  # champions touched a week ago are not engaged any more
    assert shorter == assessed_afresh(runtime)
    assert shorter.headline("single_threaded").now != euros(EUR=100_000)
    with runtime.db.session() as session:
        take_snapshots(session, TEAM, TODAY)
    assert {as_of for as_of, _ in stored_figures(runtime).values()} == {TODAY} and report(runtime) == shorter


# --- Slack ------------------------------------------------------------------------------------------


def texts(reply: dict) -> str:
    return "\n".join(b["text"]["text"] for b in reply["blocks"] if b.get("text") and b["type"] == "section")


def test_report_command_only_to_the_caller_and_only_this_workspace(slack, other_slack, runtime, clock):
    hand_made_portfolio(runtime)
    clock.set(datetime.combine(TODAY, START.time(), UTC))
    slack.command("report")
    reply = slack.reply()
    assert reply["response_type"] == "ephemeral" and message_problems(reply["blocks"], reply["text"]) == []
    body = texts(reply)
    assert "*ARR renewing in the next 90 days:* EUR 130,000 + USD 40,000 · +EUR 100,000" in body
    assert "*Single-threaded:* EUR 100,000 (76.9% of EUR, 0.0% of USD)" in body
    assert "Elsewhere" not in body and "9,000,000" not in body
    buttons = [b["accessory"] for b in reply["blocks"] if b.get("accessory")]
    assert [b["action_id"] for b in buttons] == ["home_open_map:0", "home_open_map:1"]
    slack.click("home_open_map:0", buttons[0]["value"])
    assert "Day90" in str(slack.shown())  # the Home's own map action opens it
    slack.command("report <@U0BEN|ben>")
    assert "2 accounts (<@U0BEN>'s accounts)" in slack.reply()["blocks"][1]["elements"][0]["text"]
    other_slack.command("report")
    other = texts(other_slack.reply())
    assert "EUR 9,000,000" in other and "Day90" not in other
    slack.command("report everything please")
    assert "I did not understand “everything please”" in slack.reply()["text"]


def test_report_chart_uploads_in_a_dm_and_refuses_a_shared_channel(slack, standin, runtime, clock):
    hand_made_portfolio(runtime)
    clock.set(datetime.combine(TODAY, START.time(), UTC))
    standin.add_channel("C0SHARED", shared=True)
    slack.command("report chart", channel_id="C0SHARED")
    assert slack.reply()["text"].startswith("The trend chart is only shared privately")
    assert standin.calls_to("files.completeUploadExternal") == []
    slack.command("report chart", channel_id="D0BOT")
    slack.drain()
    uploads = standin.calls_to("files.completeUploadExternal", ok=True)
    assert len(uploads) == 1 and uploads[0].body["channel_id"] == "D0BOT"
    asked = standin.calls_to("files.getUploadURLExternal", ok=True)[-1].body
    assert asked["filename"] == "stakemap-coverage-2026-W11.png"
    assert "Single-threaded share of the ARR renewing within 90 days" in asked["alt_txt"]


def test_leader_digest_setting_refuses_a_shared_channel_and_posts_once_a_week(slack, standin, runtime, clock):
    hand_made_portfolio(runtime)
    clock.set(datetime.combine(TODAY, START.time(), UTC))
    standin.add_user("U0CSM", is_admin=True)
    standin.add_channel("C0SHARED", shared=True)
    slack.command("report digest <#C0SHARED|customer> monday 08:00")
    assert slack.reply()["text"].startswith("<#C0SHARED> is shared with another organisation")
    standin.fail("conversations.info", error="channel_not_found")
    slack.command("report digest <#C0LEADS|leads> monday 08:00")
    assert "is shared with another organisation (or I cannot tell)" in slack.reply()["text"]
    standin.add_channel("C0LEADS", "leads")
    slack.command("report digest <#C0LEADS|leads> monday 08:00")
    assert slack.reply()["text"] == "The weekly leader digest will be posted in <#C0LEADS> every Monday at 08:00 UTC."
    client = web_client(runtime.settings)
    standin.fail("chat.postMessage", error="not_in_channel")
    assert run_leader_digest(runtime, client, TEAM) == "failed"
    assert run_leader_digest(runtime, client, TEAM) == "sent"  # the failed week is retried
    assert run_leader_digest(runtime, client, TEAM) == "already sent"
    posts = standin.calls_to("chat.postMessage", ok=True)
    assert [p.body["channel"] for p in posts] == ["C0LEADS"]
    assert message_problems(posts[0].body["blocks"], posts[0].body["text"]) == []
    assert "Day90" in str(posts[0].body["blocks"]) and "Elsewhere" not in str(posts[0].body["blocks"])
    with runtime.db.reading() as session:
        row = session.scalars(select(NudgeDelivery).where(NudgeDelivery.user_id == LEDGER_KEY)).one()
    assert (row.week, row.status.value, row.attempts, row.channel_id) == (iso_week(TODAY), "sent", 2, "C0LEADS")
    clock.set(datetime(2026, 3, 16, 7, tzinfo=UTC))  # next Monday, before 08:00
    assert run_leader_digest(runtime, client, TEAM) == "not due"


# --- the App Home of leads, and the command line -----------------------------------------------------


def test_portfolio_section_on_the_home_of_admins_and_leads_only(slack, standin, runtime, clock):
    hand_made_portfolio(runtime)
    clock.set(datetime.combine(TODAY, START.time(), UTC))
    standin.add_user("U0CSM")
    slack.open_home()
    slack.drain()
    assert slack.home()["blocks"][0]["text"]["text"] == "Your accounts"
    with runtime.db.session() as session:
        save_leader_settings(session, TEAM, START, leads=("U0CSM",))
    slack.open_home()
    slack.drain()
    home = slack.home(2)
    assert home["blocks"][0]["text"]["text"] == "Portfolio"
    assert home["blocks"][1]["text"]["text"].startswith("*ARR renewing in the next 90 days:* EUR 130,000 + USD 40,000")
    assert home["blocks"][2]["accessory"]["action_id"] == "report_full"
    standin.add_user("U0BOSS", is_admin=True)
    slack.open_home("U0BOSS")
    slack.drain()
    assert slack.home(3)["blocks"][0]["text"]["text"] == "Portfolio"
    slack.click("report_full", user_id="U0BOSS")
    slack.drain()
    dm = standin.calls_to("chat.postMessage", ok=True)[-1].body
    assert "Day90" in str(dm["blocks"]) and message_problems(dm["blocks"], dm["text"]) == []


def test_command_line_report_snapshot_and_deterministic_chart(runtime, db_url, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from app.edge.cli import cli

    hand_made_portfolio(runtime)
    monkeypatch.setenv("DATABASE_URL", db_url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("app.core.clock.Clock.now", lambda self: datetime.combine(TODAY, START.time(), UTC))

    def run(*args):
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    assert run("snapshot", "--team", TEAM) == "Workspace T0001: week 2026-W11 was already taken.\n"
    text = run("report", "--team", TEAM)
    assert "- ARR renewing in the next 90 days: EUR 130,000 + USD 40,000 · +EUR 100,000" in text
    assert "- 2026-W10: no snapshot" in text and "Elsewhere" not in text
    data = __import__("json").loads(run("report", "--team", TEAM, "--owner", "U0ANA", "--format", "json"))
    assert data["headlines"][0]["now"] == {"EUR": "100000.00"} and data["accounts"] == 2
    csv_text = run("report", "--team", TEAM, "--format", "csv")
    assert "renewing_90_days,renewing,arr,EUR,130000.00" in csv_text
    assert "leader digest: off" in run("leaders", "--team", TEAM, "--currency", "eur", "--rate", "USD=0.9")
    assert "renewing_90_days,renewing,arr,EUR,166000.00" in run("report", "--team", TEAM, "--format", "csv")
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    run("report", "--team", TEAM, "--chart", str(first))
    run("report", "--team", TEAM, "--chart", str(second))
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and first.read_bytes() == second.read_bytes()


def test_snapshot_pass_and_report_read_a_fixed_number_of_statements(runtime):
    from tests.seeding import many_accounts
    from tests.sql_counter import count_statements

    def counts() -> tuple[int, int, int]:
        with runtime.db.session() as session, count_statements(runtime.db.engine) as snapshot:
            take_snapshots(session, TEAM, runtime.today())
        with runtime.db.reading() as session, count_statements(runtime.db.engine) as reading:
            build_report(session, TEAM, runtime.today())
        with runtime.db.session() as session:  # a report before the hourly pass stored any figure of the day
            session.execute(AccountFigures.__table__.delete())
        with runtime.db.reading() as session, count_statements(runtime.db.engine) as assessing:
            build_report(session, TEAM, runtime.today())
        return len(snapshot), len(reading), len(assessing)

    many_accounts(runtime, TEAM, "U0CSM", 3, contacts_each=3)
    few = counts()
    with runtime.db.session() as session:
        session.execute(CoverageSnapshot.__table__.delete())
    with runtime.db.session() as session:
        for n in range(40):
            extra = _account(session, TEAM, f"Extra {n}", 1000 + n, (EUR, USD)[n % 2], n, f"U0X{n % 4}")
            _engaged(session, extra, "Pat Champ", StakeholderType.CHAMPION, "Ops", runtime.now())
    assert counts() == few
    # snapshot: workspace, accounts, their stored figures, contacts+touches, plan steps, one figures upsert,
    # week check, one INSERT; report: workspace, accounts, stored figures, trend, touches (+ contacts, plan
    # steps when no stored figure holds)
    assert few == (8, 5, 7)


def test_leader_digest_killed_after_posting_is_not_posted_again(runtime, standin, clock):
    from sqlalchemy import update

    from app.core.domain import DeliveryStatus

    hand_made_portfolio(runtime)
    clock.set(datetime.combine(TODAY, START.time(), UTC))
    standin.add_channel("C0LEADS", "leads")
    with runtime.db.session() as session:
        save_leader_settings(session, TEAM, START, channel_id="C0LEADS")
    client = web_client(runtime.settings)
    assert run_leader_digest(runtime, client, TEAM) == "sent"
    with runtime.db.session() as session:  # as if the process died between posting and recording, long ago
        session.execute(update(NudgeDelivery).where(NudgeDelivery.user_id == LEDGER_KEY).values(
            status=DeliveryStatus.SENDING, ts=None, claimed_at=clock.now() - timedelta(hours=1)))
    assert run_leader_digest(runtime, client, TEAM) == "already sent"
    assert len(standin.calls_to("chat.postMessage", ok=True)) == 1
    with runtime.db.reading() as session:
        row = session.scalars(select(NudgeDelivery).where(NudgeDelivery.user_id == LEDGER_KEY)).one()
    assert row.status == DeliveryStatus.SENT and row.ts == standin.calls_to("chat.postMessage")[0].response["ts"]


def test_the_figures_pass_runs_at_once_then_on_every_hour_so_midnight_has_one(runtime, clock):
    """serve's snapshot pass (which stores each account's figures of the day) runs when serve starts, then on
    each whole UTC hour: the day's first pass runs at midnight, not up to an hour into the day."""
    clock.set(datetime(2026, 3, 9, 23, 41, 7, tzinfo=UTC))
    scheduler = BackgroundScheduler(timezone=UTC)
    _add_leader_jobs(scheduler, runtime)
    job = scheduler.get_job("weekly-snapshots")
    assert job.next_run_time == runtime.now()
    after_start = job.trigger.get_next_fire_time(job.next_run_time, job.next_run_time)
    assert after_start == datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
