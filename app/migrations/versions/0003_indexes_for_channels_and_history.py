"""indexes for linked channels and account history

Revision ID: 0003
Revises: 0006
Create Date: 2026-11-22
"""

from alembic import op

revision = '0003'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `/stakemap` alone in a channel finds the account linked to it
    op.create_index('ix_account_team_channel', 'account', ['team_id', 'channel_id'], unique=False)
    # the map reads an account's recent history for its trends
    op.create_index('ix_contact_change_account_at', 'contact_change', ['account_id', 'changed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_contact_change_account_at', table_name='contact_change')
    op.drop_index('ix_account_team_channel', table_name='account')
