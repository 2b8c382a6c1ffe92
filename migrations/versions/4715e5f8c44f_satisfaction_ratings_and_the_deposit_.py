"""satisfaction ratings and the deposit log's leaves

Revision ID: 4715e5f8c44f
Revises: a9d4e2c7b1f3
Create Date: 2026-12-04 18:00:50

"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


# revision identifiers, used by Alembic.
revision = '4715e5f8c44f'
down_revision = 'a9d4e2c7b1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deposit_leaves',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=True),
    sa.Column('reference', sa.String(length=20), nullable=True),
    sa.Column('deposited_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('leaf_index', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('leaf_index IS NULL OR leaf_index >= 0', name=op.f('ck_deposit_leaves_leaf_index_not_negative')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_deposit_leaves_deposit_size_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deposit_leaves')),
    sa.UniqueConstraint('leaf_index', name=op.f('uq_deposit_leaves_leaf_index')),
    sa.UniqueConstraint('subject', name=op.f('uq_deposit_leaves_subject'))
    )
    with op.batch_alter_table('deposit_leaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deposit_leaves_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('satisfaction_ratings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('centre_id', sa.Uuid(), nullable=False),
    sa.Column('rating', sa.Enum('satisfied', 'basically_satisfied', 'dissatisfied', name='satisfaction_rating', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('rated_by_id', sa.Uuid(), nullable=False),
    sa.Column('rated_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['organisations.id'], name=op.f('fk_satisfaction_ratings_centre_id_organisations')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_satisfaction_ratings_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['rated_by_id'], ['users.id'], name=op.f('fk_satisfaction_ratings_rated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_ratings')),
    sa.UniqueConstraint('complaint_id', name=op.f('uq_satisfaction_ratings_complaint_id'))
    )
    with op.batch_alter_table('satisfaction_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_ratings_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_ratings_rated_at'), ['rated_at'], unique=False)



def downgrade():
    with op.batch_alter_table('satisfaction_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_ratings_rated_at'))
        batch_op.drop_index(batch_op.f('ix_satisfaction_ratings_centre_id'))

    op.drop_table('satisfaction_ratings')
    with op.batch_alter_table('deposit_leaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deposit_leaves_complaint_id'))

    op.drop_table('deposit_leaves')
