"""extension requests (an officer asks, the head decides) and due times a person set on a deadline
(fixed_due_at / fixed_at / due_reason: the reply date told to the enterprise, the convener's opinion due
time, an approved extension)

Revision ID: e5b7d9f2a3c6
Revises: e7b3f5a9c2d1
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


revision = 'e5b7d9f2a3c6'
down_revision = 'e7b3f5a9c2d1'
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade():
    # plain ADD COLUMNs (no table rebuild: deadline_events and extension_requests refer to deadlines)
    op.add_column('deadlines', sa.Column('fixed_due_at', core.models.UTCDateTime(timezone=True), nullable=True))
    op.add_column('deadlines', sa.Column('fixed_at', core.models.UTCDateTime(timezone=True), nullable=True))
    op.add_column('deadlines', sa.Column('due_reason', sa.Text(), nullable=True))

    op.create_table('extension_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deadline_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_due_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'refused', name='extension_state', native_enum=False,
                               create_constraint=True, length=40), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("state = 'pending' OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
                       name=op.f('ck_extension_requests_decided_has_decider')),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], name=op.f('fk_extension_requests_deadline_id_deadlines'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_extension_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                            name=op.f('fk_extension_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_requests'))
    )
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_requests_deadline_id'), ['deadline_id'], unique=False)
        batch_op.create_index('uq_extension_requests_pending', ['deadline_id'], unique=True,
                              sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade():
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_extension_requests_pending', sqlite_where=PENDING, postgresql_where=PENDING)
        batch_op.drop_index(batch_op.f('ix_extension_requests_deadline_id'))
    op.drop_table('extension_requests')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_column('due_reason')
        batch_op.drop_column('fixed_at')
        batch_op.drop_column('fixed_due_at')
