"""civil procedure: the civil route of a court referral (guide to file suit / pre-suit mediation), the
time the suit's materials were complete (V1 runs from it), a failed mediation, and the applications for
preservation with the court's ruling (V2)

Revision ID: e5b7c1d9a3f2
Revises: e5b7d9f2a3c6
Create Date: 2026-12-03 08:55:00
"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


revision = 'e5b7c1d9a3f2'
down_revision = 'e5b7d9f2a3c6'
branch_labels = None
depends_on = None

CIVIL_ROUTES = ('file_suit', 'pre_suit_mediation')


def _add_enum_column(table, column, name, values):
    """A nullable non-native enum column with its CHECK constraint. On SQLite the constraint goes in the
    ADD COLUMN itself (a batch rebuild of referrals would cascade into the rows that point at it)."""
    allowed = ", ".join(f"'{v}'" for v in values)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(40) "
                   f"CONSTRAINT ck_{table}_{name} CHECK ({column} IN ({allowed}))")
        return
    op.add_column(table, sa.Column(column, sa.Enum(*values, name=name, native_enum=False, create_constraint=False,
                                                   length=40), nullable=True))
    op.create_check_constraint(name, table, f"{column} IN ({allowed})")


def upgrade():
    _add_enum_column('referrals', 'civil_route', 'civil_route', CIVIL_ROUTES)
    op.add_column('referrals', sa.Column('materials_complete_at', core.models.UTCDateTime(timezone=True), nullable=True))
    op.add_column('referrals', sa.Column('mediation_failed_at', core.models.UTCDateTime(timezone=True), nullable=True))
    op.create_table('preservation_applications',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('property', 'evidence', 'conduct', name='preservation_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('applied_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=False),
    sa.Column('ruling', sa.Enum('granted', 'refused', name='preservation_ruling', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('ruling_reasons', sa.Text(), nullable=True),
    sa.Column('ruled_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ruled_by_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("(ruling IS NULL) = (ruled_at IS NULL) AND (ruling IS NULL) = (ruling_reasons IS NULL)", name=op.f('ck_preservation_applications_ruled_has_time_and_reasons')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_preservation_applications_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_preservation_applications_referral_id_referrals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ruled_by_id'], ['users.id'], name=op.f('fk_preservation_applications_ruled_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preservation_applications'))
    )
    with op.batch_alter_table('preservation_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preservation_applications_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index('uq_preservation_applications_pending', ['referral_id'], unique=True,
                              sqlite_where=sa.text('ruling IS NULL'), postgresql_where=sa.text('ruling IS NULL'))


def downgrade():
    with op.batch_alter_table('preservation_applications', schema=None) as batch_op:
        batch_op.drop_index('uq_preservation_applications_pending', sqlite_where=sa.text('ruling IS NULL'),
                            postgresql_where=sa.text('ruling IS NULL'))
        batch_op.drop_index(batch_op.f('ix_preservation_applications_referral_id'))
    op.drop_table('preservation_applications')
    # SQLite (3.35+) drops a plain column in place; the CHECK of civil_route is the column's own
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f('ck_referrals_civil_route'), 'referrals', type_='check')
    op.drop_column('referrals', 'mediation_failed_at')
    op.drop_column('referrals', 'materials_complete_at')
    op.drop_column('referrals', 'civil_route')
