"""the queue sorted by the time received: an index on (centre_id, submitted_at, id)

Revision ID: f3c9a2d7e1b6
Revises: e5b7c1d9a3f2
Create Date: 2026-12-03 13:00:00
"""
from alembic import op


revision = 'f3c9a2d7e1b6'
down_revision = 'e5b7c1d9a3f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_complaints_centre_submitted', 'complaints', ['centre_id', 'submitted_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_complaints_centre_submitted', table_name='complaints')
