"""Migration 0016 (the signals' delivery ledger): a signal already DMed is recorded sent, one never DMed is
recorded failed so the scheduled pass sends it; a downgrade drops the new columns."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from app.platform.db import alembic_config, make_engine
from tests.test_migration_0004 import ROWS

SIGNALS = [
    "INSERT INTO capture_signal (id, team_id, account_id, contact_id, kind, detail, created_at, sent_at) VALUES "
    "(1, 'T1', 1, 1, 'left_channel', 'C0EXT', '2026-02-01 00:00:00+00:00', '2026-02-01 00:00:01+00:00')",
    "INSERT INTO capture_signal (id, team_id, account_id, contact_id, kind, detail, created_at) VALUES "
    "(2, 'T1', 1, 1, 'deactivated', '', '2026-02-02 00:00:00+00:00')",
]


def test_sent_signals_stay_sent_and_unsent_ones_are_left_to_the_pass(scratch_url):
    config = alembic_config(scratch_url)
    command.upgrade(config, "0014")
    assert ScriptDirectory.from_config(config).get_revision("0016").down_revision == "0014"
    engine = make_engine(scratch_url)
    with engine.begin() as connection:
        for statement in ROWS + SIGNALS:
            connection.execute(text(statement))
    command.upgrade(config, "0016")
    with engine.begin() as connection:
        rows = connection.execute(text("SELECT id, status, attempts, claimed_at IS NOT NULL, error "
                                       "FROM capture_signal ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(1, "sent", 1, True, None), (2, "failed", 1, True, None)]
    command.downgrade(config, "0014")
    columns = {column["name"] for column in inspect(engine).get_columns("capture_signal")}
    assert "status" not in columns and "sent_at" in columns
    engine.dispose()
