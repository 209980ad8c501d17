"""Signal DMs are never lost: capture_signal keeps each DM's delivery like the weekly digest's ledger

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02

status/attempts/claimed_by/claimed_at: who is sending it and how often it was tried; channel_id/ts: where
it was posted; error: Slack's last refusal. A signal already sent is recorded sent; one never sent is
recorded failed, so the scheduled pass sends it (when it is still news).
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None

STATUS = sa.Enum('sending', 'sent', 'failed', 'uncertain', 'empty', 'undeliverable', name='deliverystatus',
                 native_enum=False, create_constraint=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table('capture_signal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', STATUS, nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('channel_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('ts', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('error', sa.String(length=255), nullable=True))
    op.execute("UPDATE capture_signal SET attempts = 1, claimed_at = created_at, "
               "status = CASE WHEN sent_at IS NULL THEN 'failed' ELSE 'sent' END")
    with op.batch_alter_table('capture_signal', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=STATUS, nullable=False)
        batch_op.alter_column('attempts', existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('capture_signal', schema=None) as batch_op:
        for column in ('error', 'ts', 'channel_id', 'claimed_at', 'claimed_by', 'attempts', 'status'):
            batch_op.drop_column(column)
