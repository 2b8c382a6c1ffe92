"""routing reshape: referrals withdrawn with their complaint, consultations cancelled, transfer proposals
(Order 310's approval gate), supplements of a referral (attached transfers, further evidence), the
complaint's open supplement request and the centre's own resolution

Revision ID: d8a1c2e3f4b5
Revises: c4d8e1f7a2b9
Create Date: 2026-12-02 19:01:08
"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


revision = 'd8a1c2e3f4b5'
down_revision = 'c4d8e1f7a2b9'
branch_labels = None
depends_on = None


REFERRAL_STATES = ('sent', 'acknowledged', 'accepted', 'declined', 'returned', 'concluded', 'transferred',
                   'supervision_requested')
CONSULTATION_STATES = ('convened', 'opinions_due', 'minuted', 'closed')


def _in(values):
    return "state IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _states(table, name, old, new):
    """Replace the CHECK constraint of a non-native enum column (state) allowing ``old`` by one allowing ``new``.

    On SQLite the table is not rebuilt (a batch rebuild drops the table, and with foreign keys on that
    would cascade into the referrals' evidence and notes): the constraint's text is edited in place in
    the schema, which SQLite documents for changing a CHECK constraint, then checked.
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
    _states('referrals', 'referral_state', REFERRAL_STATES, REFERRAL_STATES + ('withdrawn',))
    _states('consultations', 'consultation_state', CONSULTATION_STATES, CONSULTATION_STATES + ('cancelled',))
    op.create_table('referral_supplements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('evidence', 'transfer', name='supplement_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('source_referral_id', sa.Uuid(), nullable=True),
    sa.Column('link_kind', sa.Enum('admin_to_criminal', 'criminal_to_admin', 'filing_supervision', 'reroute', name='link_kind', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('added_by_id', sa.Uuid(), nullable=False),
    sa.Column('at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind <> 'transfer' OR (source_referral_id IS NOT NULL AND link_kind IS NOT NULL)", name=op.f('ck_referral_supplements_transfer_supplement_has_link')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_referral_supplements_added_by_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_supplements_referral_id_referrals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_referral_id'], ['referrals.id'], name=op.f('fk_referral_supplements_source_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_supplements'))
    )
    with op.batch_alter_table('referral_supplements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_supplements_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_supplements_source_referral_id'), ['source_referral_id'], unique=False)

    op.create_table('transfer_proposals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'refused', 'sent', name='transfer_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Uuid(), nullable=False),
    sa.Column('proposed_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('sent_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state <> 'refused' OR decision_reason IS NOT NULL", name=op.f('ck_transfer_proposals_refused_has_reason')),
    sa.CheckConstraint("state = 'pending' OR decided_at IS NOT NULL", name=op.f('ck_transfer_proposals_decided_has_time')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_transfer_proposals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_transfer_proposals_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_transfer_proposals_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_proposals'))
    )
    with op.batch_alter_table('transfer_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_proposals_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index('uq_transfer_proposals_open', ['referral_id'], unique=True, sqlite_where=sa.text("state IN ('pending', 'approved')"), postgresql_where=sa.text("state IN ('pending', 'approved')"))

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplement_requested_at', core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution', sa.Text(), nullable=True))

    with op.batch_alter_table('referral_evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_at', core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('supplement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_referral_evidence_supplement_id_referral_supplements'), 'referral_supplements', ['supplement_id'], ['id'], ondelete='SET NULL')


def downgrade():
    op.execute("UPDATE referrals SET state = 'returned', return_reason = 'other' WHERE state = 'withdrawn'")
    op.execute("UPDATE consultations SET state = 'closed' WHERE state = 'cancelled' AND minutes IS NOT NULL")
    op.execute("UPDATE consultations SET state = 'convened' WHERE state = 'cancelled'")
    with op.batch_alter_table('referral_evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referral_evidence_supplement_id_referral_supplements'), type_='foreignkey')
        batch_op.drop_column('supplement_id')
        batch_op.drop_column('shared_at')

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_column('resolution')
        batch_op.drop_column('supplement_requested_at')

    with op.batch_alter_table('transfer_proposals', schema=None) as batch_op:
        batch_op.drop_index('uq_transfer_proposals_open', sqlite_where=sa.text("state IN ('pending', 'approved')"), postgresql_where=sa.text("state IN ('pending', 'approved')"))
        batch_op.drop_index(batch_op.f('ix_transfer_proposals_referral_id'))

    op.drop_table('transfer_proposals')
    with op.batch_alter_table('referral_supplements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_supplements_source_referral_id'))
        batch_op.drop_index(batch_op.f('ix_referral_supplements_referral_id'))

    op.drop_table('referral_supplements')
    _states('consultations', 'consultation_state', CONSULTATION_STATES + ('cancelled',), CONSULTATION_STATES)
    _states('referrals', 'referral_state', REFERRAL_STATES + ('withdrawn',), REFERRAL_STATES)
