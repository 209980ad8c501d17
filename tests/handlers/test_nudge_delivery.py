"""The weekly digest reaches each CSM once a week, in their own morning, whatever goes wrong."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core.domain import DeliveryStatus, StakeholderType
from app.core.models import NudgeDelivery, SlackUser, Workspace
from app.jobs.ledger import CLAIM_LEASE
from app.jobs.sweep import DIGEST_EVENT, run_sweep
from app.platform.slack_client import web_client
from tests.nudge_world import MONDAY, Person, at, seed_account

TEAM = "T0001"
HONOLULU, TONGA = "Pacific/Honolulu", "Pacific/Tongatapu"  # UTC-10 and UTC+13


@pytest.fixture
def csms(standin):
    standin.add_user("U0ANA", "ana", tz=HONOLULU)
    standin.add_user("U0BEN", "ben", tz=TONGA)
    return standin


def sweep(runtime, moment: datetime, *, send_now: bool = False):
    runtime.clock.set(moment)
    return run_sweep(runtime, web_client(runtime.settings), TEAM, send_now=send_now)


def digests(standin, user: str | None = None) -> list:
    """Digests delivered (HTTP 200, ok), to one user's DM or to anyone."""
    opened = {c.response["channel"]["id"]: c.body["users"] for c in standin.calls_to("conversations.open", ok=True)}
    return [c for c in standin.calls_to("chat.postMessage", ok=True)
            if (c.body.get("metadata") or {}).get("event_type") == DIGEST_EVENT
            and (user is None or opened.get(c.body["channel"]) == user)]


def ledger(runtime) -> dict[tuple[str, str], NudgeDelivery]:
    with runtime.db.session() as session:
        return {(row.user_id, row.week): row for row in session.scalars(select(NudgeDelivery))}


def stale_accounts(runtime, *owners: str) -> None:
    for owner in owners:
        seed_account(runtime, f"Acme {owner}", owner, [
            Person("Tom Chen", StakeholderType.CHAMPION, touched=35, title="VP Engineering"),
            Person("Sarah Kim", StakeholderType.ECONOMIC_BUYER, touched=95, title="CFO"),
            Person("Lisa Park", StakeholderType.TECHNICAL_LEAD, touched=5),
        ], renewal_in=112)


# --- once a week, at 09:00 in each CSM's own time zone ---------------------------------------------------


def test_each_csm_gets_theirs_at_their_own_nine_oclock(runtime, csms):
    stale_accounts(runtime, "U0ANA", "U0BEN")
    sunday = MONDAY - timedelta(days=1)
    assert sweep(runtime, at(sunday, 19, 59)).sent == []  # 08:59 Monday in Tonga
    assert sweep(runtime, at(sunday, 20, 0)).sent == ["U0BEN"]  # 09:00 Monday in Tonga; Sunday in Honolulu
    assert sweep(runtime, at(MONDAY, 18, 59)).sent == []  # 08:59 in Honolulu
    assert sweep(runtime, at(MONDAY, 19, 0)).sent == ["U0ANA"]
    for later in (at(MONDAY, 19, 5), at(MONDAY + timedelta(days=1), 12)):
        assert sweep(runtime, later).sent == []
    assert (len(digests(csms, "U0ANA")), len(digests(csms, "U0BEN"))) == (1, 1)
    rows = ledger(runtime)
    assert {key: row.status for key, row in rows.items()} == {
        ("U0ANA", "2026-W11"): DeliveryStatus.SENT, ("U0BEN", "2026-W11"): DeliveryStatus.SENT}
    assert rows[("U0ANA", "2026-W11")].ts == digests(csms, "U0ANA")[0].response["ts"]
    next_monday = MONDAY + timedelta(days=7)
    assert sorted(sweep(runtime, at(next_monday, 19, 0)).sent) == ["U0ANA", "U0BEN"]


