"""accounts: an enterprise's first user (who registered it; for existing enterprises the earliest account)
and the invitations it sends its colleagues

Revision ID: f1a2c3d4e5b6
Revises: e5b7c1d9a3f2
Create Date: 2026-12-03 12:40:00
"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


revision = 'f1a2c3d4e5b6'
down_revision = 'e5b7c1d9a3f2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('first_of_enterprise', sa.Boolean(), server_default=sa.false(), nullable=False))
    # every existing enterprise: its earliest account (the one its registration created) is its first user
    op.execute("""
        UPDATE users SET first_of_enterprise = true
        WHERE id IN (
            SELECT u.id FROM users u JOIN organisations o ON o.id = u.organisation_id
            WHERE o.kind = 'enterprise' AND NOT EXISTS (
                SELECT 1 FROM users e WHERE e.organisation_id = u.organisation_id
                AND (e.created_at < u.created_at OR (e.created_at = u.created_at AND e.id < u.id))))
    """)
    op.create_table('colleague_invitations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('invited_by_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_user_id', sa.Uuid(), nullable=True),
    sa.Column('cancelled_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('accepted_at IS NULL OR cancelled_at IS NULL',
                       name=op.f('ck_colleague_invitations_accepted_or_cancelled')),
    sa.CheckConstraint('(accepted_at IS NULL) = (accepted_user_id IS NULL)',
                       name=op.f('ck_colleague_invitations_accepted_has_user')),
    sa.ForeignKeyConstraint(['accepted_user_id'], ['users.id'],
                            name=op.f('fk_colleague_invitations_accepted_user_id_users')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_colleague_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_colleague_invitations_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_colleague_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_colleague_invitations_token_hash'))
    )
    with op.batch_alter_table('colleague_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_colleague_invitations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_colleague_invitations_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('colleague_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_colleague_invitations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_colleague_invitations_email'))
    op.drop_table('colleague_invitations')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('first_of_enterprise')
