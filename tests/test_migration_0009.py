"""Migration 0009 (engagement strategy) upgrades a database holding data from the revision before it:
every row kept, every contact without a strategy (so proposed), history values long enough for one."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.platform.db import alembic_config
from tests.test_migration_0004 import ROWS

HISTORY = ("INSERT INTO contact_change (team_id, account_id, contact_id, field, old_value, new_value, changed_at) "
           "VALUES ('T1', 1, 1, 'sentiment', 'neutral', 'skeptical', '2026-02-01 00:00:00+00:00')")
APPROACH = "Quarterly ROI review with the CFO's priorities, then a renewal plan agreed with procurement and legal"


def test_upgrading_keeps_rows_and_adds_empty_strategies(scratch_url):
    config = alembic_config(scratch_url)
    previous = ScriptDirectory.from_config(config).get_revision("0009").down_revision
    command.upgrade(config, previous)
    engine = create_engine(scratch_url)
    with engine.begin() as connection:
        for statement in (*ROWS, HISTORY):
            connection.execute(text(statement))
    command.upgrade(config, "0009")
    with engine.begin() as connection:
        assert connection.execute(text(
            "SELECT name, status, strategy_approach, strategy_cadence, strategy_channel, strategy_origin FROM contact"
        )).all() == [("Sarah Kim", "active", None, None, None, None)]
        assert connection.execute(text("SELECT notes FROM touch")).all() == [("Met once",)]
        assert connection.execute(text("SELECT old_value, new_value FROM contact_change")).all() == [
            ("neutral", "skeptical")]
        connection.execute(text(
            "UPDATE contact SET strategy_approach = :approach, strategy_cadence = 'quarterly', strategy_origin = 'own'"),
            {"approach": APPROACH})
        connection.execute(text(
            "INSERT INTO contact_change (team_id, account_id, contact_id, field, old_value, new_value, changed_at) "
            "VALUES ('T1', 1, 1, 'strategy_approach', NULL, :approach, '2026-03-01 00:00:00+00:00')"),
            {"approach": APPROACH})
    command.downgrade(config, previous)  # and back: long history values are cut, the rest stays
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM contact")).scalar() == 1
        assert connection.execute(text("SELECT max(length(new_value)) FROM contact_change")).scalar() == 64
    engine.dispose()
