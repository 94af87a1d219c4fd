"""equality monitoring: each scheme's optional questions (its pack's [equality] table), the
counts of answers, and a marker per person and scheme that they have been through them

Existing schemes ask no questions until their packs are loaded again.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 08:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('equality', sa.JSON(), nullable=False,
                                      server_default='{}'))
    op.create_table(
        'equality_done',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('scheme_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'],
                                name=op.f('fk_equality_done_scheme_id_scheme'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_equality_done_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'scheme_id', name=op.f('pk_equality_done')),
    )
    with op.batch_alter_table('equality_done', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equality_done_scheme_id'), ['scheme_id'],
                              unique=False)
    op.create_table(
        'equality_count',
        sa.Column('scheme_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('question', sa.String(length=40), nullable=False),
        sa.Column('answer', sa.String(length=100), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'],
                                name=op.f('fk_equality_count_scheme_id_scheme'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('scheme_id', 'role', 'question', 'answer',
                                name=op.f('pk_equality_count')),
    )


def downgrade():
    op.drop_table('equality_count')
    with op.batch_alter_table('equality_done', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equality_done_scheme_id'))
    op.drop_table('equality_done')
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.drop_column('equality')
