"""chemistry calls: requests, proposed times, line manager approvals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:21:26.088282

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('line_manager_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('manager_name', sa.String(length=200), nullable=False),
    sa.Column('manager_email', sa.String(length=254), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'declined', 'replaced', name='approvalstate', native_enum=False, length=20), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['mentee_id'], ['user.id'], name=op.f('fk_line_manager_approval_mentee_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'], name=op.f('fk_line_manager_approval_scheme_id_scheme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_line_manager_approval'))
    )
    with op.batch_alter_table('line_manager_approval', schema=None) as batch_op:
        batch_op.create_index('ix_line_manager_approval_mentee_scheme', ['mentee_id', 'scheme_id'], unique=False)

    op.create_table('chemistry_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('requested', 'accepted', 'declined', 'withdrawn', 'expired', 'cancelled', 'matched', 'not_taken_forward', name='callstate', native_enum=False, length=20), nullable=False),
    sa.Column('hopes', sa.Text(), nullable=False),
    sa.Column('experience', sa.Text(), nullable=False),
    sa.Column('flexible', sa.Boolean(), nullable=False),
    sa.Column('preferred_format', sa.Enum('video', 'phone', 'in_person', 'any', name='callformat', native_enum=False, length=20), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('meeting_details', sa.Text(), nullable=False),
    sa.Column('invite_uid', sa.String(length=200), nullable=True),
    sa.Column('invite_sequence', sa.Integer(), nullable=False),
    sa.Column('decline_reason', sa.Enum('no_time', 'not_a_match', 'full', 'other', name='declinereason', native_enum=False, length=20), nullable=True),
    sa.Column('decline_note', sa.Text(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('mentor_decision', sa.Enum('yes', 'no', name='decision', native_enum=False, length=20), nullable=True),
    sa.Column('mentor_decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mentor_reason', sa.Text(), nullable=False),
    sa.Column('mentee_decision', sa.Enum('yes', 'no', name='decision', native_enum=False, length=20), nullable=True),
    sa.Column('mentee_decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mentee_reason', sa.Text(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ended_by_id'], ['user.id'], name=op.f('fk_chemistry_call_ended_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentee_id'], ['user.id'], name=op.f('fk_chemistry_call_mentee_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['user.id'], name=op.f('fk_chemistry_call_mentor_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['mentor_profile.id'], name=op.f('fk_chemistry_call_profile_id_mentor_profile'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], name=op.f('fk_chemistry_call_relationship_id_relationship'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'], name=op.f('fk_chemistry_call_scheme_id_scheme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chemistry_call'))
    )
    with op.batch_alter_table('chemistry_call', schema=None) as batch_op:
        batch_op.create_index('ix_chemistry_call_mentee_state', ['mentee_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_chemistry_call_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chemistry_call_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chemistry_call_scheme_id'), ['scheme_id'], unique=False)
        batch_op.create_index('ix_chemistry_call_state_requested', ['state', 'requested_at'], unique=False)

    op.create_table('chemistry_call_time',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['chemistry_call.id'], name=op.f('fk_chemistry_call_time_call_id_chemistry_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chemistry_call_time'))
    )
    with op.batch_alter_table('chemistry_call_time', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chemistry_call_time_call_id'), ['call_id'], unique=False)


def downgrade():
    with op.batch_alter_table('chemistry_call_time', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chemistry_call_time_call_id'))

    op.drop_table('chemistry_call_time')
    with op.batch_alter_table('chemistry_call', schema=None) as batch_op:
        batch_op.drop_index('ix_chemistry_call_state_requested')
        batch_op.drop_index(batch_op.f('ix_chemistry_call_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_chemistry_call_profile_id'))
        batch_op.drop_index(batch_op.f('ix_chemistry_call_mentor_id'))
        batch_op.drop_index('ix_chemistry_call_mentee_state')

    op.drop_table('chemistry_call')
    with op.batch_alter_table('line_manager_approval', schema=None) as batch_op:
        batch_op.drop_index('ix_line_manager_approval_mentee_scheme')

    op.drop_table('line_manager_approval')
