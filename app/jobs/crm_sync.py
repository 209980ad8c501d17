"""The CRM pull, run by `stakemap crm sync` and every CRM_SYNC_HOURS inside `serve` (HubSpot, issue 13).

The HTTP client (app.platform.hubspot) and the Slack e-mail lookup for account owners are built here and
handed to the service (app.services.crm.hubspot), which only reads and writes the database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlmodel import Session

from app.core.crm import SyncReport
from app.core.errors import StakemapError
from app.platform.db import Database
from app.platform.hubspot import HubSpotClient
from app.platform.runtime import Runtime
from app.platform.slack_client import slack_email_lookup
from app.services.crm.hubspot import HubSpotFields, Progress, sync_hubspot
from app.services.workspaces import resolve_team

log = logging.getLogger("stakemap.crm")


def hubspot_fields(runtime: Runtime) -> HubSpotFields:
    settings = runtime.settings
    return HubSpotFields(arr=settings.hubspot_arr_field, currency=settings.hubspot_currency_field,
                         renewal=settings.hubspot_renewal_field, department=settings.hubspot_department_field,
                         reports_to=settings.hubspot_reports_to_field)


def sync_team(runtime: Runtime, team: str | None, *, full: bool = False, progress: Progress | None = None,
              client: HubSpotClient | None = None) -> tuple[SyncReport, int]:
    """Pull HubSpot into one workspace (the one given, or the only one there is); returns what changed and
    how many HTTP requests it took."""
    settings = runtime.settings
    client = client or HubSpotClient(settings.hubspot_api_url, settings.hubspot_access_token,
                                     attempts=settings.hubspot_attempts, backoff=settings.hubspot_backoff_seconds)
    if team is None:
        with runtime.db.reading() as session:
            team = resolve_team(session, None)
    try:
        report = sync_hubspot(lambda: sync_session(runtime.db), client, team, hubspot_fields(runtime), runtime.now,
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
    if not settings.hubspot_access_token or not settings.crm_sync_hours:
        return None
    return timedelta(hours=settings.crm_sync_hours)


def crm_sync_pass(runtime: Runtime) -> None:
    """What the scheduler runs: never raises (the next pass resumes from the cursors), logs what changed."""
    try:
        report, requests = sync_team(runtime, None)
    except StakemapError as error:
        log.warning("the HubSpot sync stopped: %s", error)
        return
    except Exception:
        log.exception("the HubSpot sync failed; the next pass resumes where it stopped")
        return
    log.info("HubSpot sync of %s (%d requests): %s", report.team_id, requests, "; ".join(report.lines()))
