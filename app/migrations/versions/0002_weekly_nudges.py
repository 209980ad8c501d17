"""weekly nudges: ledger, slack user cache, snooze

Revision ID: 0002
Revises: 0003
Create Date: 2026-11-22

Adds the weekly-digest ledger (one row per workspace, CSM and ISO week), the cache of Slack users'
time zones and DM channels, and a contact's snooze. Only new tables and nullable columns: every
existing row is kept as it is.
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nudge_delivery',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('sending', 'sent', 'failed', 'empty', 'undeliverable', name='deliverystatus', native_enum=False, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'user_id', 'week', name='uq_nudge_delivery_team_user_week')
    )
    with op.batch_alter_table('nudge_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nudge_delivery_team_id'), ['team_id'], unique=False)

    op.create_table('slack_user',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=True),
    sa.Column('tz_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dm_channel_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('team_id', 'user_id')
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snoozed_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('snoozed_by', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('snoozed_by')
        batch_op.drop_column('snoozed_until')

    op.drop_table('slack_user')
    with op.batch_alter_table('nudge_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nudge_delivery_team_id'))

    op.drop_table('nudge_delivery')
