"""satisfaction reviews and reminders, the complaint's under_review state (a dissatisfied rating reopens it
for its centre's review)

Revision ID: 8db0a3369de5
Revises: 4715e5f8c44f
Create Date: 2026-12-04 18:05:24.926550

"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


# revision identifiers, used by Alembic.
revision = '8db0a3369de5'
down_revision = '4715e5f8c44f'
branch_labels = None
depends_on = None


STATES = ('draft', 'submitted', 'triaging', 'awaiting_info', 'accepted', 'rejected', 'referred', 'in_progress',
          'concluded', 'closed', 'withdrawn')
WITH_REVIEW = STATES[:9] + ('under_review',) + STATES[9:]


def _in(values):
    return "state IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _states(table, name, old, new):
    """Replace the CHECK constraint of a non-native enum column (state) allowing ``old`` by one allowing ``new``.

    On SQLite the table is not rebuilt (a batch rebuild drops the table, and with foreign keys on that would
    cascade into the complaint's rows): the constraint's text is edited in place in the schema, as the routing
    reshape's revision does, then checked.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(f'ck_{table}_{name}'), table, type_='check')
        op.create_check_constraint(name, table, _in(new))
        return
    before, after = f"CONSTRAINT ck_{table}_{name} CHECK ({_in(old)})", f"CONSTRAINT ck_{table}_{name} CHECK ({_in(new)})"
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    if before not in sql:
        raise RuntimeError(f"{table}: the constraint ck_{table}_{name} is not as expected")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (sql.replace(before, after), table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    if bind.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok":
        raise RuntimeError("the database failed its integrity check after the constraint change")


def upgrade():
    _states('complaints', 'complaint_state', STATES, WITH_REVIEW)
    op.create_table('satisfaction_reminders',
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('sent_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_satisfaction_reminders_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('complaint_id', name=op.f('pk_satisfaction_reminders'))
    )
    op.create_table('satisfaction_reviews',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('rating_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('centre_id', sa.Uuid(), nullable=False),
    sa.Column('opened_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Uuid(), nullable=True),
    sa.Column('reviewed_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(action IS NULL) = (reviewed_at IS NULL) AND (action IS NULL) = (reviewed_by_id IS NULL)', name=op.f('ck_satisfaction_reviews_reviewed_has_action')),
    sa.ForeignKeyConstraint(['centre_id'], ['organisations.id'], name=op.f('fk_satisfaction_reviews_centre_id_organisations')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_satisfaction_reviews_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['rating_id'], ['satisfaction_ratings.id'], name=op.f('fk_satisfaction_reviews_rating_id_satisfaction_ratings')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_satisfaction_reviews_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_reviews')),
    sa.UniqueConstraint('complaint_id', name=op.f('uq_satisfaction_reviews_complaint_id')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_satisfaction_reviews_rating_id'))
    )
    with op.batch_alter_table('satisfaction_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_reviews_centre_id'), ['centre_id'], unique=False)



def downgrade():
    with op.batch_alter_table('satisfaction_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_reviews_centre_id'))

    op.drop_table('satisfaction_reviews')
    op.drop_table('satisfaction_reminders')
    op.execute("UPDATE complaints SET state = 'concluded' WHERE state = 'under_review'")
    _states('complaints', 'complaint_state', WITH_REVIEW, STATES)
