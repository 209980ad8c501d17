"""Migration 0011 (Slack Connect capture) keeps today's single channel link as the account's first linked
channel; a channel two accounts claimed stays with the account changed last; and back again."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.platform.db import alembic_config
from tests.test_migration_0004 import ROWS

ACCOUNTS = [
    "INSERT INTO account (id, team_id, name, name_key, currency, channel_id, created_at, updated_at, version) "
    f"VALUES ({id_}, 'T1', '{name}', '{name.lower()}', 'EUR', {channel}, '2026-01-01 00:00:00+00:00', "
    f"'{updated}', 1)"
    for id_, name, channel, updated in (
        (2, "Globex", "'C0GLOBEX'", "2026-01-02 00:00:00+00:00"),
        (3, "Initech", "'C0SHARED'", "2026-01-03 00:00:00+00:00"),
        (4, "Umbrella", "'C0SHARED'", "2026-01-05 00:00:00+00:00"),
        (5, "Hooli", "NULL", "2026-01-05 00:00:00+00:00"),
    )
]


def test_upgrading_moves_the_single_link_into_account_channel(scratch_url):
    config = alembic_config(scratch_url)
    previous = ScriptDirectory.from_config(config).get_revision("0011").down_revision
    command.upgrade(config, previous)
    engine = create_engine(scratch_url)
    with engine.begin() as connection:
        for statement in (*ROWS, *ACCOUNTS):
            connection.execute(text(statement))
    command.upgrade(config, "0011")
    with engine.begin() as connection:
        assert connection.execute(text(
            "SELECT channel_id, account_id FROM account_channel ORDER BY channel_id")).all() == [
            ("C0GLOBEX", 2), ("C0SHARED", 4)]
        assert connection.execute(text(
            "SELECT count(*) FROM account WHERE capture_enabled AND domains IS NULL")).scalar() == 5
        assert connection.execute(text("SELECT capture_day, notes FROM touch")).all() == [(None, "Met once")]
        connection.execute(text("DELETE FROM account_channel WHERE channel_id = 'C0SHARED'"))
        connection.execute(text("INSERT INTO account_channel (team_id, channel_id, account_id, linked_at) "
                                "VALUES ('T1', 'C0ACME', 1, '2026-02-01 00:00:00+00:00')"))
    command.downgrade(config, previous)  # the newest link of each account goes back into its column
    with engine.begin() as connection:
        assert connection.execute(text("SELECT id, channel_id FROM account ORDER BY id")).all() == [
            (1, "C0ACME"), (2, "C0GLOBEX"), (3, "C0SHARED"), (4, "C0SHARED"), (5, None)]
    engine.dispose()
