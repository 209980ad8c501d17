"""Migration 0002 (weekly nudges) keeps every row of a 0001 database and adds empty nudge state."""

from alembic import command
from sqlalchemy import create_engine, inspect, text

from app.db import alembic_config
from tests.conftest import make_settings

ROWS = [
    "INSERT INTO workspace (team_id, config, created_at) VALUES ('T0001', '{\"windows\": {\"champion\": 40}}', '2026-01-01 00:00:00')",
    "INSERT INTO account (id, team_id, name, name_key, currency, owner_user_id, created_at, updated_at, version) "
    "VALUES (1, 'T0001', 'Acme', 'acme', 'EUR', 'U0ANA', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
    "INSERT INTO contact (id, team_id, account_id, name, name_key, type, relationship, sentiment, status, created_at, "
    "updated_at) VALUES (1, 'T0001', 1, 'Tom Chen', 'tom chen', 'champion', 'strong', 'advocate', 'active', "
    "'2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO touch (id, team_id, account_id, contact_id, occurred_on, kind, created_at) "
    "VALUES (1, 'T0001', 1, 1, '2026-03-01', 'call', '2026-03-01 00:00:00')",
]


def test_upgrading_a_0001_database_keeps_its_rows(db_url):
    url = make_settings(db_url).sqlalchemy_url
    config = alembic_config(url)
    command.downgrade(config, "0001")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for row in ROWS:
                connection.execute(text(row))
        command.upgrade(config, "head")
        with engine.connect() as connection:
            contact = connection.execute(text("SELECT name, status, snoozed_until, snoozed_by FROM contact")).one()
            assert tuple(contact) == ("Tom Chen", "active", None, None)
            assert connection.execute(text("SELECT count(*) FROM touch")).scalar() == 1
            assert "windows" in connection.execute(text("SELECT config FROM workspace")).scalar()
            assert connection.execute(text("SELECT count(*) FROM nudge_delivery")).scalar() == 0
            assert connection.execute(text("SELECT count(*) FROM slack_user")).scalar() == 0
        assert {"nudge_delivery", "slack_user"} <= set(inspect(engine).get_table_names())
    finally:
        command.upgrade(config, "head")
        engine.dispose()
