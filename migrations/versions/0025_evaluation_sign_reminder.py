"""evaluation sign reminder: the one reminder to sign a version of the evaluation both people
sign, a week after it was made, one row per person with a unique key

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evaluation_sign_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('signoff_id', sa.Integer(), nullable=False),
        sa.Column('party', sa.String(length=10), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['signoff_id'], ['evaluation_signoff.id'],
                                name=op.f('fk_evaluation_sign_reminder_signoff_id_evaluation_signoff'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_sign_reminder')),
        sa.UniqueConstraint('signoff_id', 'party',
                            name=op.f('uq_evaluation_sign_reminder_signoff_id')),
    )


def downgrade():
    op.drop_table('evaluation_sign_reminder')
