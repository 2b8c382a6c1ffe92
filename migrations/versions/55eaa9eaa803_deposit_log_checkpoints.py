"""The deposit log's checkpoints, its counter row and the leaves' hashes

Revision ID: 55eaa9eaa803
Revises: 4715e5f8c44f
Create Date: 2026-12-04 18:04:42.303433

"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


# revision identifiers, used by Alembic.
revision = '55eaa9eaa803'
down_revision = '4715e5f8c44f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deposit_checkpoints',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('taken_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.CheckConstraint('size >= 0', name=op.f('ck_deposit_checkpoints_checkpoint_size_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deposit_checkpoints')),
    sa.UniqueConstraint('size', name=op.f('uq_deposit_checkpoints_size'))
    )
    op.create_table('deposit_log_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('size >= 0', name=op.f('ck_deposit_log_state_log_size_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deposit_log_state'))
    )
    with op.batch_alter_table('deposit_leaves', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leaf_hash', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('deposit_leaves', schema=None) as batch_op:
        batch_op.drop_column('leaf_hash')

    op.drop_table('deposit_log_state')
    op.drop_table('deposit_checkpoints')
