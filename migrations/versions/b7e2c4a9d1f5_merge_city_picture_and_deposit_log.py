"""joins the revisions of the city's picture (dashboard, assessment, satisfaction, clue linking) and of the
deposit log, receipts, publication and registry, each written on 4715e5f8c44f

Revision ID: b7e2c4a9d1f5
Revises: 1e1f617221bf,4a6a06992271,55eaa9eaa803,65c2ccb7f1e6,695d64557515,812340dec0e7,8db0a3369de5,d0fda5efd064
Create Date: 2026-12-04 19:00:00
"""

# revision identifiers, used by Alembic.
revision = 'b7e2c4a9d1f5'
down_revision = ('1e1f617221bf','4a6a06992271','55eaa9eaa803','65c2ccb7f1e6','695d64557515','812340dec0e7','8db0a3369de5','d0fda5efd064')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
