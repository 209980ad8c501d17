"""The product's own upgrade (Database.upgrade, run by every `stakemap` start) keeps every row through the
migrations that rebuild a table on SQLite (Alembic's batch mode copies the table, drops the old one and
renames the copy). With SQLite's foreign keys on, dropping the old `account` would first delete, by
ON DELETE CASCADE, every contact, touch and plan step of every account."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from app.platform.db import Database, alembic_config
from tests.conftest import make_settings
from tests.test_migration_0004 import ROWS

STEP = ("INSERT INTO plan_step (team_id, account_id, contact_id, path, first_action, timeline, status, created_at) "
        "VALUES ('T1', 1, 1, 'Through Tom', 'Ask Tom', 'this_month', 'open', '2026-01-01 00:00:00+00:00')")


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                 for table in ("account", "contact", "touch", "plan_step")}
    engine.dispose()
    return found


def test_upgrading_from_0010_keeps_every_account_contact_touch_and_step(scratch_url):
    command.upgrade(alembic_config(scratch_url), "0010")  # before the capture migrations rebuild account
    engine = create_engine(scratch_url)
    with engine.begin() as connection:
        for statement in (*ROWS, STEP):
            connection.execute(text(statement))
    engine.dispose()
    database = Database(make_settings(scratch_url))
    database.upgrade()
    database.dispose()
    assert counts(scratch_url) == {"account": 1, "contact": 1, "touch": 1, "plan_step": 1}
