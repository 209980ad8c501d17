"""Per-account figures for the leader's report, keyed on the account's map version, the day and the windows

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02

account_figures: one row per account, written by the hourly snapshot pass; the report reads the rows whose
key still holds and assesses the other accounts live. A new, empty table: nothing to carry over.
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_figures',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('windows_key', sa.String(length=32), nullable=False),
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
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('main_reason', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('team_id', 'account_id')
    )


def downgrade() -> None:
    op.drop_table('account_figures')
