"""event receipts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_receipt',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('event_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_receipt_received_at'), ['received_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('event_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_receipt_received_at'))

    op.drop_table('event_receipt')
