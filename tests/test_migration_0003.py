"""Migration 0003 (indexes for linked channels and account history) keeps every row; models and schema agree."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from app.platform.db import alembic_config

ROWS = [
    "INSERT INTO workspace (team_id, config, created_at) VALUES ('T1', '{}', '2026-01-01 09:00:00+00:00')",
    "INSERT INTO account (id, team_id, name, name_key, currency, channel_id, created_at, updated_at, version) "
    "VALUES (1, 'T1', 'Acme', 'acme', 'EUR', 'C1', '2026-01-01 09:00:00+00:00', '2026-01-01 09:00:00+00:00', 1)",
    "INSERT INTO contact (id, team_id, account_id, name, name_key, type, relationship, sentiment, status, "
    "created_at, updated_at) VALUES (1, 'T1', 1, 'Sarah Kim', 'sarah kim', 'economic_buyer', 'weak', 'skeptical', "
    "'active', '2026-01-01 09:00:00+00:00', '2026-01-01 09:00:00+00:00')",
    "INSERT INTO contact_change (id, team_id, account_id, contact_id, field, old_value, new_value, changed_by, "
    "changed_at) VALUES (1, 'T1', 1, 1, 'sentiment', 'neutral', 'skeptical', 'U1', '2026-03-03 10:00:00+00:00')",
]


def test_upgrading_a_database_with_data_keeps_it_and_adds_the_indexes(scratch_url):
    config = alembic_config(scratch_url)
    previous = ScriptDirectory.from_config(config).get_revision("0003").down_revision
    command.upgrade(config, previous)
    engine = create_engine(scratch_url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    command.upgrade(config, "0003")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name, channel_id FROM account")).all() == [("Acme", "C1")]
        assert connection.execute(text("SELECT name, sentiment FROM contact")).all() == [("Sarah Kim", "skeptical")]
        assert connection.execute(text("SELECT field, old_value, new_value FROM contact_change")).all() == [
            ("sentiment", "neutral", "skeptical")]
    schema = inspect(engine)
    assert "ix_account_team_channel" in {i["name"] for i in schema.get_indexes("account")}
    assert "ix_contact_change_account_at" in {i["name"] for i in schema.get_indexes("contact_change")}
    command.upgrade(config, "head")
    command.check(config)  # the tables the models declare are the tables the migrations make
    command.downgrade(config, previous)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM contact_change")).scalar() == 1
    engine.dispose()
