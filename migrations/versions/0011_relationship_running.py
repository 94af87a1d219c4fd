"""the running relationship: sessions, action plans, review check-ins, reminders

Sessions are booked (with a calendar invitation) or logged afterwards; actions are recorded
against the agreement's goals; check-ins ask each person how it is going on the review date;
relationship_reminder holds one row per reminder or nudge sent, so the sweeps that send them are
idempotent. scheme.running holds each pack's settings for all this (empty: the defaults). The
new tables start empty.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('mentor_answer', sa.Enum('on_track', 'need_help', 'want_to_end', name='checkinanswer', native_enum=False, length=20), nullable=True),
    sa.Column('mentor_answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mentee_answer', sa.Enum('on_track', 'need_help', 'want_to_end', name='checkinanswer', native_enum=False, length=20), nullable=True),
    sa.Column('mentee_answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], name=op.f('fk_check_in_relationship_id_relationship'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
    sa.UniqueConstraint('relationship_id', 'kind', name=op.f('uq_check_in_relationship_id'))
    )
    op.create_table('mentoring_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('booked', 'held', 'not_held', 'cancelled', name='sessionstate', native_enum=False, length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('format', sa.Enum('in_person', 'video', 'phone', name='sessionformat', native_enum=False, length=20), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invite_uid', sa.String(length=200), nullable=True),
    sa.Column('invite_sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('late_notice', sa.Boolean(), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('held_minutes', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booked_by_id'], ['user.id'], name=op.f('fk_mentoring_session_booked_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'], name=op.f('fk_mentoring_session_cancelled_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['logged_by_id'], ['user.id'], name=op.f('fk_mentoring_session_logged_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], name=op.f('fk_mentoring_session_relationship_id_relationship'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_session'))
    )
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentoring_session_relationship_id'), ['relationship_id'], unique=False)
        batch_op.create_index('ix_mentoring_session_state_starts', ['state', 'starts_at'], unique=False)

    op.create_table('relationship_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], name=op.f('fk_relationship_reminder_relationship_id_relationship'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationship_reminder')),
    sa.UniqueConstraint('relationship_id', 'kind', 'key', name=op.f('uq_relationship_reminder_relationship_id'))
    )
    op.create_table('action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('goal', sa.String(length=300), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('owner', sa.Enum('mentee', 'mentor', 'both', name='actionowner', native_enum=False, length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_action_item_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], name=op.f('fk_action_item_done_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], name=op.f('fk_action_item_relationship_id_relationship'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['mentoring_session.id'], name=op.f('fk_action_item_session_id_mentoring_session'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item'))
    )
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_relationship_id'), ['relationship_id'], unique=False)

    with op.batch_alter_table('scheme', schema=None) as batch_op:
        # A plain string server default, as in 0007: SQLite adds the column in place.
        batch_op.add_column(sa.Column('running', sa.JSON(), nullable=False, server_default='{}'))



def downgrade():
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.drop_column('running')

    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_item_relationship_id'))

    op.drop_table('action_item')
    op.drop_table('relationship_reminder')
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        batch_op.drop_index('ix_mentoring_session_state_starts')
        batch_op.drop_index(batch_op.f('ix_mentoring_session_relationship_id'))

    op.drop_table('mentoring_session')
    op.drop_table('check_in')
