"""engagement strategy per contact; history values long enough for a strategy's approach

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Enums are stored as their value in a VARCHAR(32), as every other enum column (app/core/models.enum_type).
STRATEGY_COLUMNS = ('strategy_cadence', 'strategy_channel', 'strategy_origin')


def upgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('strategy_approach', sa.String(length=150), nullable=True))
        for name in STRATEGY_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=32), nullable=True))
    with op.batch_alter_table('contact_change', schema=None) as batch_op:
        for name in ('old_value', 'new_value'):
            batch_op.alter_column(name, existing_type=sa.String(length=64), type_=sa.String(length=200),
                                  existing_nullable=True)


def downgrade() -> None:
    for name in ('old_value', 'new_value'):  # an approach may be longer than the old columns hold
        op.execute(f"UPDATE contact_change SET {name} = substr({name}, 1, 64) WHERE length({name}) > 64")
    with op.batch_alter_table('contact_change', schema=None) as batch_op:
        for name in ('old_value', 'new_value'):
            batch_op.alter_column(name, existing_type=sa.String(length=200), type_=sa.String(length=64),
                                  existing_nullable=True)
    with op.batch_alter_table('contact', schema=None) as batch_op:
        for name in ('strategy_approach', *STRATEGY_COLUMNS):
            batch_op.drop_column(name)
