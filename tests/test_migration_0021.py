"""Migration 0021 (an account's history of its CRM-fed fields, and the roles a CRM last gave a contact) keeps every
row: the new table starts empty, a link starts with no roles read, an account's history goes with the account;
a downgrade drops both again."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from app.platform.db import alembic_config, make_engine
from tests.test_migration_0004 import ROWS

LINK = ("INSERT INTO crm_link (team_id, crm, object, external_id, account_id, contact_id, created_at) "
        "VALUES ('T1', 'hubspot', 'contact', '501', 1, 1, '2026-02-01 00:00:00+00:00')")


def test_upgrading_keeps_links_and_starts_an_empty_account_history(scratch_url):
    config = alembic_config(scratch_url)
    assert ScriptDirectory.from_config(config).get_revision("0021").down_revision == "0019"
    command.upgrade(config, "0019")
    engine = make_engine(scratch_url)
    with engine.begin() as connection:
        for statement in [*ROWS, LINK]:
            connection.execute(text(statement))
    command.upgrade(config, "0021")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT external_id, contact_id, roles FROM crm_link")).all() == [("501", 1, None)]
        assert connection.execute(text("SELECT name, type FROM contact")).all() == [("Sarah Kim", "economic_buyer")]
        assert connection.execute(text("SELECT count(*) FROM account_change")).scalar() == 0
        connection.execute(text("INSERT INTO account_change (team_id, account_id, field, old_value, new_value, "
                                "changed_by, changed_at) VALUES ('T1', 1, 'arr_amount', NULL, '120000.00', 'U0CSM', "
                                "'2026-02-01 00:00:00+00:00')"))
        connection.execute(text("UPDATE crm_link SET roles = 'champion,decision_maker'"))
        connection.execute(text("DELETE FROM account WHERE id = 1"))
        assert connection.execute(text("SELECT count(*) FROM account_change")).scalar() == 0  # went with Acme
    command.downgrade(config, "0019")
    assert "account_change" not in set(inspect(engine).get_table_names())
    assert "roles" not in {column["name"] for column in inspect(engine).get_columns("crm_link")}
    engine.dispose()
