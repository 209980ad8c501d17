"""The CRM push, driven as a CSM would: a touch, roles and a departure set in Slack reach the HubSpot stand-in once
— after a 429, after a lost answer, after a restart (a new runtime on the same database) — and nothing is queued
when CRM_PUSH is off."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from click.testing import CliRunner
from sqlalchemy import select

from app.core.models import Contact, CrmOutbox, Touch
from app.core.outbox import LOOK_AFTER, PushKind, PushStatus
from app.edge.cli import cli
from app.jobs.crm_push import push_pass
from app.jobs.crm_sync import sync_team
from app.jobs.scheduler import _add_push_job
from app.services.crm.mapping import change_role_table
from tests.conftest import TEAM, make_settings, running, serving
from tests.hubspot_standin import TOKEN, HubSpotStandIn
from tests.slack_driver import SlackDriver
from tests.test_contact_menu_through_slack import choose


@pytest.fixture
def hubspot() -> Iterator[HubSpotStandIn]:
    with HubSpotStandIn() as server:
        company = server.add_company("Acme")
        server.ids = {"company": company,
                      "tom": server.add_contact("Tom", "Chen", company=company, labels=("Champion",),
                                                jobtitle="VP Engineering"),
                      "sarah": server.add_contact("Sarah", "Kim", company=company,
                                                  labels=("Economic buyer", "Decision maker"), jobtitle="CFO")}
        server.define_label("Executive sponsor")
        yield server


def push_settings(db_url, standin, hubspot, **overrides):
    values = dict(hubspot_access_token=TOKEN, hubspot_api_url=hubspot.url, hubspot_backoff_seconds=0.01,
                  crm_push="all", hubspot_left_property="stakemap_relationship")
    return make_settings(db_url, standin.api_url, **{**values, **overrides})


@contextmanager
def serve(db_url, standin, hubspot, clock, **overrides) -> Iterator[tuple]:
    """A serve process: its runtime, the Bolt app on it and a Slack driver (the HubSpot pull already run)."""
    with running(push_settings(db_url, standin, hubspot, **overrides), clock) as runtime, serving(runtime) as app:
        sync_team(runtime, TEAM)
        yield runtime, SlackDriver(app, standin, team_id=TEAM, pools=(runtime.after_ack,))


def contact_id(runtime, name: str) -> int:
    with runtime.db.reading() as session:
        return session.scalar(select(Contact.id).where(Contact.team_id == TEAM, Contact.name == name))


def outbox(runtime) -> list[CrmOutbox]:
    with runtime.db.reading() as session:
        return list(session.scalars(select(CrmOutbox).order_by(CrmOutbox.id)))


def wait_until(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


def log_touch(slack, runtime, name: str, values: dict) -> None:
    slack.command("Acme")
    posted = slack.reply()
    view = slack.next_view(lambda: choose(slack, posted, contact_id(runtime, name), "Log touch"))
    assert slack.submit(view, values).body == ""


def creates(hubspot, kind: str) -> list:
    return [r for r in hubspot.calls(f"/crm/v3/objects/{kind}") if r[0] == "POST" and r[1].endswith(kind)]


def test_a_touch_logged_in_slack_becomes_one_hubspot_call_also_after_a_429(db_url, standin, hubspot, clock):
    with serve(db_url, standin, hubspot, clock) as (runtime, slack):
        hubspot.fail("/crm/v3/objects/calls", 429, retry_after="0", method="POST")
        log_touch(slack, runtime, "Tom Chen", {"Notes": "Renewal <chat> & pricing"})
        [call] = wait_until(lambda: list(hubspot.objects["calls"].values()))
        [row] = wait_until(lambda: [r for r in outbox(runtime) if r.status == PushStatus.SENT])
        assert (row.kind, row.crm, row.external_id, row.attempts) == (PushKind.TOUCH, "hubspot", f"calls/{call.id}", 1)
        assert len(creates(hubspot, "calls")) == 2  # the 429, then the call
        body = call.properties["hs_call_body"]
        assert "Renewal &lt;chat&gt; &amp; pricing" in body and f"stakemap{row.id}xt0001" in body
        assert call.properties["hs_timestamp"] == f"{runtime.today().isoformat()}T12:00:00.000Z"
        assert call.properties["hs_call_status"] == "COMPLETED"
        assert hubspot.engagement_links[("calls", call.id)] == {"contacts": [hubspot.ids["tom"]],
                                                                "companies": [hubspot.ids["company"]]}
        assert push_pass(runtime) == {}  # nothing left: nothing sent twice
    assert len(hubspot.objects["calls"]) == 1 and hubspot.objects["notes"] == {}


def test_a_lost_answer_is_looked_up_after_a_restart_never_doubled(db_url, standin, hubspot, clock):
    with serve(db_url, standin, hubspot, clock) as (runtime, slack):
        hubspot.fail("/crm/v3/objects/notes", after=True, method="POST")  # stored, then the connection drops
        log_touch(slack, runtime, "Sarah Kim", {"Kind": "email", "Notes": "Sent the QBR deck"})
        [row] = wait_until(lambda: [r for r in outbox(runtime) if r.status == PushStatus.UNCERTAIN])
        assert len(hubspot.objects["notes"]) == 1 and "lost" in row.error
    clock.set(clock.now() + LOOK_AFTER + timedelta(seconds=1))
    with running(push_settings(db_url, standin, hubspot), clock) as restarted:  # a new process, same database
        assert push_pass(restarted) == {"sent": 1}
        [row] = outbox(restarted)
    [note] = hubspot.objects["notes"].values()
    assert (row.status, row.external_id) == (PushStatus.SENT, f"notes/{note.id}")
    assert len(creates(hubspot, "notes")) == 1  # looked up (search), never created again
    assert hubspot.calls("/crm/v3/objects/notes/search")[0][2]["filterGroups"][0]["filters"][0] == {
        "propertyName": "hs_note_body", "operator": "CONTAINS_TOKEN", "value": f"stakemap{row.id}xt0001"}


def test_a_row_left_pending_is_sent_once_by_the_next_process(db_url, standin, hubspot, clock):
    with serve(db_url, standin, hubspot, clock) as (runtime, slack):
        hubspot.fail("/crm/v3/objects/meetings", 429, retry_after="0", times=6, method="POST")  # every attempt
        log_touch(slack, runtime, "Tom Chen", {"Kind": "meeting"})
        [row] = wait_until(lambda: [r for r in outbox(runtime) if r.status == PushStatus.PENDING and r.attempts])
        assert "429" in row.error and row.next_attempt_at > runtime.now()
        assert push_pass(runtime) == {}  # not before its time
    clock.set(clock.now() + timedelta(minutes=1))
    with running(push_settings(db_url, standin, hubspot), clock) as restarted:
        assert push_pass(restarted) == {"sent": 1}
        assert push_pass(restarted) == {}
    [meeting] = hubspot.objects["meetings"].values()
    assert meeting.properties["hs_meeting_outcome"] == "COMPLETED"
    assert hubspot.engagement_links[("meetings", meeting.id)]["contacts"] == [hubspot.ids["tom"]]


def test_roles_and_a_departure_set_in_slack_reach_the_association_labels(db_url, standin, hubspot, clock):
    tom, company = hubspot.ids["tom"], hubspot.ids["company"]
    with serve(db_url, standin, hubspot, clock) as (runtime, slack):
        slack.command("Acme")
        posted = slack.reply()
        view = slack.next_view(lambda: choose(slack, posted, contact_id(runtime, "Tom Chen"), "Edit"))
        assert slack.submit(view, {"Also": ["Executive Sponsor"]}).body == ""
        wait_until(lambda: hubspot.labels_of(tom, company) == ["Champion", "Executive sponsor"])
        slack.command("Acme")
        choose(slack, slack.reply(), contact_id(runtime, "Tom Chen"), "Left the company")
        wait_until(lambda: hubspot.labels_of(tom, company) == [])
        wait_until(lambda: hubspot.objects["contacts"][tom].properties.get("stakemap_relationship"))
        assert hubspot.objects["contacts"][tom].properties["stakemap_relationship"] == "Left the company"
        assert company in hubspot.associations[tom]  # the association stays: only the role labels go
        rows = wait_until(lambda: [r for r in outbox(runtime) if r.status == PushStatus.SENT] if all(
            r.status == PushStatus.SENT for r in outbox(runtime)) else None)
        assert [r.kind for r in rows] == [PushKind.ROLES, PushKind.LEFT]
        assert hubspot.labels_of(hubspot.ids["sarah"], company) == ["Decision maker", "Economic buyer"]  # untouched
        sync_team(runtime, TEAM)  # the pull reads back what was pushed: nothing is queued again
        assert len(outbox(runtime)) == 2


def test_nothing_is_queued_or_sent_when_push_is_off(db_url, standin, hubspot, clock):
    with serve(db_url, standin, hubspot, clock, crm_push="") as (runtime, slack):
        log_touch(slack, runtime, "Tom Chen", {"Notes": "Quick sync"})
        slack.drain()
        assert outbox(runtime) == [] and push_pass(runtime) == {}
        scheduler = BackgroundScheduler()
        _add_push_job(scheduler, runtime)
        assert scheduler.get_job("crm-push") is None
    assert creates(hubspot, "calls") == []


def test_serve_delivers_the_outbox_every_few_seconds_when_push_is_on(db_url, standin, hubspot, clock):
    with running(push_settings(db_url, standin, hubspot, crm_push="touches", crm_push_seconds=5), clock) as runtime:
        scheduler = BackgroundScheduler()
        _add_push_job(scheduler, runtime)
        assert scheduler.get_job("crm-push").trigger.interval == timedelta(seconds=5)


def test_two_serve_processes_never_send_the_same_row(db_url, standin, hubspot, clock):
    with serve(db_url, standin, hubspot, clock, crm_push="touches") as (runtime, slack):
        runtime.kicks.clear()  # the kick after the ack would send it first: leave it to the two processes
        for notes in ("one", "two", "three"):
            log_touch(slack, runtime, "Tom Chen", {"Notes": notes})
        slack.drain()
        with running(push_settings(db_url, standin, hubspot, crm_push="touches"), clock) as other:
            threads = [threading.Thread(target=push_pass, args=(process,)) for process in (runtime, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        rows = outbox(runtime)
    assert [r.status for r in rows] == [PushStatus.SENT] * 3 and all(r.attempts == 1 for r in rows)
    assert len(hubspot.objects["calls"]) == 3 and len(creates(hubspot, "calls")) == 3


def touches_of(runtime, name: str) -> list[tuple]:
    with runtime.db.reading() as session:
        query = (select(Touch.kind, Touch.occurred_on, Touch.logged_by).join(Contact, Contact.id == Touch.contact_id)
                 .where(Contact.team_id == TEAM, Contact.name == name).order_by(Touch.occurred_on, Touch.kind))
        return [(kind.value, day.isoformat(), by) for kind, day, by in session.execute(query)]


def test_hubspot_activities_become_touches_once_and_pushed_ones_are_not_pulled_back(db_url, standin, hubspot, clock):
    tom, sarah = hubspot.ids["tom"], hubspot.ids["sarah"]
    hubspot.add_engagement("calls", [tom], hs_timestamp="2026-02-20T15:00:00.000Z", hs_call_body="Renewal")
    hubspot.add_engagement("meetings", [tom, sarah], hs_timestamp="2026-02-24T09:00:00.000Z")
    hubspot.add_engagement("emails", [sarah], hs_timestamp="1772006400000")  # epoch ms: 2026-02-25
    hubspot.add_engagement("notes", [tom], hs_timestamp="2026-02-26T09:00:00.000Z", hs_note_body="Not a touch")
    with serve(db_url, standin, hubspot, clock, crm_push="touches") as (runtime, slack):
        hubspot.fail("/crm/v3/objects/meetings", after=True, method="POST")  # a push whose answer is lost
        assert touches_of(runtime, "Tom Chen") == [("call", "2026-02-20", "crm:hubspot"),
                                                   ("meeting", "2026-02-24", "crm:hubspot")]
        assert touches_of(runtime, "Sarah Kim") == [("meeting", "2026-02-24", "crm:hubspot"),
                                                    ("email", "2026-02-25", "crm:hubspot")]
        log_touch(slack, runtime, "Tom Chen", {"Kind": "call", "Notes": "Pushed"})
        log_touch(slack, runtime, "Sarah Kim", {"Kind": "meeting"})
        wait_until(lambda: len(hubspot.objects["calls"]) == 2 and len(hubspot.objects["meetings"]) == 2)
        wait_until(lambda: [r.status for r in outbox(runtime)] == [PushStatus.SENT, PushStatus.UNCERTAIN])
        hubspot.add_engagement("emails", [tom], hs_timestamp="2026-02-27T09:00:00.000Z")
        report, _ = sync_team(runtime, TEAM)
        assert report.activities.created == 1  # the new e-mail; not the call and meeting stakemap pushed
        assert report.activities.skipped == 2  # one known by its outbox row, one (answer lost) by its marker
        today = runtime.today().isoformat()
        assert touches_of(runtime, "Tom Chen") == [
            ("call", "2026-02-20", "crm:hubspot"), ("meeting", "2026-02-24", "crm:hubspot"),
            ("email", "2026-02-27", "crm:hubspot"), ("call", today, "U0CSM")]
        report, _ = sync_team(runtime, TEAM, full=True)
        assert report.activities.created == 0  # a second sync, even a full one, adds nothing


@pytest.mark.parametrize(("status", "recorded", "said"), [
    (400, PushStatus.FAILED, "HubSpot answered 400"),  # refused: sending it again would not help
    (401, PushStatus.PENDING, "HUBSPOT_ACCESS_TOKEN"),  # a token to fix: tried again once it is
])
def test_a_refused_push_keeps_the_reason(db_url, standin, hubspot, clock, status, recorded, said):
    with serve(db_url, standin, hubspot, clock) as (runtime, slack):
        hubspot.fail("/crm/v3/objects/calls", status, method="POST")
        log_touch(slack, runtime, "Tom Chen", {"Notes": "Refused"})
        [row] = wait_until(lambda: [r for r in outbox(runtime) if r.attempts and r.status != PushStatus.SENDING])
    assert row.status == recorded and said in row.error
    assert hubspot.objects["calls"] == {}


def test_stakemap_crm_push_delivers_what_is_due(db_url, standin, hubspot, clock, monkeypatch):
    with serve(db_url, standin, hubspot, clock) as (runtime, slack):
        runtime.kicks.clear()  # nothing sent after the ack: the command sends it
        log_touch(slack, runtime, "Tom Chen", {"Notes": "From the CLI"})
        slack.drain()
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "CRM_PUSH", "HUBSPOT_LEFT_PROPERTY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"DATABASE_URL": db_url, "HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_API_URL": hubspot.url,
                        "HUBSPOT_BACKOFF_SECONDS": "0.01"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["crm", "push"])
    assert result.exit_code == 1 and "set CRM_PUSH to touches, roles, departures or all" in result.output
    monkeypatch.setenv("CRM_PUSH", "touches, Roles")
    result = CliRunner().invoke(cli, ["crm", "push"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Delivered: 1 sent", "Outbox: 1 sent"]
    assert len(hubspot.objects["calls"]) == 1
    monkeypatch.setenv("CRM_PUSH", "touches,notes")
    result = CliRunner().invoke(cli, ["crm", "push"])
    assert result.exit_code == 1 and "CRM_PUSH is invalid" in result.output and "'notes'" in result.output


def test_activities_the_token_may_not_read_are_said_and_the_rest_is_pulled(db_url, standin, hubspot, clock):
    hubspot.add_engagement("calls", [hubspot.ids["tom"]], hs_timestamp="2026-02-20T15:00:00.000Z")
    hubspot.fail("/crm/v3/objects/emails/search", 403)  # no sales-email-read
    with running(push_settings(db_url, standin, hubspot), clock) as runtime:
        report, _ = sync_team(runtime, TEAM)
        assert report.lines()[-1] == "Activities: 1 touches created (emails not read: the private app lacks the scope)"
        assert touches_of(runtime, "Tom Chen") == [("call", "2026-02-20", "crm:hubspot")]


def test_a_departure_never_takes_hubspots_own_association_types_off(db_url, standin, hubspot, clock):
    tom, company = hubspot.ids["tom"], hubspot.ids["company"]
    with serve(db_url, standin, hubspot, clock, crm_push="departures") as (runtime, slack):
        with runtime.db.session() as session:
            change_role_table(session, TEAM, {"Primary": "champion"}, runtime.now())  # a workspace's odd mapping
        slack.command("Acme")
        choose(slack, slack.reply(), contact_id(runtime, "Tom Chen"), "Left the company")
        wait_until(lambda: hubspot.labels_of(tom, company) == [])
    assert [t["label"] for t in hubspot.associations[tom][company]] == ["Primary", None]
