"""Migration 0004 (erasure records) upgrades a database holding data from the revision before it and
keeps every row."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.platform.db import alembic_config

ROWS = [
    "INSERT INTO workspace (team_id, config, created_at) VALUES ('T1', '{}', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO account (id, team_id, name, name_key, currency, created_at, updated_at, version) "
    "VALUES (1, 'T1', 'Acme', 'acme', 'EUR', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', 3)",
    "INSERT INTO contact (id, team_id, account_id, name, name_key, type, relationship, sentiment, status, created_at, "
    "updated_at) VALUES (1, 'T1', 1, 'Sarah Kim', 'sarah kim', 'economic_buyer', 'weak', 'neutral', 'active', "
    "'2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO touch (id, team_id, account_id, contact_id, occurred_on, kind, notes, created_at) "
    "VALUES (1, 'T1', 1, 1, '2025-12-15', 'qbr', 'Met once', '2026-01-01 00:00:00+00:00')",
]


def test_upgrading_from_the_previous_revision_keeps_every_row_and_adds_an_empty_erasure_table(scratch_url):
    config = alembic_config(scratch_url)
    previous = ScriptDirectory.from_config(config).get_revision("0004").down_revision
    command.upgrade(config, previous)
    engine = create_engine(scratch_url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    command.upgrade(config, "0004")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT name, version FROM account")).all() == [("Acme", 3)]
        assert connection.execute(text("SELECT name, status FROM contact")).all() == [("Sarah Kim", "active")]
        assert connection.execute(text("SELECT notes FROM touch")).all() == [("Met once",)]
        assert connection.execute(text("SELECT count(*) FROM erasure")).scalar() == 0
        connection.execute(text(
            "INSERT INTO erasure (team_id, account_id, contact_id, erased_by, erased_at, touches, changes, plan_steps) "
            "VALUES ('T1', 1, 1, 'U0CSM', '2026-03-10 12:00:00+00:00', 1, 0, 0)"))
    command.downgrade(config, previous)  # and back: the erasure table goes, the rest stays
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM contact")).scalar() == 1
    engine.dispose()
