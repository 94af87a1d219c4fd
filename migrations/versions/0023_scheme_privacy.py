"""scheme privacy: each scheme's privacy notice facts from its pack's [privacy] table
(controller, contact, lawful basis)

Existing schemes start with none: their notice uses the defaults until their packs are loaded
again.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 05:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.drop_column('privacy')
