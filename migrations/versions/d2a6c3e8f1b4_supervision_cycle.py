"""key-case supervision as a cycle: several reports (supervision_reports), further instructions
(supervision_instructions), lifting with a closing note, several supervisions of a complaint over time
(at most one active)

Revision ID: d2a6c3e8f1b4
Revises: d8a1c2e3f4b5
Create Date: 2026-12-02 19:00:00
"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


revision = 'd2a6c3e8f1b4'
down_revision = 'd8a1c2e3f4b5'
branch_labels = None
depends_on = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
ACTIVE = sa.text('lifted_at IS NULL')


def upgrade():
    # first the supervisions themselves (SQLite rebuilds the table: nothing refers to it yet)
    with op.batch_alter_table('supervisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lifted_at', core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lifted_by_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('closing_note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_supervisions_lifted_by_id_users'), 'users', ['lifted_by_id'], ['id'])
        batch_op.create_check_constraint(
            'lifted_has_who_and_note',
            '(lifted_at IS NULL) = (lifted_by_id IS NULL) AND (lifted_at IS NULL) = (closing_note IS NULL)')
        batch_op.drop_constraint(batch_op.f('uq_supervisions_complaint_id'), type_='unique')
        batch_op.create_index('ix_supervisions_complaint', ['complaint_id', 'created_at'], unique=False)
        batch_op.create_index('uq_supervisions_active', ['complaint_id'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)

    op.create_table('supervision_reports',
    sa.Column('id', BIGINT_PK, autoincrement=True, nullable=False),
    sa.Column('supervision_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_supervision_reports_author_id_users')),
    sa.ForeignKeyConstraint(['supervision_id'], ['supervisions.id'],
                            name=op.f('fk_supervision_reports_supervision_id_supervisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_reports'))
    )
    with op.batch_alter_table('supervision_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_reports_supervision_id'), ['supervision_id'], unique=False)

    op.create_table('supervision_instructions',
    sa.Column('id', BIGINT_PK, autoincrement=True, nullable=False),
    sa.Column('supervision_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_supervision_instructions_author_id_users')),
    sa.ForeignKeyConstraint(['supervision_id'], ['supervisions.id'],
                            name=op.f('fk_supervision_instructions_supervision_id_supervisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_instructions'))
    )
    with op.batch_alter_table('supervision_instructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_instructions_supervision_id'), ['supervision_id'], unique=False)

    # the one report kept so far becomes the first of the history, by the clerk its timeline row names
    op.execute("""
        INSERT INTO supervision_reports (supervision_id, author_id, text, at)
        SELECT s.id, e.actor_id, s.last_report, s.last_report_at
        FROM supervisions s JOIN complaint_events e ON e.id = (
            SELECT e2.id FROM complaint_events e2
            WHERE e2.complaint_id = s.complaint_id AND e2.kind = 'supervision' AND e2."trigger" = 'report'
              AND e2.actor_id IS NOT NULL
            ORDER BY e2.at DESC, e2.id DESC LIMIT 1)
        WHERE s.last_report IS NOT NULL AND s.last_report_at IS NOT NULL
    """)
    # no rebuild of supervisions now: on SQLite (foreign keys on) dropping the old table would cascade
    # to the reports just written; both databases drop a plain column in place
    op.execute('ALTER TABLE supervisions DROP COLUMN last_report')
    op.execute('ALTER TABLE supervisions DROP COLUMN last_report_at')


def downgrade():
    op.add_column('supervisions', sa.Column('last_report', sa.Text(), nullable=True))
    op.add_column('supervisions', sa.Column('last_report_at', core.models.UTCDateTime(timezone=True), nullable=True))
    # the last report of each complaint's newest supervision comes back; older supervisions and reports go
    op.execute("""
        UPDATE supervisions SET
          last_report = (SELECT r.text FROM supervision_reports r WHERE r.supervision_id = supervisions.id
                         ORDER BY r.at DESC, r.id DESC LIMIT 1),
          last_report_at = (SELECT r.at FROM supervision_reports r WHERE r.supervision_id = supervisions.id
                            ORDER BY r.at DESC, r.id DESC LIMIT 1)
    """)
    op.execute("""
        DELETE FROM supervisions WHERE EXISTS (
            SELECT 1 FROM supervisions newer WHERE newer.complaint_id = supervisions.complaint_id
              AND (newer.created_at > supervisions.created_at
                   OR (newer.created_at = supervisions.created_at AND newer.id > supervisions.id)))
    """)
    op.drop_table('supervision_instructions')
    op.drop_table('supervision_reports')
    with op.batch_alter_table('supervisions', schema=None) as batch_op:
        batch_op.drop_index('uq_supervisions_active', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.drop_index('ix_supervisions_complaint')
        batch_op.drop_constraint(batch_op.f('ck_supervisions_lifted_has_who_and_note'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_supervisions_lifted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('closing_note')
        batch_op.drop_column('lifted_by_id')
        batch_op.drop_column('lifted_at')
        batch_op.create_unique_constraint(batch_op.f('uq_supervisions_complaint_id'), ['complaint_id'])
