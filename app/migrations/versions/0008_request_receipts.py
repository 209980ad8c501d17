"""request receipts (replayed requests are handled once)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('request_receipt',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('request_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_receipt_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('request_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_receipt_received_at'))

    op.drop_table('request_receipt')
