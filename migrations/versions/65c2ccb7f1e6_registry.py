"""registry: demonstration bases, the think tank's experts (their declared conflicts, their invitations to
consultations), the talent pool's tags and the officers staffing a key case; the expert role and the think
tank's organisation kind (the CHECK constraints of users.role and organisations.kind)

Revision ID: 65c2ccb7f1e6
Revises: 4715e5f8c44f
Create Date: 2026-12-04 18:08:55

"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type

ROLES = ('enterprise_user', 'clerk', 'agency_officer', 'agency_head', 'supervisor', 'admin')
ORG_KINDS = ('enterprise', 'rights_center', 'market_regulation', 'public_security', 'procuratorate', 'court',
             'supervisor_office')


def _in(column, values):
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _check(table, name, column, old, new):
    """Replace the CHECK constraint of a non-native enum column allowing ``old`` by one allowing ``new``. On
    SQLite the constraint's text is edited in place in the schema (as the routing reshape does: no rebuild of
    users or organisations, which every other table points at), then the database checked."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(f'ck_{table}_{name}'), table, type_='check')
        op.create_check_constraint(name, table, _in(column, new))
        return
    before = f"CONSTRAINT ck_{table}_{name} CHECK ({_in(column, old)})"
    after = f"CONSTRAINT ck_{table}_{name} CHECK ({_in(column, new)})"
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


# revision identifiers, used by Alembic.
revision = '65c2ccb7f1e6'
down_revision = '4715e5f8c44f'
branch_labels = None
depends_on = None


def upgrade():
    _check('users', 'role', 'role', ROLES, ROLES + ('expert',))
    _check('organisations', 'org_kind', 'kind', ORG_KINDS, ORG_KINDS + ('think_tank',))
    op.create_table('demo_bases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('zone', 'station', 'point', name='demo_base_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('district', sa.Enum('huangpu', 'xuhui', 'changning', 'jingan', 'putuo', 'hongkou', 'yangpu', 'minhang', 'baoshan', 'jiading', 'pudong', 'jinshan', 'songjiang', 'qingpu', 'fengxian', 'chongming', 'lingang', 'municipal', name='district', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('host_name', sa.String(length=200), nullable=False),
    sa.Column('host_credit_code', sa.String(length=18), nullable=True),
    sa.Column('host_org_id', sa.Uuid(), nullable=True),
    sa.Column('industry', sa.Enum('integrated_circuits', 'biomedicine', 'artificial_intelligence', 'electronic_information', 'life_health', 'automotive', 'high_end_equipment', 'advanced_materials', 'fashion_consumer_goods', 'other', name='industry', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('status', sa.Enum('cultivation', 'recognised', 'municipal', 'national_recommendation', name='demo_base_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('centre_id', sa.Uuid(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['organisations.id'], name=op.f('fk_demo_bases_centre_id_organisations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_demo_bases_created_by_id_users')),
    sa.ForeignKeyConstraint(['host_org_id'], ['organisations.id'], name=op.f('fk_demo_bases_host_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_bases')),
    sa.UniqueConstraint('kind', 'name', name=op.f('uq_demo_bases_kind_name'))
    )
    with op.batch_alter_table('demo_bases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demo_bases_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_demo_bases_kind'), ['kind'], unique=False)

    op.create_table('experts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('judge', 'scholar', 'lawyer', 'forensic_appraiser', 'industry_specialist', name='expert_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('affiliation', sa.String(length=200), nullable=False),
    sa.Column('expertise', sa.String(length=200), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_experts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_experts_user_id'))
    )
    op.create_table('talent_tags',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('tag', sa.String(length=100), nullable=False),
    sa.Column('added_by_id', sa.Uuid(), nullable=False),
    sa.Column('added_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_talent_tags_added_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_talent_tags_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_tags')),
    sa.UniqueConstraint('user_id', 'tag', name=op.f('uq_talent_tags_user_id_tag'))
    )
    with op.batch_alter_table('talent_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talent_tags_user_id'), ['user_id'], unique=False)

    op.create_table('expert_conflicts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('expert_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.CheckConstraint('name IS NOT NULL OR credit_code IS NOT NULL', name=op.f('ck_expert_conflicts_names_someone')),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_expert_conflicts_expert_id_experts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_conflicts'))
    )
    with op.batch_alter_table('expert_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_conflicts_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_expert_conflicts_expert_id'), ['expert_id'], unique=False)

    op.create_table('expert_invitations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('consultation_id', sa.Uuid(), nullable=False),
    sa.Column('expert_id', sa.Uuid(), nullable=False),
    sa.Column('invited_by_id', sa.Uuid(), nullable=False),
    sa.Column('invited_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('opinion_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(opinion IS NULL) = (opinion_at IS NULL)', name=op.f('ck_expert_invitations_opinion_has_time')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_expert_invitations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_expert_invitations_expert_id_users')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_expert_invitations_invited_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_invitations')),
    sa.UniqueConstraint('consultation_id', 'expert_id', name=op.f('uq_expert_invitations_consultation_id_expert_id'))
    )
    with op.batch_alter_table('expert_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_invitations_expert_id'), ['expert_id'], unique=False)

    op.create_table('supervision_staff',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('supervision_id', sa.Uuid(), nullable=False),
    sa.Column('officer_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_by_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_supervision_staff_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_supervision_staff_officer_id_users')),
    sa.ForeignKeyConstraint(['supervision_id'], ['supervisions.id'], name=op.f('fk_supervision_staff_supervision_id_supervisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_staff')),
    sa.UniqueConstraint('supervision_id', 'officer_id', name=op.f('uq_supervision_staff_supervision_id_officer_id'))
    )
    with op.batch_alter_table('supervision_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_staff_supervision_id'), ['supervision_id'], unique=False)



def downgrade():
    with op.batch_alter_table('supervision_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_staff_supervision_id'))

    op.drop_table('supervision_staff')
    with op.batch_alter_table('expert_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_invitations_expert_id'))

    op.drop_table('expert_invitations')
    with op.batch_alter_table('expert_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_conflicts_expert_id'))
        batch_op.drop_index(batch_op.f('ix_expert_conflicts_credit_code'))

    op.drop_table('expert_conflicts')
    with op.batch_alter_table('talent_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talent_tags_user_id'))

    op.drop_table('talent_tags')
    op.drop_table('experts')
    with op.batch_alter_table('demo_bases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demo_bases_kind'))
        batch_op.drop_index(batch_op.f('ix_demo_bases_centre_id'))

    op.drop_table('demo_bases')
    _check('organisations', 'org_kind', 'kind', ORG_KINDS + ('think_tank',), ORG_KINDS)
    _check('users', 'role', 'role', ROLES + ('expert',), ROLES)
