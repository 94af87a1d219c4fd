"""emailed links carry a random reference: what each link is for is kept here

A link's token was its payload (the record's ids and state) signed; now it is a short random
reference, signed, and this table holds the payload under the reference's SHA-256. used_token
stays while links of the earlier format can still be in inboxes. The table starts empty.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('emailed_link',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_emailed_link'))
    )
    with op.batch_alter_table('emailed_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emailed_link_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('emailed_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emailed_link_created_at'))
    op.drop_table('emailed_link')
