"""The dashboard's index: complaints by the time received, covering the columns its figures group by

Revision ID: 695d64557515
Revises: 4715e5f8c44f
Create Date: 2026-12-04 18:41:33.361397

"""
from alembic import op

revision = '695d64557515'
down_revision = '4715e5f8c44f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_complaints_dashboard', 'complaints', ['submitted_at', 'state', 'centre_id', 'enterprise_id', 'id'])


def downgrade():
    op.drop_index('ix_complaints_dashboard', table_name='complaints')
