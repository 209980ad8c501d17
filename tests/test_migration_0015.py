"""Migration 0015 (several roles per contact, CRM links and cursors) keeps every row, starts every contact with
no extra role, and a role added afterwards goes with its contact (and the tables with a downgrade)."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from app.platform.db import alembic_config, make_engine
from tests.test_migration_0004 import ROWS


def test_upgrading_keeps_every_contact_with_its_one_type(scratch_url):
    config = alembic_config(scratch_url)
    previous = ScriptDirectory.from_config(config).get_revision("0015").down_revision
    command.upgrade(config, previous)
    engine = make_engine(scratch_url)  # foreign keys enforced, as in the product
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    command.upgrade(config, "0015")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT name, type FROM contact")).all() == [("Sarah Kim", "economic_buyer")]
        assert connection.execute(text("SELECT count(*) FROM contact_role")).scalar() == 0
        connection.execute(text("INSERT INTO contact_role (team_id, account_id, contact_id, type, source, created_at) "
                                "VALUES ('T1', 1, 1, 'decision_maker', 'slack', '2026-02-01 00:00:00+00:00')"))
        connection.execute(text("INSERT INTO crm_link (team_id, crm, object, external_id, account_id, contact_id, "
                                "created_at) VALUES ('T1', 'hubspot', 'contact', '501', 1, 1, "
                                "'2026-02-01 00:00:00+00:00')"))
        connection.execute(text("DELETE FROM contact WHERE id = 1"))
        assert connection.execute(text("SELECT count(*) FROM contact_role")).scalar() == 0  # went with Sarah
        assert connection.execute(text("SELECT count(*) FROM crm_link")).scalar() == 0
    command.downgrade(config, previous)
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"contact_role", "crm_link", "crm_cursor"} and "contact" in tables
    engine.dispose()
