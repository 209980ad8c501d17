"""Several roles per contact, CRM links and sync cursors (issue 13)

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02

contact_role: the stakeholder roles a contact holds besides its primary type, with who set them.
crm_link: which CRM record feeds which account or contact (and whether the CRM removed it).
crm_cursor: how far each object's incremental sync got.
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_role',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('champion', 'economic_buyer', 'decision_maker', 'executive_sponsor',
                              'technical_lead', 'end_user_champion', 'influencer', 'gatekeeper', 'detractor',
                              name='stakeholdertype', native_enum=False, create_constraint=False, length=32),
              nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contact_id', 'type', name='uq_contact_role')
    )
    with op.batch_alter_table('contact_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_role_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_role_team_id'), ['team_id'], unique=False)

    op.create_table('crm_link',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crm', sa.String(length=16), nullable=False),
    sa.Column('object', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'crm', 'object', 'external_id', name='uq_crm_link_record')
    )
    with op.batch_alter_table('crm_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crm_link_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_crm_link_contact', ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crm_link_team_id'), ['team_id'], unique=False)

    op.create_table('crm_cursor',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('crm', sa.String(length=16), nullable=False),
    sa.Column('object', sa.String(length=16), nullable=False),
    sa.Column('modified_at', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('team_id', 'crm', 'object')
    )


def downgrade() -> None:
    op.drop_table('crm_cursor')
    with op.batch_alter_table('crm_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crm_link_team_id'))
        batch_op.drop_index('ix_crm_link_contact')
        batch_op.drop_index(batch_op.f('ix_crm_link_account_id'))
    op.drop_table('crm_link')
    with op.batch_alter_table('contact_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_role_team_id'))
        batch_op.drop_index(batch_op.f('ix_contact_role_account_id'))
    op.drop_table('contact_role')
