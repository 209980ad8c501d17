"""Slack Connect capture: several channels per account, captured touches, suggestions, signals

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Today's single link (account.channel_id) is copied into account_channel; where two accounts were linked
to the same channel, the account changed last keeps it (a channel belongs to one account).
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

def slack_user_columns() -> tuple[sa.Column, ...]:
    return (
        sa.Column('home_team_id', sa.String(length=32), nullable=True),
        sa.Column('enterprise_id', sa.String(length=32), nullable=True),
        sa.Column('real_name', sa.String(length=120), nullable=True),
        sa.Column('title', sa.String(length=120), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('is_bot', sa.Boolean(), nullable=True),
        sa.Column('deleted', sa.Boolean(), nullable=True),
        sa.Column('profile_checked_at', sa.DateTime(timezone=True), nullable=True),
    )


def upgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('domains', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('capture_enabled', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slack_user_id', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_contact_team_slack_user', ['team_id', 'slack_user_id'], unique=False)
    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capture_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('capture_messages', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('capture_channel_id', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_touch_contact_capture_day', ['contact_id', 'capture_day'])
    with op.batch_alter_table('slack_user', schema=None) as batch_op:
        for column in slack_user_columns():
            batch_op.add_column(column)

    op.create_table('account_channel',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=True),
    sa.Column('linked_by', sa.String(length=32), nullable=True),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('backfilled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_customer_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('team_id', 'channel_id')
    )
    with op.batch_alter_table('account_channel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_channel_account_id'), ['account_id'], unique=False)
    op.create_table('channel_activity',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('team_id', 'channel_id', 'day')
    )
    op.create_table('capture_suggestion',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ignored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ignored_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('team_id', 'account_id', 'slack_user_id')
    )
    op.create_table('capture_signal',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'contact_id', 'kind', 'detail', name='uq_capture_signal')
    )
    with op.batch_alter_table('capture_signal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capture_signal_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capture_signal_team_id'), ['team_id'], unique=False)

    # Today's single link becomes the account's first linked channel (the latest-changed account wins a
    # channel two accounts claimed).
    op.execute("""
        INSERT INTO account_channel (team_id, channel_id, account_id, linked_at)
        SELECT a.team_id, a.channel_id, a.id, a.updated_at FROM account a
        WHERE a.channel_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM account b
            WHERE b.team_id = a.team_id AND b.channel_id = a.channel_id
              AND (b.updated_at > a.updated_at OR (b.updated_at = a.updated_at AND b.id > a.id)))
    """)


def downgrade() -> None:
    # The newest link of each account goes back into account.channel_id (it held one).
    op.execute("""
        UPDATE account SET channel_id = (
            SELECT c.channel_id FROM account_channel c WHERE c.account_id = account.id
            ORDER BY c.linked_at DESC, c.channel_id LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM account_channel c WHERE c.account_id = account.id)
    """)
    with op.batch_alter_table('capture_signal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capture_signal_team_id'))
        batch_op.drop_index(batch_op.f('ix_capture_signal_account_id'))
    op.drop_table('capture_signal')
    op.drop_table('capture_suggestion')
    op.drop_table('channel_activity')
    with op.batch_alter_table('account_channel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_channel_account_id'))
    op.drop_table('account_channel')
    with op.batch_alter_table('slack_user', schema=None) as batch_op:
        for column in reversed(slack_user_columns()):
            batch_op.drop_column(column.name)
    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.drop_constraint('uq_touch_contact_capture_day', type_='unique')
        for name in ('capture_channel_id', 'capture_messages', 'capture_day'):
            batch_op.drop_column(name)
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_team_slack_user')
        batch_op.drop_column('slack_user_id')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('capture_enabled')
        batch_op.drop_column('domains')
