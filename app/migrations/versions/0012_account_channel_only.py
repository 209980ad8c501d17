"""Linked channels live only in account_channel: account.channel_id is dropped

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Migration 0011 copied each account's single link into account_channel; from now on an account has as many
linked channels as it needs. Downgrading restores account.channel_id from each account's newest link.
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index('ix_account_team_channel')
        batch_op.drop_column('channel_id')


def downgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_account_team_channel', ['team_id', 'channel_id'], unique=False)
    op.execute("""
        UPDATE account SET channel_id = (
            SELECT c.channel_id FROM account_channel c WHERE c.account_id = account.id
            ORDER BY c.linked_at DESC, c.channel_id LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM account_channel c WHERE c.account_id = account.id)
    """)
