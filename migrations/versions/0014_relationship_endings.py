"""relationship endings: how each ended (early or completed) and the reason's category

Both columns are empty for relationships that have not ended (and for the few that ended
before this: none could, as nothing set the state). An agreement whose relationship ends before
it is submitted becomes "withdrawn": the state column is a plain string, so no change here.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('relationship', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_kind', sa.Enum('ended_early', 'completed', name='endkind', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('end_category', sa.Enum('not_working', 'circumstances', 'goals_met', 'leaving', 'other', name='endcategory', native_enum=False, length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('relationship', schema=None) as batch_op:
        batch_op.drop_column('end_category')
        batch_op.drop_column('end_kind')
