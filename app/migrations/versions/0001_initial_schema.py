"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workspace',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('enterprise_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('team_id')
    )
    op.create_table('account',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('arr_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('renewal_date', sa.Date(), nullable=True),
    sa.Column('owner_user_id', sa.String(length=32), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'name_key', name='uq_account_team_name')
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_team_id'), ['team_id'], unique=False)

    op.create_table('contact',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('type', sa.Enum('champion', 'economic_buyer', 'decision_maker', 'executive_sponsor', 'detractor', 'technical_lead', 'end_user_champion', 'influencer', 'gatekeeper', name='stakeholdertype', native_enum=False, length=32), nullable=False),
    sa.Column('department', sa.String(length=80), nullable=True),
    sa.Column('level', sa.Enum('c_level', 'vp', 'director', 'manager', 'individual', name='level', native_enum=False, length=32), nullable=True),
    sa.Column('influence', sa.Enum('high', 'medium', 'low', name='influence', native_enum=False, length=32), nullable=True),
    sa.Column('interest', sa.Enum('high', 'medium', 'low', name='influence', native_enum=False, length=32), nullable=True),
    sa.Column('relationship', sa.Enum('strong', 'adequate', 'weak', 'none', name='relationship', native_enum=False, length=32), nullable=False),
    sa.Column('sentiment', sa.Enum('advocate', 'supportive', 'neutral', 'skeptical', 'detractor', name='sentiment', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('active', 'not_engaged', 'left', name='contactstatus', native_enum=False, length=32), nullable=False),
    sa.Column('reports_to_id', sa.Integer(), nullable=True),
    sa.Column('objectives', sa.String(length=1000), nullable=True),
    sa.Column('notes', sa.String(length=1000), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name_key', sa.String(length=121), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reports_to_id'], ['contact.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'name_key', name='uq_contact_account_name')
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_team_account_status', ['team_id', 'account_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_team_id'), ['team_id'], unique=False)

    op.create_table('contact_change',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('old_value', sa.String(length=64), nullable=True),
    sa.Column('new_value', sa.String(length=64), nullable=True),
    sa.Column('changed_by', sa.String(length=32), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact_change', schema=None) as batch_op:
        batch_op.create_index('ix_contact_change_contact_at', ['contact_id', 'changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_change_team_id'), ['team_id'], unique=False)

    op.create_table('plan_step',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('target_role', sa.String(length=120), nullable=True),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('first_action', sa.String(length=300), nullable=False),
    sa.Column('timeline', sa.Enum('this_week', 'this_month', 'this_quarter', 'date', name='plantimeline', native_enum=False, length=32), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('owner_user_id', sa.String(length=32), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', name='planstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_step_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_step_team_id'), ['team_id'], unique=False)

    op.create_table('touch',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('call', 'meeting', 'email', 'qbr', 'chat', 'event', 'other', name='touchkind', native_enum=False, length=32), nullable=False),
    sa.Column('sentiment_after', sa.Enum('advocate', 'supportive', 'neutral', 'skeptical', 'detractor', name='sentiment', native_enum=False, length=32), nullable=True),
    sa.Column('notes', sa.String(length=3000), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('logged_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_touch_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_touch_contact_date', ['contact_id', 'occurred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_touch_team_id'), ['team_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_touch_team_id'))
        batch_op.drop_index('ix_touch_contact_date')
        batch_op.drop_index(batch_op.f('ix_touch_account_id'))

    op.drop_table('touch')
    with op.batch_alter_table('plan_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_step_team_id'))
        batch_op.drop_index(batch_op.f('ix_plan_step_account_id'))

    op.drop_table('plan_step')
    with op.batch_alter_table('contact_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_change_team_id'))
        batch_op.drop_index('ix_contact_change_contact_at')

    op.drop_table('contact_change')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_team_id'))
        batch_op.drop_index('ix_contact_team_account_status')

    op.drop_table('contact')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_team_id'))

    op.drop_table('account')
    op.drop_table('workspace')
