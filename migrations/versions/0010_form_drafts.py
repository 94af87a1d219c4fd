"""form drafts: what people type into a mentor profile or an agreement's terms, kept as they type

So that nothing typed is lost when a session ends before the form is saved. The form's real
save deletes its draft. The table starts empty.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=80), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_form_draft_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_draft')),
    sa.UniqueConstraint('user_id', 'form', name='uq_form_draft_user_id')
    )


def downgrade():
    op.drop_table('form_draft')
