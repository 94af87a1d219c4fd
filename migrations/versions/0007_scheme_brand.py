"""scheme brand: each scheme's organisation name, logo and colour from its pack

Existing schemes get an empty brand (the portal's own look) until `flask schemes load` runs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 23:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # A plain string server default, as in 0006: SQLite adds the column in place.
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brand', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.drop_column('brand')
