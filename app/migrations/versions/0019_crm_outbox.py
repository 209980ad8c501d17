"""The CRM push outbox (issue 13): one row per change made in stakemap, to push to one CRM

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-02

crm_outbox: a touch logged, a stakeholder type/roles change or a departure, for a contact linked to a CRM,
written in the same transaction as the change (UNIQUE team, crm, kind, object_id, revision: nothing is pushed
twice); status/attempts/next_attempt_at/claimed_by/claimed_at: the delivery, claimed by one process at a time;
external_id: what the CRM created for it. A new table only: no existing row changes.
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None

KIND = sa.Enum('touch', 'roles', 'left', name='pushkind', native_enum=False, create_constraint=False, length=32)
STATUS = sa.Enum('pending', 'sending', 'sent', 'uncertain', 'failed', name='pushstatus', native_enum=False,
                 create_constraint=False, length=32)


def upgrade() -> None:
    op.create_table('crm_outbox',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crm', sa.String(length=16), nullable=False),
    sa.Column('kind', KIND, nullable=False),
    sa.Column('object_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('status', STATUS, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('error', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'crm', 'kind', 'object_id', 'revision', name='uq_crm_outbox_change')
    )
    with op.batch_alter_table('crm_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crm_outbox_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crm_outbox_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crm_outbox_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_crm_outbox_due', ['crm', 'status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_crm_outbox_external', ['crm', 'external_id'], unique=False)


def downgrade() -> None:
    op.drop_table('crm_outbox')
