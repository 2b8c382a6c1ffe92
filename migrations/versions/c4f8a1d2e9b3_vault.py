"""vault: when a damaged evidence file was last reported to the administrators; webhook errors without
the receivers' answers

Revision ID: c4f8a1d2e9b3
Revises: b7e2c9d41a05
Create Date: 2026-12-02 07:30:00

EvidenceFile.damage_reported_at bounds the administrators' notices about a damaged or missing file to
one a day per file. Webhook deliveries used to keep the start of the receiver's answer in last_error
(an SSRF read-back); what was stored is cut down to the status code or a short error class.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4f8a1d2e9b3'
down_revision = 'b7e2c9d41a05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence_files') as batch_op:
        batch_op.add_column(sa.Column('damage_reported_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE outbox_deliveries SET last_error = CASE WHEN last_error LIKE 'HTTP %' "
               "THEN substr(last_error, 1, 8) ELSE 'unreachable' END "
               "WHERE channel = 'webhook' AND last_error IS NOT NULL")


def downgrade():
    with op.batch_alter_table('evidence_files') as batch_op:
        batch_op.drop_column('damage_reported_at')
