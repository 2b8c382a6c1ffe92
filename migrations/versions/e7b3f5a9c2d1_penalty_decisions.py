"""the penalty window is computed, not asked: an infringer's earlier administrative penalty is recorded by its
decision (number, authority, date) on complaint_infringers; complaints.prior_admin_penalty (a yes/no the
enterprise answered) is dropped

Migration of existing rows: a yes/no carries no decision date, so no window can be computed from it and no
infringer row can be filled in. Each complaint that answered "yes" keeps the answer as an internal timeline row
(kind 'edited', payload {"fields": ["prior_admin_penalty"], "prior_admin_penalty": true}) with a reason telling
the centre to ask for the decision; until it is recorded the rules apply the ordinary threshold.
Downgrade sets the column again to true where an infringer has a penalty decision, false otherwise.

Revision ID: e7b3f5a9c2d1
Revises: d2a6c3e8f1b4
Create Date: 2026-12-03 09:00:00
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


revision = 'e7b3f5a9c2d1'
down_revision = 'd2a6c3e8f1b4'
branch_labels = None
depends_on = None

MIGRATED_REASON = ("平台升级：企业原答“侵权人两年内曾因侵犯商业秘密受过行政处罚”为“是”，但未记录处罚决定。"
                   "请向企业补充处罚决定书文号、作出机关和日期，以便规则计算两年期限。")


def upgrade():
    # plain ADD COLUMNs on both databases (no rebuild of a table others refer to)
    op.add_column('complaint_infringers', sa.Column('penalty_decision_number', sa.String(length=100), nullable=True))
    op.add_column('complaint_infringers', sa.Column('penalty_authority', sa.String(length=200), nullable=True))
    op.add_column('complaint_infringers', sa.Column('penalty_decided_on', sa.Date(), nullable=True))

    op.get_bind().execute(sa.text(
        "INSERT INTO complaint_events (complaint_id, at, kind, payload, public, reason) "
        "SELECT id, :at, 'edited', :payload, :public, :reason FROM complaints WHERE prior_admin_penalty = :yes"
    ).bindparams(sa.bindparam('at', dt.datetime.now(dt.timezone.utc), type_=core.models.UTCDateTime(timezone=True)),
                 sa.bindparam('payload', {"fields": ["prior_admin_penalty"], "prior_admin_penalty": True},
                              type_=sa.JSON()),
                 sa.bindparam('public', False, type_=sa.Boolean()),
                 sa.bindparam('reason', MIGRATED_REASON, type_=sa.Text()),
                 sa.bindparam('yes', True, type_=sa.Boolean())))
    # a plain column, in no index or constraint: dropped in place on SQLite too
    op.execute('ALTER TABLE complaints DROP COLUMN prior_admin_penalty')


def downgrade():
    op.add_column('complaints', sa.Column('prior_admin_penalty', sa.Boolean(), nullable=True))
    op.get_bind().execute(sa.text(
        "UPDATE complaints SET prior_admin_penalty = EXISTS (SELECT 1 FROM complaint_infringers i "
        "WHERE i.complaint_id = complaints.id AND i.penalty_decided_on IS NOT NULL)"))
    op.execute('ALTER TABLE complaint_infringers DROP COLUMN penalty_decided_on')
    op.execute('ALTER TABLE complaint_infringers DROP COLUMN penalty_authority')
    op.execute('ALTER TABLE complaint_infringers DROP COLUMN penalty_decision_number')
