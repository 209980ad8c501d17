"""Migration 0017 (each account's stored figures of the day, for the leader's report): a new empty table beside
the existing rows, which holds one row per account and goes with its account; a downgrade drops it and keeps
the rest."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from app.platform.db import alembic_config, make_engine
from tests.test_migration_0004 import ROWS

FIGURES = ("INSERT INTO account_figures (team_id, account_id, version, as_of, windows_key, overall_risk, champion, "
           "economic_buyer, single_threaded, engaged, active, stale, overdue, main_reason) VALUES "
           "('T1', 1, 3, '2026-03-10', 'k', 3, 'missing', 'gap', {true}, 0, 1, 1, 1, 'Only 1 active contact')")


def test_an_empty_figures_table_is_added_beside_the_rows_and_dropped_on_downgrade(scratch_url):
    config = alembic_config(scratch_url)
    command.upgrade(config, "0016")
    assert ScriptDirectory.from_config(config).get_revision("0017").down_revision == "0016"
    engine = make_engine(scratch_url)
    true = "1" if engine.dialect.name == "sqlite" else "true"
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    command.upgrade(config, "0017")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT name, version FROM account")).all() == [("Acme", 3)]
        assert connection.execute(text("SELECT count(*) FROM account_figures")).scalar() == 0
        connection.execute(text(FIGURES.format(true=true)))
        assert connection.execute(text("SELECT main_reason FROM account_figures")).all() == [("Only 1 active contact",)]
    command.downgrade(config, "0016")
    assert "account_figures" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        assert connection.execute(text("SELECT name, version FROM account")).all() == [("Acme", 3)]
    engine.dispose()
