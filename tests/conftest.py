"""Fixtures: a migrated database per test (SQLite, or PostgreSQL when STAKEMAP_TEST_DATABASE_URL is
set — unreachable is a failure, never a skip), the Slack stand-in, and the real Bolt app."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text

from app.core.clock import Clock
from app.core.settings import Settings
from app.platform.db import Database
from app.platform.runtime import Runtime
from app.services.demo import SEED_TODAY
from tests.slack_driver import SIGNING_SECRET, SlackDriver
from tests.slack_standin import SlackStandIn

TEAM = "T0001"
OTHER_TEAM = "T0002"
BOT_TOKEN = "xoxb-test"
OTHER_BOT_TOKEN = "xoxb-other"
TEST_DATABASE_URL = os.environ.get("STAKEMAP_TEST_DATABASE_URL")


def make_settings(database_url: str, api_url: str = "https://slack.com/api/", **overrides) -> Settings:
    values = dict(database_url=database_url, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                  slack_api_url=api_url)
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A migrated, empty database for this test session."""
    if TEST_DATABASE_URL:
        yield from _postgres_database(TEST_DATABASE_URL)
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    database = Database(make_settings(url))
    database.upgrade()
    database.dispose()
    yield url


def _postgres_database(server_url: str, upgrade: bool = True) -> Iterator[str]:
    """Create a database of our own on that server (tests of several sessions never collide);
    migrated to the newest revision unless upgrade=False."""
    admin_url = make_settings(server_url).sqlalchemy_url
    name = f"stakemap_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.exit(f"STAKEMAP_TEST_DATABASE_URL is set but PostgreSQL did not answer: {error}", returncode=3)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    if upgrade:
        database = Database(make_settings(url))
        database.upgrade()
        database.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def scratch_url(tmp_path) -> Iterator[str]:
    """An empty database of its own (not the session's migrated one), for migration tests."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    yield from _postgres_database(TEST_DATABASE_URL, upgrade=False)


@pytest.fixture
def db_url(database_url: str, tmp_path) -> str:
    """This test's own database: a copy of the migrated SQLite template, or the PostgreSQL one emptied."""
    if database_url.startswith("sqlite"):
        copy = tmp_path / "stakemap.db"
        shutil.copyfile(database_url.removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    _empty_postgres(database_url)
    return database_url


def _empty_postgres(url: str) -> None:
    engine = create_engine(make_settings(url).sqlalchemy_url)
    with engine.begin() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
        ).scalars().all()
        if tables:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock():
    return Clock.fixed(SEED_TODAY)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    tokens = {
        BOT_TOKEN: {"team_id": TEAM, "user_id": "UBOT", "bot_id": "BBOT"},
        OTHER_BOT_TOKEN: {"team_id": OTHER_TEAM, "user_id": "UBOT2", "bot_id": "BBOT2"},
    }
    with SlackStandIn(tokens=tokens) as server:
        yield server


@contextmanager
def running(settings: Settings, clock) -> Iterator[Runtime]:
    """A runtime on those settings; its pool and database are closed afterwards."""
    runtime = Runtime(settings=settings, db=Database(settings), clock=clock)
    try:
        yield runtime
    finally:
        runtime.close()


@contextmanager
def serving(runtime: Runtime):
    """The real Bolt app on that runtime; listener work after an ack finishes before the block ends."""
    from app.edge.slack_app import build_app

    app = build_app(runtime)
    try:
        yield app
    finally:
        app.listener_runner.listener_executor.shutdown(wait=True)


@pytest.fixture
def runtime(db_url, standin, clock) -> Iterator[Runtime]:
    with running(make_settings(db_url, standin.api_url), clock) as rt:
        yield rt


@pytest.fixture
def bolt_app(runtime):
    with serving(runtime) as app:
        yield app


@pytest.fixture
def slack(bolt_app, standin, runtime) -> SlackDriver:
    return SlackDriver(bolt_app, standin, team_id=TEAM, pools=(runtime.after_ack,))


@pytest.fixture
def other_slack(bolt_app, standin, runtime) -> SlackDriver:
    """The same app seen from another workspace (same install, different team id)."""
    return SlackDriver(bolt_app, standin, team_id=OTHER_TEAM, user_id="U0OTHER", pools=(runtime.after_ack,))
