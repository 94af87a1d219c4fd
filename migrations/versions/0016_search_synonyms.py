"""search synonyms: each scheme's abbreviations and the words they stand for, from its pack's
[search] table

Empty for every scheme until its pack is loaded again (`flask schemes load`).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 02:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        # A plain string server default, as in 0007: SQLite adds the column in place.
        batch_op.add_column(sa.Column('search_synonyms', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade():
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.drop_column('search_synonyms')
