"""auth: atomic throttle counters, pending registrations, e-mail to a bare address

Revision ID: c4d1a7e93b20
Revises: b7e2c9d41a05
Create Date: 2026-12-02 07:30:00

login_failures (one row per failure, the e-mail as typed) gives way to throttle_counters (one row
per hashed key and window, reserved atomically). Registrations wait in pending_registrations until
their e-mailed link is followed; that e-mail goes to an address without an account
(outbox_deliveries.email_to).
"""
from alembic import op
import sqlalchemy as sa

import core.models

revision = 'c4d1a7e93b20'
down_revision = 'c4f8a1d2e9b3'
branch_labels = None
depends_on = None

DISTRICTS = ('huangpu', 'xuhui', 'changning', 'jingan', 'putuo', 'hongkou', 'yangpu', 'minhang', 'baoshan',
             'jiading', 'pudong', 'jinshan', 'songjiang', 'qingpu', 'fengxian', 'chongming', 'lingang', 'municipal')


def upgrade():
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_key_at')
    op.drop_table('login_failures')

    op.create_table('throttle_counters',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('window_ends_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttle_counters'))
    )
    with op.batch_alter_table('throttle_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_counters_window_ends_at'), ['window_ends_at'], unique=False)

    op.create_table('pending_registrations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('district', sa.Enum(*DISTRICTS, name='district', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('contact_person', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_registrations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pending_registrations_token_hash'))
    )
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_registrations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_registrations_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_to', sa.String(length=254), nullable=True))
        batch_op.drop_constraint(op.f('ck_outbox_deliveries_email_has_user'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outbox_deliveries_email_has_recipient'), "channel <> 'email' OR user_id IS NOT NULL OR email_to IS NOT NULL")


def downgrade():
    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_deliveries_email_has_recipient'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_deliveries_email_has_user'), "channel <> 'email' OR user_id IS NOT NULL")
        batch_op.drop_column('email_to')
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_registrations_expires_at'))
        batch_op.drop_index(batch_op.f('ix_pending_registrations_email'))
    op.drop_table('pending_registrations')
    with op.batch_alter_table('throttle_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_counters_window_ends_at'))
    op.drop_table('throttle_counters')
    op.create_table('login_failures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_key_at', ['key', 'at'], unique=False)
