"""call follow-up: one row per "How did your call go?" email sent after a chemistry call

The follow-up command sends each person a first email once the call's end time has passed and
one reminder three days later; a row per email, unique by call, person and number, makes the
command safe to run twice at once. A new time for the call deletes its rows.

"We did not meet" is a new value of the decision columns (mentor_decision, mentee_decision).
They are VARCHAR(20) without a CHECK constraint, so the new value needs no change to them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chemistry_call_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=10), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['chemistry_call.id'], name=op.f('fk_chemistry_call_follow_up_call_id_chemistry_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chemistry_call_follow_up')),
    sa.UniqueConstraint('call_id', 'party', 'number', name='uq_chemistry_call_follow_up_once')
    )


def downgrade():
    # The earlier code knows only "yes" and "no": a "did not meet" becomes "not answered yet".
    for party in ('mentor', 'mentee'):
        op.execute(f"UPDATE chemistry_call SET {party}_decision = NULL, "
                   f"{party}_decided_at = NULL WHERE {party}_decision = 'did_not_meet'")
    op.drop_table('chemistry_call_follow_up')
