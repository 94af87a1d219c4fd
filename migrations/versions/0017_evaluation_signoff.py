"""evaluation sign-off: where a scheme's pack has both people sign the end-of-mentoring
evaluation together, each version of the signed text and each person's signature on it

Both tables start empty: a pair's signed evaluation is made when the second person sends their
answers, from now on.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_signoff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], name=op.f('fk_evaluation_signoff_relationship_id_relationship'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'], name=op.f('fk_evaluation_signoff_scheme_id_scheme')),
    sa.ForeignKeyConstraint(['voided_by_id'], ['user.id'], name=op.f('fk_evaluation_signoff_voided_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_signoff')),
    sa.UniqueConstraint('relationship_id', 'number', name=op.f('uq_evaluation_signoff_relationship_id'))
    )
    with op.batch_alter_table('evaluation_signoff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_signoff_reference'), ['reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_signoff_relationship_id'), ['relationship_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_signoff_scheme_id'), ['scheme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_signoff_sha256'), ['sha256'], unique=False)

    op.create_table('evaluation_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signoff_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=10), nullable=False),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=500), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['signoff_id'], ['evaluation_signoff.id'], name=op.f('fk_evaluation_signature_signoff_id_evaluation_signoff'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_evaluation_signature_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_signature')),
    sa.UniqueConstraint('signoff_id', 'party', name=op.f('uq_evaluation_signature_signoff_id'))
    )
    with op.batch_alter_table('evaluation_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_signature_signoff_id'), ['signoff_id'], unique=False)


def downgrade():
    op.drop_table('evaluation_signature')
    op.drop_table('evaluation_signoff')
