"""Migration 0002 (weekly nudges) upgrades a database holding data from the revision before it and
keeps every row; the nudge state starts empty."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.platform.db import alembic_config

ROWS = [
    "INSERT INTO workspace (team_id, config, created_at) "
    "VALUES ('T1', '{\"windows\": {\"champion\": 40}}', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO account (id, team_id, name, name_key, currency, owner_user_id, created_at, updated_at, version) "
    "VALUES (1, 'T1', 'Acme', 'acme', 'EUR', 'U0ANA', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', 3)",
    "INSERT INTO contact (id, team_id, account_id, name, name_key, type, relationship, sentiment, status, created_at, "
    "updated_at) VALUES (1, 'T1', 1, 'Tom Chen', 'tom chen', 'champion', 'strong', 'advocate', 'active', "
    "'2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO touch (id, team_id, account_id, contact_id, occurred_on, kind, created_at) "
    "VALUES (1, 'T1', 1, 1, '2026-03-01', 'call', '2026-03-01 00:00:00+00:00')",
]


def test_upgrading_from_the_previous_revision_keeps_every_row_and_adds_empty_nudge_state(scratch_url):
    config = alembic_config(scratch_url)
    previous = ScriptDirectory.from_config(config).get_revision("0002").down_revision
    command.upgrade(config, previous)
    engine = create_engine(scratch_url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    command.upgrade(config, "0002")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT name, version FROM account")).all() == [("Acme", 3)]
        assert connection.execute(text("SELECT name, status, snoozed_until, snoozed_by FROM contact")).all() == [
            ("Tom Chen", "active", None, None)]
        assert connection.execute(text("SELECT count(*) FROM touch")).scalar() == 1
        assert "champion" in str(connection.execute(text("SELECT config FROM workspace")).scalar())
        assert connection.execute(text("SELECT count(*) FROM nudge_delivery")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM slack_user")).scalar() == 0
        connection.execute(text(
            "INSERT INTO nudge_delivery (team_id, user_id, week, status, attempts, claimed_at, items) "
            "VALUES ('T1', 'U0ANA', '2026-W11', 'sent', 1, '2026-03-09 09:00:00+00:00', 2)"))
    command.downgrade(config, previous)  # and back: the nudge tables and columns go, the rest stays
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM contact")).scalar() == 1
    engine.dispose()
