"""Index touches by workspace and day (the leader's report counts the last 30 days' touches per CSM)

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-02

Without it the count reads every touch the workspace ever logged (a million on the benchmark database).
"""

from alembic import op

revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.create_index('ix_touch_team_date', ['team_id', 'occurred_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.drop_index('ix_touch_team_date')
