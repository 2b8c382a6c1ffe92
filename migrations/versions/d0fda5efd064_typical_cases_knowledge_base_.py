"""typical cases, knowledge base, questionnaires and self-assessments

Revision ID: d0fda5efd064
Revises: 4715e5f8c44f
Create Date: 2026-12-04 18:07:31.171236

"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


# revision identifiers, used by Alembic.
revision = 'd0fda5efd064'
down_revision = '4715e5f8c44f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('knowledge_articles',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('guide', 'legal_interpretation', name='article_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(body_zh) <= 20000 AND length(body_en) <= 20000', name=op.f('ck_knowledge_articles_body_bounded')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_knowledge_articles_slug'))
    )
    op.create_table('questionnaires',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_questionnaires_version_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_questionnaires_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires')),
    sa.UniqueConstraint('key', 'version', name='one_per_version')
    )
    op.create_table('self_assessments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Uuid(), nullable=False),
    sa.Column('submitted_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 100', name=op.f('ck_self_assessments_score_percent')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_self_assessments_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_self_assessments_questionnaire_id_questionnaires')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_self_assessments_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessments'))
    )
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_self_assessments_org', ['organisation_id', 'submitted_at'], unique=False)

    op.create_table('typical_cases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'published', 'unpublished', name='typical_case_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('summary_zh', sa.Text(), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=True),
    sa.Column('infringing_acts', sa.JSON(), nullable=False),
    sa.Column('industry', sa.Enum('integrated_circuits', 'biomedicine', 'artificial_intelligence', 'electronic_information', 'life_health', 'automotive', 'high_end_equipment', 'advanced_materials', 'fashion_consumer_goods', 'other', name='industry', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('track', sa.Enum('administrative', 'criminal', 'civil', name='track', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('drafted_by_id', sa.Uuid(), nullable=False),
    sa.Column('drafted_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Uuid(), nullable=True),
    sa.Column('published_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unpublished_by_id', sa.Uuid(), nullable=True),
    sa.Column('unpublished_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unpublish_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("state <> 'unpublished' OR unpublished_at IS NOT NULL", name=op.f('ck_typical_cases_unpublished_has_time')),
    sa.CheckConstraint("state = 'draft' OR (approved_by_id IS NOT NULL AND published_at IS NOT NULL)", name=op.f('ck_typical_cases_published_was_approved')),
    sa.CheckConstraint('approved_by_id IS NULL OR approved_by_id <> drafted_by_id', name=op.f('ck_typical_cases_approver_not_drafter')),
    sa.CheckConstraint('length(summary_zh) <= 20000', name=op.f('ck_typical_cases_summary_zh_bounded')),
    sa.CheckConstraint('summary_en IS NULL OR length(summary_en) <= 20000', name=op.f('ck_typical_cases_summary_en_bounded')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_typical_cases_approved_by_id_users')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_typical_cases_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['users.id'], name=op.f('fk_typical_cases_drafted_by_id_users')),
    sa.ForeignKeyConstraint(['unpublished_by_id'], ['users.id'], name=op.f('fk_typical_cases_unpublished_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_typical_cases'))
    )
    with op.batch_alter_table('typical_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typical_cases_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_cases_published_at'), ['published_at'], unique=False)



def downgrade():
    with op.batch_alter_table('typical_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typical_cases_published_at'))
        batch_op.drop_index(batch_op.f('ix_typical_cases_complaint_id'))

    op.drop_table('typical_cases')
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_self_assessments_org')

    op.drop_table('self_assessments')
    op.drop_table('questionnaires')
    op.drop_table('knowledge_articles')
