"""signed receipts (routing/receipts.py): one per hand-over, the submission and each case file's manifest

Revision ID: 812340dec0e7
Revises: 4715e5f8c44f
Create Date: 2026-12-04 18:04:41.420110

"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


# revision identifiers, used by Alembic.
revision = '812340dec0e7'
down_revision = '4715e5f8c44f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('receipts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('issued_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.CheckConstraint("(referral_id IS NULL) = (kind IN ('submitted', 'case_file'))", name=op.f('ck_receipts_receipt_referral_kind')),
    sa.CheckConstraint("kind IN ('submitted', 'delivered', 'opened', 'acknowledged', 'case_file')", name=op.f('ck_receipts_receipt_kind_known')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_receipts_actor_id_users')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_receipts_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_receipts_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts'))
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index('ix_receipts_complaint', ['complaint_id', 'issued_at'], unique=False)
        batch_op.create_index('uq_receipts_referral_kind', ['referral_id', 'kind'], unique=True)
        batch_op.create_index('uq_receipts_submission', ['complaint_id'], unique=True, sqlite_where=sa.text("kind = 'submitted'"), postgresql_where=sa.text("kind = 'submitted'"))



def downgrade():
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index('uq_receipts_submission', sqlite_where=sa.text("kind = 'submitted'"), postgresql_where=sa.text("kind = 'submitted'"))
        batch_op.drop_index('uq_receipts_referral_kind')
        batch_op.drop_index('ix_receipts_complaint')

    op.drop_table('receipts')
