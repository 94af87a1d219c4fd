"""mentee's work: job title, organisation and grade, shown to the mentors they ask

Given with a mentee's chemistry call request (and kept for the next one); empty for everyone
until then.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 00:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('organisation', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('grade', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('grade')
        batch_op.drop_column('organisation')
        batch_op.drop_column('job_title')