def test_a_restart_after_the_send_time_still_sends_this_weeks(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    assert sweep(runtime, at(MONDAY, 21, 40)).sent == ["U0ANA"]  # down from 08:30 to 11:40 in Honolulu
    assert sweep(runtime, at(MONDAY, 21, 45)).sent == []


def test_a_digest_a_day_late_is_skipped_not_sent_next_to_the_next_one(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    assert sweep(runtime, at(MONDAY + timedelta(days=2), 19)).sent == []  # down from Monday to Wednesday
    assert sweep(runtime, at(MONDAY + timedelta(days=7), 19)).sent == ["U0ANA"]


def test_the_digest_lists_the_ranked_stale_relationships(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    sweep(runtime, at(MONDAY, 19))
    [digest] = digests(csms, "U0ANA")
    items = [b["text"]["text"] for b in digest.body["blocks"] if b.get("block_id", "").startswith("nudge_item:")]
    assert [text.split("*")[1] for text in items] == ["Sarah Kim", "Tom Chen"]  # overdue buyer, then due champion
    assert digest.body["metadata"] == {"event_type": DIGEST_EVENT, "event_payload": {"week": "2026-W11", "user": "U0ANA"}}
    assert digest.body["text"].startswith("2 stale relationships this week (1 overdue).")


def test_no_dm_when_nothing_is_stale(runtime, csms):
    seed_account(runtime, "Globex", "U0ANA", [Person("Hank Scorpio", touched=3)])
    report = sweep(runtime, at(MONDAY, 19))
    assert (report.sent, report.empty) == ([], ["U0ANA"])
    assert csms.calls_to("chat.postMessage") == []
    assert ledger(runtime)[("U0ANA", "2026-W11")].status == DeliveryStatus.EMPTY
    assert sweep(runtime, at(MONDAY + timedelta(days=4), 19)).empty == []  # decided for the week


def test_send_now_ignores_the_local_time_but_not_the_ledger(runtime, csms):
    stale_accounts(runtime, "U0ANA", "U0BEN")
    assert sorted(sweep(runtime, at(MONDAY, 1), send_now=True).sent) == ["U0ANA", "U0BEN"]
    assert sweep(runtime, at(MONDAY, 2), send_now=True).sent == []
    assert len(digests(csms)) == 2


def test_the_settings_day_and_time_are_used(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    with runtime.db.session() as session:
        session.get(Workspace, TEAM).config = {"nudge": {"weekday": 3, "at": "14:30:00"}}  # Thursday 14:30
    thursday = MONDAY + timedelta(days=3)
    assert sweep(runtime, at(thursday, 0, 29)).sent == []  # 14:29 in Honolulu
    assert sweep(runtime, at(thursday, 0, 30)).sent == []  # still Wednesday in Honolulu: 14:30 Wednesday
    assert sweep(runtime, at(thursday + timedelta(days=1), 0, 30)).sent == ["U0ANA"]


def test_other_workspaces_are_not_swept(runtime, csms):
    seed_account(runtime, "Acme", "U0ANA", [Person("Tom Chen", touched=60)], team="T0002")
    assert sweep(runtime, at(MONDAY, 19), send_now=True).sent == []
    assert csms.calls_to("chat.postMessage") == []


def test_time_zones_and_dm_channels_are_cached(runtime, csms):
    stale_accounts(runtime, "U0ANA", "U0BEN")
    for moment in (at(MONDAY, 0), at(MONDAY, 19), at(MONDAY, 21), at(MONDAY + timedelta(days=7), 19)):
        sweep(runtime, moment)
    assert len(digests(csms, "U0ANA")) == 2
    assert len(csms.calls_to("conversations.open")) == 2  # once per CSM, ever
    assert len(csms.calls_to("users.info")) == 4  # once per CSM a week
    with runtime.db.session() as session:
        cached = {u.user_id: (u.tz, u.dm_channel_id is not None) for u in session.scalars(select(SlackUser))}
    assert cached == {"U0ANA": (HONOLULU, True), "U0BEN": (TONGA, True)}


def test_a_csm_whose_time_zone_slack_did_not_give_waits_for_the_next_pass(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    csms.fail("users.info", error="fatal_error")
    assert sweep(runtime, at(MONDAY, 19)).sent == []  # 09:00 in Honolulu, but that is not known yet
    assert sweep(runtime, at(MONDAY, 19, 5)).sent == ["U0ANA"]


# --- exactly once, whatever fails ------------------------------------------------------------------------


def test_429_is_retried_by_the_client_into_exactly_one_delivery(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    csms.fail("chat.postMessage", status=429, retry_after=1)  # nothing was posted: safe to try again
    assert sweep(runtime, at(MONDAY, 19)).sent == ["U0ANA"]
    assert [c.status for c in csms.calls_to("chat.postMessage")] == [429, 200]
    assert len(digests(csms, "U0ANA")) == 1
    assert sweep(runtime, at(MONDAY, 19, 5)).sent == []


FIVE = ["U0CA", "U0CB", "U0CC", "U0CD", "U0CE"]


@pytest.mark.parametrize("lost", [dict(drop=True), dict(status=500)], ids=["dropped", "500"])
def test_a_digest_posted_whose_answer_is_lost_is_not_posted_again(runtime, csms, lost):
    for user in FIVE:
        csms.add_user(user, tz="UTC")
    stale_accounts(runtime, *FIVE)
    csms.fail("chat.postMessage", performed=True, times=len(FIVE), **lost)  # posted, then the answer is lost
    first = sweep(runtime, at(MONDAY, 9))
    assert {user: len(digests(csms, user)) for user in FIVE} == dict.fromkeys(FIVE, 1)  # the client did not retry
    assert (first.sent, sorted(first.uncertain), first.settled) == ([], FIVE, False)
    assert {row.status for row in ledger(runtime).values()} == {DeliveryStatus.UNCERTAIN}

    second = sweep(runtime, at(MONDAY, 9, 5))  # finds each digest in the DM: recorded, not posted again
    assert (sorted(second.sent), second.settled) == (FIVE, True)
    assert {user: len(digests(csms, user)) for user in FIVE} == dict.fromkeys(FIVE, 1)
    assert len(csms.calls_to("chat.postMessage")) == len(FIVE)
    rows = ledger(runtime)
    for user in FIVE:
        row = rows[(user, "2026-W11")]
        assert (row.status, row.ts, row.attempts) == (DeliveryStatus.SENT, digests(csms, user)[0].response["ts"], 2)
    assert sweep(runtime, at(MONDAY, 9, 10)).sent == []


@pytest.mark.parametrize("lost", [dict(drop=True), dict(status=500)], ids=["dropped", "500"])
def test_a_lost_answer_when_nothing_was_posted_is_sent_once_on_the_next_pass(runtime, csms, lost):
    stale_accounts(runtime, "U0ANA")
    csms.fail("chat.postMessage", **lost)  # Slack did not post, but the client cannot know that
    report = sweep(runtime, at(MONDAY, 19))
    assert len(csms.calls_to("chat.postMessage")) == 1  # the client did not try again
    assert list(report.uncertain) == ["U0ANA"] and digests(csms) == []
    assert sweep(runtime, at(MONDAY, 19, 5)).sent == ["U0ANA"]  # not in the DM: posted now
    [digest] = digests(csms, "U0ANA")
    assert ledger(runtime)[("U0ANA", "2026-W11")].ts == digest.response["ts"]
    history = [c for c in csms.calls_to("conversations.history") if c.body["channel"] == digest.body["channel"]]
    assert len(history) == 1 and history[0].ok  # looked before posting again


def test_a_refused_connection_is_a_failure_and_sent_on_the_next_pass(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    with runtime.db.session() as session:  # time zone and DM known: the post is the first call
        session.add(SlackUser(team_id=TEAM, user_id="U0ANA", tz=HONOLULU, tz_checked_at=at(MONDAY), dm_channel_id="D0ANA"))
    runtime.clock.set(at(MONDAY, 19))
    nobody_listens = web_client(runtime.settings.model_copy(update={"slack_api_url": "http://127.0.0.1:1/api/"}))
    report = run_sweep(runtime, nobody_listens, TEAM)
    assert list(report.failed) == ["U0ANA"] and "refused" in report.failed["U0ANA"]
    assert ledger(runtime)[("U0ANA", "2026-W11")].status == DeliveryStatus.FAILED  # never sent: certain
    assert sweep(runtime, at(MONDAY, 19, 5)).sent == ["U0ANA"]
    assert len(csms.calls_to("chat.postMessage", ok=True)) == 1


def test_an_uncertain_digest_found_in_the_dm_is_recorded_sent_without_posting(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    client = web_client(runtime.settings)
    channel = client.conversations_open(users="U0ANA")["channel"]["id"]
    posted = client.chat_postMessage(channel=channel, text="digest", metadata={
        "event_type": DIGEST_EVENT, "event_payload": {"week": "2026-W11", "user": "U0ANA"}})
    with runtime.db.session() as session:
        session.add(NudgeDelivery(team_id=TEAM, user_id="U0ANA", week="2026-W11", status=DeliveryStatus.UNCERTAIN,
                                  attempts=1, claimed_by="another-host:1:x", claimed_at=at(MONDAY, 19), items=2,
                                  channel_id=channel, error="internal_error"))
    assert sweep(runtime, at(MONDAY, 19, 5)).sent == ["U0ANA"]
    assert len(csms.calls_to("chat.postMessage")) == 1
    row = ledger(runtime)[("U0ANA", "2026-W11")]
    assert (row.status, row.ts, row.error) == (DeliveryStatus.SENT, posted["ts"], None)


def test_an_uncertain_digest_is_not_posted_while_its_dm_cannot_be_read(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    csms.fail("chat.postMessage", drop=True, performed=True)
    assert list(sweep(runtime, at(MONDAY, 19)).uncertain) == ["U0ANA"]
    csms.fail("conversations.history", error="fatal_error")
    assert "could not check" in sweep(runtime, at(MONDAY, 19, 5)).failed["U0ANA"]
    assert sweep(runtime, at(MONDAY, 19, 10)).sent == ["U0ANA"]  # found on the pass after
    assert len(csms.calls_to("chat.postMessage")) == 1


def test_a_failed_digest_is_recorded_and_sent_on_the_next_pass(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    csms.fail("chat.postMessage", error="fatal_error")  # what the client raises once its retries are spent
    report = sweep(runtime, at(MONDAY, 19))
    assert report.failed == {"U0ANA": "fatal_error"}
    row = ledger(runtime)[("U0ANA", "2026-W11")]
    assert (row.status, row.error, row.attempts) == (DeliveryStatus.FAILED, "fatal_error", 1)
    assert sweep(runtime, at(MONDAY, 19, 5)).sent == ["U0ANA"]
    assert len(digests(csms, "U0ANA")) == 1
    assert ledger(runtime)[("U0ANA", "2026-W11")].attempts == 2


def test_a_dm_channel_slack_no_longer_knows_is_opened_again(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    with runtime.db.session() as session:
        session.add(SlackUser(team_id=TEAM, user_id="U0ANA", tz=HONOLULU, tz_checked_at=at(MONDAY), dm_channel_id="D0OLD"))
    csms.fail("chat.postMessage", error="channel_not_found")
    assert sweep(runtime, at(MONDAY, 19)).failed == {"U0ANA": "channel_not_found"}
    assert sweep(runtime, at(MONDAY, 19, 5)).sent == ["U0ANA"]
    [digest] = digests(csms, "U0ANA")  # in the DM conversations.open gave
    assert digest.body["channel"] != "D0OLD"


def test_a_recipient_slack_refuses_is_recorded_not_retried(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    csms.fail("conversations.open", error="user_not_found")
    assert sweep(runtime, at(MONDAY, 19)).undeliverable == {"U0ANA": "user_not_found"}
    assert ledger(runtime)[("U0ANA", "2026-W11")].status == DeliveryStatus.UNDELIVERABLE
    csms.clear()
    sweep(runtime, at(MONDAY, 20))
    assert csms.calls_to("chat.postMessage") == [] and csms.calls_to("conversations.open") == []


def claimed_by_a_dead_process(runtime, user: str, week: str, moment: datetime) -> None:
    with runtime.db.session() as session:
        session.add(NudgeDelivery(team_id=TEAM, user_id=user, week=week, status=DeliveryStatus.SENDING, attempts=1,
                                  claimed_by="dead-host:1:x", claimed_at=moment, items=2))


def test_a_claim_abandoned_before_posting_is_sent_once_the_lease_is_over(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    claimed_by_a_dead_process(runtime, "U0ANA", "2026-W11", at(MONDAY, 19))
    assert sweep(runtime, at(MONDAY, 19) + CLAIM_LEASE - timedelta(seconds=1)).sent == []  # maybe still sending
    assert sweep(runtime, at(MONDAY, 19) + CLAIM_LEASE + timedelta(seconds=1)).sent == ["U0ANA"]
    assert len(digests(csms, "U0ANA")) == 1


def test_a_digest_posted_by_a_process_killed_before_recording_it_is_not_sent_again(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    client = web_client(runtime.settings)
    channel = client.conversations_open(users="U0ANA")["channel"]["id"]
    posted = client.chat_postMessage(channel=channel, text="digest", metadata={
        "event_type": DIGEST_EVENT, "event_payload": {"week": "2026-W11", "user": "U0ANA"}})
    with runtime.db.session() as session:
        session.add(SlackUser(team_id=TEAM, user_id="U0ANA", dm_channel_id=channel))
    claimed_by_a_dead_process(runtime, "U0ANA", "2026-W11", at(MONDAY, 19))
    report = sweep(runtime, at(MONDAY, 19) + CLAIM_LEASE + timedelta(minutes=1))
    assert report.sent == ["U0ANA"]  # found in the DM's history, recorded, not posted again
    assert len(csms.calls_to("chat.postMessage")) == 1
    row = ledger(runtime)[("U0ANA", "2026-W11")]
    assert (row.status, row.ts) == (DeliveryStatus.SENT, posted["ts"])


def test_concurrent_passes_send_one_digest_per_csm(runtime, csms):
    stale_accounts(runtime, "U0ANA", "U0BEN")
    runtime.clock.set(at(MONDAY, 21))
    reports = []

    def one_pass():
        reports.append(run_sweep(runtime, web_client(runtime.settings), TEAM, send_now=True))

    threads = [threading.Thread(target=one_pass) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(user for report in reports for user in report.sent) == ["U0ANA", "U0BEN"]
    assert (len(digests(csms, "U0ANA")), len(digests(csms, "U0BEN"))) == (1, 1)


def test_with_oauth_installs_each_workspace_is_swept_with_its_own_token(runtime, csms):
    from slack_sdk.oauth.installation_store import Installation

    from app.jobs.scheduler import sweep_all
    from app.platform.installations import installation_store
    from tests.conftest import BOT_TOKEN, OTHER_BOT_TOKEN, make_settings, running

    settings = make_settings(runtime.settings.database_url, csms.api_url, slack_bot_token=None,
                             slack_client_id="111.222", slack_client_secret="secret")
    stale_accounts(runtime, "U0ANA")
    seed_account(runtime, "Acme", "U0BEN", [Person("Tom Chen", touched=60)], team="T0002")
    with running(settings, runtime.clock) as installed:
        store = installation_store(settings, installed.db.engine)
        for team, token in (("T0001", BOT_TOKEN), ("T0002", OTHER_BOT_TOKEN)):
            store.save(Installation(app_id="A0STAKEMAP", team_id=team, bot_token=token, bot_id="B1",
                                    bot_user_id="UBOT", user_id="U0INSTALLER", bot_scopes=["chat:write"]))
        installed.clock.set(at(MONDAY, 21))
        reports = {report.team_id: report.sent for report in sweep_all(installed, send_now=True)}
    assert reports == {"T0001": ["U0ANA"], "T0002": ["U0BEN"]}
    tokens = {c.body["metadata"]["event_payload"]["user"]: c.token for c in digests(csms)}
    assert tokens == {"U0ANA": BOT_TOKEN, "U0BEN": OTHER_BOT_TOKEN}


def test_the_ledger_key_is_unique(runtime, csms):
    stale_accounts(runtime, "U0ANA")
    claimed_by_a_dead_process(runtime, "U0ANA", "2026-W11", datetime(2026, 3, 9, tzinfo=UTC))
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        claimed_by_a_dead_process(runtime, "U0ANA", "2026-W11", datetime(2026, 3, 9, tzinfo=UTC))


def test_passes_and_digests_are_counted_in_the_metrics(runtime, csms):
    from prometheus_client import REGISTRY

    from app.jobs.scheduler import sweep_all

    def sample(name: str, **labels) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    passes, sent = sample("stakemap_sweep_seconds_count"), sample("stakemap_digests_total", outcome="sent")
    stale_accounts(runtime, "U0ANA", "U0BEN")
    runtime.clock.set(at(MONDAY, 21))
    assert [report.sent for report in sweep_all(runtime, send_now=True)] == [["U0ANA", "U0BEN"]]
    assert sample("stakemap_sweep_seconds_count") == passes + 1
    assert sample("stakemap_digests_total", outcome="sent") == sent + 2
