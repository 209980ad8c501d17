"""Migration 0019 (the CRM push outbox): a new table on a database that holds data, which keeps its rows; the
unique key refuses a second row for the same change; a downgrade drops the table and nothing else."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.platform.db import alembic_config, make_engine
from tests.test_migration_0004 import ROWS

OUTBOX = ("INSERT INTO crm_outbox (team_id, crm, kind, object_id, revision, account_id, contact_id, status, attempts, "
          "next_attempt_at, created_at) VALUES ('T1', 'hubspot', 'touch', 7, 0, 1, 1, 'pending', 0, "
          "'2026-03-01 09:00:00+00:00', '2026-03-01 09:00:00+00:00')")


def test_the_outbox_table_comes_and_goes_and_the_data_stays(scratch_url):
    config = alembic_config(scratch_url)
    command.upgrade(config, "0017")
    assert ScriptDirectory.from_config(config).get_revision("0019").down_revision == "0017"
    engine = make_engine(scratch_url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
        contacts = connection.execute(text("SELECT count(*) FROM contact")).scalar()
    command.upgrade(config, "0019")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM contact")).scalar() == contacts
        connection.execute(text(OUTBOX))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(OUTBOX))
    command.downgrade(config, "0017")
    assert "crm_outbox" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM contact")).scalar() == contacts
    engine.dispose()
