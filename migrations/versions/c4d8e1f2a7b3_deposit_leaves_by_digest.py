"""the deposit log's leaves by digest: the public verify page looks a SHA-256 up without a scan

Revision ID: c4d8e1f2a7b3
Revises: b7e2c4a9d1f5
Create Date: 2026-12-04 19:20:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4d8e1f2a7b3'
down_revision = 'b7e2c4a9d1f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_deposit_leaves_sha256', 'deposit_leaves', ['sha256'], unique=False)


def downgrade():
    op.drop_index('ix_deposit_leaves_sha256', table_name='deposit_leaves')
