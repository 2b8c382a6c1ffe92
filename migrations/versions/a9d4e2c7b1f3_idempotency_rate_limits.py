"""retries: Idempotency-Key records (core/idempotency.py) and the API keys' own request rate limits

Revision ID: a9d4e2c7b1f3
Revises: a9c4e2f7b3d1
Create Date: 2026-12-03 15:30:00
"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


# revision identifiers, used by Alembic.
revision = 'a9d4e2c7b1f3'
down_revision = 'a9c4e2f7b3d1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idempotency_keys',
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_idempotency_keys'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_expires_at'), ['expires_at'], unique=False)

    # a plain column: no table rebuild on SQLite (the admin's schema bounds it)
    op.add_column('auth_tokens', sa.Column('rate_limit', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('auth_tokens', 'rate_limit')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_expires_at'))
    op.drop_table('idempotency_keys')
