"""changes feed: every organisation's events in commit order (change_events, numbered from change_counter
while committing), and the event id shared by an outbox event, its deliveries and its feed items

Revision ID: a9c4e2f7b3d1
Revises: c0a7e9d3b1f6
Create Date: 2026-12-03 15:17:44
"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


# revision identifiers, used by Alembic.
revision = 'a9c4e2f7b3d1'
down_revision = 'c0a7e9d3b1f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('change_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_counter'))
    )
    op.create_table('change_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('batch', sa.BigInteger(), nullable=True),
    sa.Column('event', sa.String(length=60), nullable=False),
    sa.Column('occurred_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=True),
    sa.Column('subject_id', sa.Uuid(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_change_events_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_events')),
    sa.UniqueConstraint('event_id', 'organisation_id', name=op.f('uq_change_events_event_id_organisation_id'))
    )
    with op.batch_alter_table('change_events', schema=None) as batch_op:
        batch_op.create_index('ix_change_events_feed', ['organisation_id', 'batch', 'id'], unique=False)
        batch_op.create_index('ix_change_events_unnumbered', ['id'], unique=False, postgresql_where=sa.text('batch IS NULL'), sqlite_where=sa.text('batch IS NULL'))

    with op.batch_alter_table('deadline_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Uuid(), nullable=True))
    # the scheduled reminders, breaches and escalations get their event's id now (new rows: from the model)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE deadline_events SET event_id = gen_random_uuid() WHERE event_id IS NULL")
    else:  # the Uuid type's SQLite form: 32 hexadecimal digits
        op.execute("UPDATE deadline_events SET event_id = lower(hex(randomblob(16))) WHERE event_id IS NULL")

    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Uuid(), nullable=True))

    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Uuid(), nullable=True))



def downgrade():
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_column('event_id')

    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.drop_column('event_id')

    with op.batch_alter_table('deadline_events', schema=None) as batch_op:
        batch_op.drop_column('event_id')

    with op.batch_alter_table('change_events', schema=None) as batch_op:
        batch_op.drop_index('ix_change_events_unnumbered', postgresql_where=sa.text('batch IS NULL'), sqlite_where=sa.text('batch IS NULL'))
        batch_op.drop_index('ix_change_events_feed')

    op.drop_table('change_events')
    op.drop_table('change_counter')
