"""the queue's expression indexes (autogenerate cannot see them on SQLite)

Revision ID: b7e2c9d41a05
Revises: 3a2e4eed46ed
Create Date: 2026-11-27 15:30:00

Written by hand: autogenerate skips indexes on expressions, so they are declared here exactly as in
intake/models.py (Complaint.__table_args__); tests/core/test_migrations.py checks they exist.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e2c9d41a05'
down_revision = '3a2e4eed46ed'
branch_labels = None
depends_on = None

QUEUE_ORDER = [sa.text('key_case DESC'), sa.text('(centre_due_at IS NULL)'), 'centre_due_at', 'submitted_at', 'id']


def upgrade():
    op.create_index('ix_complaints_queue', 'complaints', ['centre_id', *QUEUE_ORDER], unique=False)
    op.create_index('ix_complaints_centre_state', 'complaints', ['centre_id', 'state', *QUEUE_ORDER], unique=False)


def downgrade():
    op.drop_index('ix_complaints_centre_state', table_name='complaints')
    op.drop_index('ix_complaints_queue', table_name='complaints')
