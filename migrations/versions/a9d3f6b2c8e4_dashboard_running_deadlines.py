"""dashboard: complaints by state and a partial index on the running deadlines (supervision.indexes)

Revision ID: a9d3f6b2c8e4
Revises: c4d8e1f2a7b3
"""
import sqlalchemy as sa
from alembic import op

revision = 'a9d3f6b2c8e4'
down_revision = 'c4d8e1f2a7b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_complaints_dashboard_state', 'complaints', ['state', 'centre_id', 'enterprise_id', 'id'])
    op.create_index('ix_deadlines_running', 'deadlines', ['responsible_org_id', 'state', 'due_at', 'complaint_id'],
                    postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))


def downgrade():
    op.drop_index('ix_complaints_dashboard_state', table_name='complaints')
    op.drop_index('ix_deadlines_running', table_name='deadlines')
