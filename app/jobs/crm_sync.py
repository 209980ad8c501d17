"""The CRM pull, run by `stakemap crm sync` and every CRM_SYNC_HOURS inside `serve` (issue 13): HubSpot and
Salesforce, whichever is configured (both when both are).

The HTTP clients (app.platform.hubspot, app.platform.salesforce) and the Slack e-mail lookup for account
owners are built here and handed to the services (app.services.crm.*), which only read and write the database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlmodel import Session

from app.core.crm import CRM_NAMES, HUBSPOT, SALESFORCE, SyncReport
from app.core.errors import ConfigError, StakemapError
from app.platform.db import Database
from app.platform.hubspot import HubSpotClient
from app.platform.runtime import Runtime
from app.platform.salesforce import SalesforceClient
from app.platform.slack_client import slack_email_lookup
from app.services.crm.hubspot import HubSpotFields, sync_hubspot
from app.services.crm.pull import Progress
from app.services.crm.salesforce import SalesforceFields, sync_salesforce
from app.services.workspaces import resolve_team

log = logging.getLogger("stakemap.crm")
NOTHING_CONFIGURED = ("Set HUBSPOT_ACCESS_TOKEN (README: 'HubSpot') or SALESFORCE_INSTANCE_URL with "
                      "SALESFORCE_ACCESS_TOKEN, or SALESFORCE_USERNAME, SALESFORCE_PASSWORD and "
                      "SALESFORCE_SECURITY_TOKEN (README: 'Salesforce').")


def hubspot_fields(runtime: Runtime) -> HubSpotFields:
    settings = runtime.settings
    return HubSpotFields(arr=settings.hubspot_arr_field, currency=settings.hubspot_currency_field,
                         renewal=settings.hubspot_renewal_field, department=settings.hubspot_department_field,
                         reports_to=settings.hubspot_reports_to_field)


def hubspot_client(runtime: Runtime) -> HubSpotClient:
    settings = runtime.settings
    return HubSpotClient(settings.hubspot_api_url, settings.hubspot_access_token, attempts=settings.hubspot_attempts,
                         backoff=settings.hubspot_backoff_seconds)


def salesforce_fields(runtime: Runtime) -> SalesforceFields:
    settings = runtime.settings
    return SalesforceFields(arr=settings.salesforce_arr_field, currency=settings.salesforce_currency_field,
                            renewal=settings.salesforce_renewal_field)


def salesforce_client(runtime: Runtime) -> SalesforceClient:
    settings = runtime.settings
    return SalesforceClient(settings.salesforce_instance_url, settings.salesforce_access_token,
                            username=settings.salesforce_username, password=settings.salesforce_password,
                            security_token=settings.salesforce_security_token, login_url=settings.salesforce_login_url,
                            version=settings.salesforce_api_version, attempts=settings.salesforce_attempts,
                            backoff=settings.salesforce_backoff_seconds)


def crms_to_sync(runtime: Runtime, only: str | None = None) -> list[str]:
    """The CRMs a sync pulls: the one asked for (configured or not: its client names what to set), else every
    configured one; none configured ends in one sentence."""
    if only is not None:
        return [only]
    configured = runtime.settings.crms
    if not configured:
        raise ConfigError(NOTHING_CONFIGURED)
    return configured


def sync_team(runtime: Runtime, team: str | None, *, crm: str = HUBSPOT, full: bool = False,
              progress: Progress | None = None, client: HubSpotClient | SalesforceClient | None = None
              ) -> tuple[SyncReport, int]:
    """Pull one CRM into one workspace (the one given, or the only one there is); returns what changed and how
    many HTTP requests it took."""
    settings = runtime.settings
    if team is None:
        with runtime.db.reading() as session:
            team = resolve_team(session, None)
    if crm == SALESFORCE:
        client, sync, fields = client or salesforce_client(runtime), sync_salesforce, salesforce_fields(runtime)
    else:
        client, sync, fields = client or hubspot_client(runtime), sync_hubspot, hubspot_fields(runtime)
    try:
        report = sync(lambda: sync_session(runtime.db), client, team, fields, runtime.now,
                      slack_email_lookup(settings), full=full, progress=progress)
    finally:
        client.close()
    return report, client.requests


@contextmanager
def sync_session(db: Database) -> Iterator[Session]:
    """A unit of work of the sync. On PostgreSQL each statement is planned for the rows it finds: psycopg would
    prepare the sync's repeated lookups after five runs, and PostgreSQL would keep the generic plan it made
    while the tables were still empty (a scan of the whole table per page, as they fill up)."""
    with db.session() as session:
        connection = session.connection().connection.dbapi_connection
        threshold = getattr(connection, "prepare_threshold", None)
        if threshold is not None:
            connection.prepare_threshold = None
        try:
            yield session
        finally:
            if threshold is not None:
                connection.prepare_threshold = threshold


def crm_sync_every(runtime: Runtime) -> timedelta | None:
    """How often `serve` pulls the CRM: None when no CRM is configured or CRM_SYNC_HOURS is 0."""
    settings = runtime.settings
    if not settings.crms or not settings.crm_sync_hours:
        return None
    return timedelta(hours=settings.crm_sync_hours)


def crm_sync_pass(runtime: Runtime) -> None:
    """What the scheduler runs: every configured CRM, one after the other; never raises (the next pass resumes
    from the cursors), logs what changed."""
    for crm in runtime.settings.crms:
        name = CRM_NAMES[crm]
        try:
            report, requests = sync_team(runtime, None, crm=crm)
        except StakemapError as error:
            log.warning("the %s sync stopped: %s", name, error)
            continue
        except Exception:
            log.exception("the %s sync failed; the next pass resumes where it stopped", name)
            continue
        log.info("%s sync of %s (%d requests): %s", name, report.team_id, requests, "; ".join(report.lines()))
