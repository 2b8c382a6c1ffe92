"""conversations: the messages between a complaint's enterprise and its centre, and their attachments
(kept encrypted in the evidence vault, apart from the complaint's evidence)

Revision ID: c0a7e9d3b1f6
Revises: f3c9a2d7e1b6
Create Date: 2026-12-03 12:20:54
"""
from alembic import op
import sqlalchemy as sa

import core.models  # the UTCDateTime column type


# revision identifiers, used by Alembic.
revision = 'c0a7e9d3b1f6'
down_revision = 'f3c9a2d7e1b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('conversation_messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('side', sa.Enum('enterprise', 'centre', name='message_side', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(body) <= 5000', name=op.f('ck_conversation_messages_body_bounded')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_conversation_messages_author_id_users')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_conversation_messages_complaint_id_complaints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_messages'))
    )
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_messages_complaint', ['complaint_id', 'created_at', 'id'], unique=False)

    op.create_table('conversation_attachments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('message_id', sa.Uuid(), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('damage_reported_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('size > 0', name=op.f('ck_conversation_attachments_attachment_not_empty')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_conversation_attachments_complaint_id_complaints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['conversation_messages.id'], name=op.f('fk_conversation_attachments_message_id_conversation_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_conversation_attachments_storage_key'))
    )
    with op.batch_alter_table('conversation_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_attachments_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_attachments_message_id'), ['message_id'], unique=False)



def downgrade():
    with op.batch_alter_table('conversation_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_attachments_message_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_attachments_complaint_id'))

    op.drop_table('conversation_attachments')
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_messages_complaint')

    op.drop_table('conversation_messages')
