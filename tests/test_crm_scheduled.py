"""The CRM pull inside `serve`: scheduled every CRM_SYNC_HOURS (default 3) when a CRM is configured; a pass
never raises, and a failed one is picked up by the next from the cursors."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from app.core.models import Contact, ContactRole
from app.jobs.crm_sync import crm_sync_pass
from app.jobs.scheduler import _add_crm_job
from app.services.workspaces import ensure_workspace
from tests.conftest import TEAM, make_settings, running
from tests.hubspot_standin import TOKEN, HubSpotStandIn


def hubspot_settings(db_url, standin, hubspot, **overrides):
    return make_settings(db_url, standin.api_url, hubspot_access_token=TOKEN, hubspot_api_url=hubspot.url,
                         hubspot_backoff_seconds=0.01, **overrides)


def test_serve_schedules_the_pull_every_three_hours_only_with_a_token(db_url, standin, clock):
    with HubSpotStandIn() as hubspot, running(hubspot_settings(db_url, standin, hubspot), clock) as runtime:
        scheduler = BackgroundScheduler()
        _add_crm_job(scheduler, runtime)
        assert scheduler.get_job("crm-sync").trigger.interval == timedelta(hours=3)
    with running(make_settings(db_url, standin.api_url), clock) as runtime:
        scheduler = BackgroundScheduler()
        _add_crm_job(scheduler, runtime)
        assert scheduler.get_job("crm-sync") is None


def test_a_scheduled_pass_pulls_and_a_failed_one_is_caught_up(db_url, standin, clock, caplog):
    with HubSpotStandIn() as hubspot, running(hubspot_settings(db_url, standin, hubspot), clock) as runtime:
        with runtime.db.session() as session:
            ensure_workspace(session, TEAM, runtime.now())
        company = hubspot.add_company("Initech")
        hubspot.add_contact("Bill", "Lumbergh", company=company, labels=("Decision maker", "Blocker"))
        hubspot.fail("/crm/v3/objects/contacts/search", 500, times=6)
        with caplog.at_level(logging.WARNING, logger="stakemap.crm"):
            crm_sync_pass(runtime)  # never raises
        assert "HubSpot answered 500 after 6 attempts" in caplog.text
        with runtime.db.reading() as session:
            assert session.scalars(select(Contact)).all() == []
        crm_sync_pass(runtime)
        with runtime.db.reading() as session:
            bill = session.scalar(select(Contact).where(Contact.team_id == TEAM))
            roles = session.scalars(select(ContactRole.type).where(ContactRole.contact_id == bill.id)).all()
        assert bill.type.value == "decision_maker" and [r.value for r in roles] == ["detractor"]


def test_serve_pulls_salesforce_when_only_salesforce_is_configured(db_url, standin, clock, caplog):
    from tests.salesforce_standin import ACCESS_TOKEN, SalesforceStandIn

    with SalesforceStandIn() as salesforce:
        settings = make_settings(db_url, standin.api_url, salesforce_instance_url=salesforce.url,
                                 salesforce_access_token=ACCESS_TOKEN, salesforce_backoff_seconds=0.01)
        with running(settings, clock) as runtime:
            scheduler = BackgroundScheduler()
            _add_crm_job(scheduler, runtime)
            assert scheduler.get_job("crm-sync").trigger.interval == timedelta(hours=3)
            with runtime.db.session() as session:
                ensure_workspace(session, TEAM, runtime.now())
            account = salesforce.add_account("Initech")
            salesforce.add_contact("Bill", "Lumbergh", account=account, roles=("Decision Maker",))
            salesforce.fail("FROM Contact", 503, code="SERVER_UNAVAILABLE", times=6)
            with caplog.at_level(logging.WARNING, logger="stakemap.crm"):
                crm_sync_pass(runtime)  # never raises
            assert "the Salesforce sync stopped: Salesforce answered 503 after 6 attempts" in caplog.text
            crm_sync_pass(runtime)
            with runtime.db.reading() as session:
                bill = session.scalar(select(Contact).where(Contact.team_id == TEAM))
            assert bill.type.value == "decision_maker"
            assert runtime.settings.crms == ["salesforce"]  # HubSpot is not configured: not pulled
