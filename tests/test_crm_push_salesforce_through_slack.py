"""The Salesforce push, driven as a CSM would: a touch logged in Slack becomes one Task in the Salesforce
stand-in — after REQUEST_LIMIT_EXCEEDED, after a lost answer and a restart, after an expired session — and
roles and a departure set in Slack reach the contact's AccountContactRelation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from app.core.outbox import LOOK_AFTER, PushKind, PushStatus
from app.jobs.crm_push import push_pass
from app.jobs.crm_sync import salesforce_client, sync_team
from app.services.crm.salesforce_push import SalesforcePush
from tests.conftest import TEAM, make_settings, running, serving
from tests.salesforce_standin import PASSWORD, SECURITY_TOKEN, USERNAME, SalesforceStandIn
from tests.slack_driver import SlackDriver
from tests.test_contact_menu_through_slack import choose
from tests.test_crm_push_through_slack import contact_id, log_touch, outbox, touches_of, wait_until


@pytest.fixture
def salesforce() -> Iterator[SalesforceStandIn]:
    with SalesforceStandIn() as server:
        account = server.add_account("Acme")
        server.ids = {"account": account,
                      "tom": server.add_contact("Tom", "Chen", account=account, roles=("Business User", "Other"),
                                                Title="VP Engineering"),
                      "sarah": server.add_contact("Sarah", "Kim", account=account,
                                                  roles=("Economic Buyer", "Decision Maker"), Title="CFO")}
        yield server


def push_settings(db_url, standin, salesforce, **overrides):
    """Logged in with username and password, so an expired session is logged into again."""
    values = dict(salesforce_login_url=salesforce.url, salesforce_username=USERNAME, salesforce_password=PASSWORD,
                  salesforce_security_token=SECURITY_TOKEN, salesforce_backoff_seconds=0.01, crm_push="all")
    return make_settings(db_url, standin.api_url, **{**values, **overrides})


@contextmanager
def serve(db_url, standin, salesforce, clock, **overrides) -> Iterator[tuple]:
    """A serve process: its runtime, the Bolt app on it and a Slack driver (the Salesforce pull already run)."""
    with running(push_settings(db_url, standin, salesforce, **overrides), clock) as runtime, serving(runtime) as app:
        sync_team(runtime, TEAM, crm="salesforce")
        yield runtime, SlackDriver(app, standin, team_id=TEAM, pools=(runtime.after_ack,))


def task_creates(salesforce) -> list:
    return [r for r in salesforce.calls("/sobjects/Task") if r[0] == "POST"]


def test_a_touch_logged_in_slack_becomes_one_task_also_after_the_request_limit(db_url, standin, salesforce, clock):
    salesforce.fail("/sobjects/Task", 403, code="REQUEST_LIMIT_EXCEEDED", method="POST")
    with serve(db_url, standin, salesforce, clock) as (runtime, slack):
        log_touch(slack, runtime, "Tom Chen", {"Notes": "Renewal & pricing"})
        [task] = wait_until(lambda: list(salesforce.objects["Task"].values()))
        [row] = wait_until(lambda: [r for r in outbox(runtime) if r.status == PushStatus.SENT])
        assert (row.kind, row.crm, row.external_id) == (PushKind.TOUCH, "salesforce", f"Task/{task['Id']}")
        assert len(task_creates(salesforce)) == 2  # the refusal, then the Task
        assert (task["WhoId"], task["WhatId"]) == (salesforce.ids["tom"], salesforce.ids["account"])
        assert (task["ActivityDate"], task["Status"], task["TaskSubtype"]) == (runtime.today().isoformat(),
                                                                              "Completed", "Call")
        assert task["Subject"] == f"Call with Tom Chen — ref stakemap{row.id}xt0001"
        assert task["Description"].startswith("Renewal & pricing")
        assert push_pass(runtime) == {}  # nothing left: nothing sent twice
    assert len(salesforce.objects["Task"]) == 1


def test_a_lost_answer_is_looked_up_after_a_restart_never_doubled(db_url, standin, salesforce, clock):
    salesforce.fail("/sobjects/Task", after=True, method="POST")  # stored, then the connection drops
    with serve(db_url, standin, salesforce, clock) as (runtime, slack):
        log_touch(slack, runtime, "Sarah Kim", {"Kind": "email", "Notes": "Sent the QBR deck"})
        [row] = wait_until(lambda: [r for r in outbox(runtime) if r.status == PushStatus.UNCERTAIN])
        assert len(salesforce.objects["Task"]) == 1 and "lost" in row.error
    clock.set(clock.now() + LOOK_AFTER + timedelta(seconds=1))
    with running(push_settings(db_url, standin, salesforce), clock) as restarted:  # a new process, same database
        assert push_pass(restarted) == {"sent": 1}
        [row] = outbox(restarted)
    [task] = salesforce.objects["Task"].values()
    assert (row.status, row.external_id, task["TaskSubtype"]) == (PushStatus.SENT, f"Task/{task['Id']}", "Email")
    assert len(task_creates(salesforce)) == 1  # looked up (SOQL on the subject's marker), never created again
    assert any(f"Subject LIKE '%ref stakemap{row.id}xt0001'" in path for _, path, _ in salesforce.calls("FROM Task"))


def test_an_expired_session_is_logged_into_again_and_the_task_sent_once(db_url, standin, salesforce, clock):
    with serve(db_url, standin, salesforce, clock, crm_push="touches") as (runtime, slack):
        runtime.kicks.clear()  # sent by the pass below, after the session expired
        log_touch(slack, runtime, "Tom Chen", {"Notes": "Quick sync"})
        slack.drain()
        client = salesforce_client(runtime)
        client.limits()  # logged in
        salesforce.expire_sessions()
        assert push_pass(runtime, {"salesforce": SalesforcePush(client)}) == {"sent": 1}
        client.close()
    assert len(salesforce.objects["Task"]) == 1 and salesforce.logins == 3  # the pull's, the client's, the new one
    assert len(task_creates(salesforce)) == 2  # refused (401: the session had expired), then created


def test_roles_and_a_departure_set_in_slack_reach_the_relation(db_url, standin, salesforce, clock):
    tom, account = salesforce.ids["tom"], salesforce.ids["account"]
    relation = salesforce.objects["AccountContactRelation"][salesforce.relation(tom, account)]
    with serve(db_url, standin, salesforce, clock) as (runtime, slack):
        slack.command("Acme")
        posted = slack.reply()
        view = slack.next_view(lambda: choose(slack, posted, contact_id(runtime, "Tom Chen"), "Edit"))
        assert slack.submit(view, {"Also": ["Executive Sponsor"]}).body == ""
        wait_until(lambda: relation["Roles"] == "Business User;Other;Executive Sponsor")  # "Other" is not mapped: kept
        slack.command("Acme")
        choose(slack, slack.reply(), contact_id(runtime, "Tom Chen"), "Left the company")
        wait_until(lambda: relation["IsActive"] is False)
        rows = wait_until(lambda: outbox(runtime) if all(r.status == PushStatus.SENT for r in outbox(runtime)) else None)
        assert [r.kind for r in rows] == [PushKind.ROLES, PushKind.LEFT]
        assert relation["Roles"] == "Business User;Other;Executive Sponsor"  # a departure changes no role
        sarah = salesforce.objects["AccountContactRelation"][salesforce.relation(salesforce.ids["sarah"], account)]
        assert (sarah["Roles"], sarah["IsActive"]) == ("Economic Buyer;Decision Maker", True)  # untouched
        sync_team(runtime, TEAM, crm="salesforce")  # the pull reads back what was pushed: nothing is queued again
        assert len(outbox(runtime)) == 2


def test_a_type_takes_the_picklist_value_named_like_it():
    """Evaluator and Influencer both map to Influencer: the push writes Influencer; a value the mapping ignores
    stays, and a role the contact no longer has goes."""
    from app.core.crm import role_map
    from app.core.domain import StakeholderType
    from app.services.crm.outbox import PushItem
    from app.services.crm.salesforce_push import wanted_roles
    from tests.salesforce_standin import ROLES

    item = PushItem(row_id=1, team_id=TEAM, crm="salesforce", kind=PushKind.ROLES, marker="stakemap1xt0001",
                    look_first=False, contact_external_id="003000000000001AAA",
                    company_external_id="001000000000001AAA", contact_name="Tom Chen", account_name="Acme",
                    types=frozenset({StakeholderType.INFLUENCER, StakeholderType.TECHNICAL_LEAD}),
                    role_table=role_map(None))
    roles = wanted_roles(item, ["Other", "Decision Maker"], list(ROLES))
    assert roles[0] == "Other" and sorted(roles[1:]) == ["Influencer", "Technical Buyer"]
    assert wanted_roles(item, ["Evaluator"], list(ROLES)) == ["Evaluator", "Technical Buyer"]  # held: kept


def test_tasks_stakemap_pushed_are_not_pulled_back_as_touches(db_url, standin, salesforce, clock):
    tom, sarah = salesforce.ids["tom"], salesforce.ids["sarah"]
    salesforce.insert("Task", WhoId=tom, ActivityDate="2026-02-20", TaskSubtype="Call", Subject="Renewal call")
    with serve(db_url, standin, salesforce, clock) as (runtime, slack):
        salesforce.fail("/sobjects/Task", after=True, method="POST", passing=1)  # the second push's answer is lost
        log_touch(slack, runtime, "Tom Chen", {"Notes": "Pushed"})
        log_touch(slack, runtime, "Sarah Kim", {"Kind": "email"})
        wait_until(lambda: sorted(r.status for r in outbox(runtime)) == sorted([PushStatus.SENT,
                                                                                PushStatus.UNCERTAIN]))
        assert len(salesforce.objects["Task"]) == 3
        salesforce.insert("Event", WhoId=sarah, StartDateTime="2026-02-27T09:00:00.000+0000", Subject="QBR")
        report, _ = sync_team(runtime, TEAM, crm="salesforce")
        assert report.activities.created == 1  # the Event; not the Tasks stakemap pushed
        assert report.activities.skipped == 2  # one known by its outbox row, one (answer lost) by its marker
        today = runtime.today().isoformat()
        assert touches_of(runtime, "Tom Chen") == [("call", "2026-02-20", "crm:salesforce"), ("call", today, "U0CSM")]
        assert touches_of(runtime, "Sarah Kim") == [("meeting", "2026-02-27", "crm:salesforce"),
                                                    ("email", today, "U0CSM")]
        report, _ = sync_team(runtime, TEAM, crm="salesforce", full=True)
        assert report.activities.created == 0  # a second sync, even a full one, adds nothing
