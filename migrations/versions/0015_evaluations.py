"""evaluations: each person's answers to their scheme's evaluation questions, and the one
reminder about each

Both tables start empty: evaluations open when a relationship ends (and, where a pack says, on
the review date and after the end), from now on.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.Enum('end', 'midpoint', 'follow_up', name='evaluationkind', native_enum=False, length=20), nullable=False),
    sa.Column('state', sa.Enum('open', 'submitted', name='evaluationstate', native_enum=False, length=20), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], name=op.f('fk_evaluation_relationship_id_relationship'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'], name=op.f('fk_evaluation_scheme_id_scheme')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_evaluation_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    sa.UniqueConstraint('relationship_id', 'party', 'kind', name=op.f('uq_evaluation_relationship_id'))
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_relationship_id'), ['relationship_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_scheme_id'), ['scheme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_reminder_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_reminder')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_evaluation_reminder_evaluation_id'))
    )


def downgrade():
    op.drop_table('evaluation_reminder')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_user_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_relationship_id'))

    op.drop_table('evaluation')
