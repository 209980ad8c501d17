"""coverage snapshots: one row per workspace, account and ISO week (the leader's trends)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

A new table only: nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coverage_snapshot',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('iso_week', sa.String(length=8), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('overall_risk', sa.Integer(), nullable=False),
    sa.Column('champion', sa.String(length=8), nullable=True),
    sa.Column('economic_buyer', sa.String(length=8), nullable=True),
    sa.Column('decision_maker', sa.String(length=8), nullable=True),
    sa.Column('executive_sponsor', sa.String(length=8), nullable=True),
    sa.Column('breadth', sa.String(length=8), nullable=True),
    sa.Column('depth', sa.String(length=8), nullable=True),
    sa.Column('detractors', sa.String(length=8), nullable=True),
    sa.Column('single_threaded', sa.Boolean(), nullable=False),
    sa.Column('engaged', sa.Integer(), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.Column('stale', sa.Integer(), nullable=False),
    sa.Column('arr_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('renewal_date', sa.Date(), nullable=True),
    sa.Column('owner_user_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('team_id', 'account_id', 'iso_week')
    )
    with op.batch_alter_table('coverage_snapshot', schema=None) as batch_op:
        batch_op.create_index('ix_coverage_snapshot_team_week', ['team_id', 'iso_week'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('coverage_snapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_coverage_snapshot_team_week')
    op.drop_table('coverage_snapshot')
