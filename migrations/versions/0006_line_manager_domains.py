"""line manager domains: the organisations a scheme's line managers' addresses must be at

A scheme pack may list domains (line_manager_domains); a mentee can then ask only a line manager
whose address is at one of them. Existing schemes get an empty list: any address that is not
the mentee's own, as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # The server default fills existing rows (the column is NOT NULL); the model sets [] itself.
    # A plain string, not sa.text(): batch mode then adds the column in place on SQLite rather
    # than rebuilding the scheme table, which every other table refers to.
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_manager_domains', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade():
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.drop_column('line_manager_domains')
