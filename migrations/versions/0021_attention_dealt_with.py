"""attention dealt with: the items of a scheme's "Needs attention" list that an administrator
has marked as dealt with (notes for the scheme, "we need help" check-ins)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attention_dealt_with',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scheme_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('dealt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('dealt_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'],
                                name=op.f('fk_attention_dealt_with_scheme_id_scheme'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['dealt_by_id'], ['user.id'],
                                name=op.f('fk_attention_dealt_with_dealt_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attention_dealt_with')),
        sa.UniqueConstraint('kind', 'subject_id',
                            name=op.f('uq_attention_dealt_with_kind')),
    )


def downgrade():
    op.drop_table('attention_dealt_with')
