"""the queue sorted by the time received: an index on (centre_id, submitted_at, id)

Revision ID: f3c9a2d7e1b6
Revises: f1a2c3d4e5b6
Create Date: 2026-12-03 13:00:00
"""
from alembic import op


revision = 'f3c9a2d7e1b6'
down_revision = 'f1a2c3d4e5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_complaints_centre_submitted', 'complaints', ['centre_id', 'submitted_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_complaints_centre_submitted', table_name='complaints')
