"""An account's history of the fields a CRM also feeds (issue 13: the newer change wins)

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-02

account_change: who changed an account's name, ARR, currency, renewal date or owner, when, old → new — a CSM in
the account modal, an import, or a CRM sync ("crm:hubspot"). A CRM pull keeps a field stakemap changed after the
CRM did. (Contacts keep theirs in contact_change, which now also records name, title, e-mail, department and
reports-to: no schema change.) Nothing to fill: the history starts with this revision.
crm_link.roles: a contact's roles as the CRM gave them at the last sync, to tell whether the CRM changed them since
(None until the next sync reads them).
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_change',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('old_value', sa.String(length=200), nullable=True),
    sa.Column('new_value', sa.String(length=200), nullable=True),
    sa.Column('changed_by', sa.String(length=32), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('account_change', schema=None) as batch_op:
        batch_op.create_index('ix_account_change_account_at', ['account_id', 'changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_change_team_id'), ['team_id'], unique=False)
    with op.batch_alter_table('crm_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roles', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('crm_link', schema=None) as batch_op:
        batch_op.drop_column('roles')
    with op.batch_alter_table('account_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_change_team_id'))
        batch_op.drop_index('ix_account_change_account_at')
    op.drop_table('account_change')
