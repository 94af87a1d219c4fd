"""invitations and leavers: an administrator's lists of people to invite as mentors or
mentees, one invitation per person, pending until its link is used; and a membership's
deactivation (a leaver), with its reason and the mentor profile's state before it

Both tables start empty; every membership starts active.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deactivation_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('profile_was', sa.String(length=20), nullable=True))

    op.create_table('invitation_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=43), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('mentor', 'mentee', 'admin', name='role', native_enum=False, length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('previewed', 'sent', name='uploadstate', native_enum=False, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'], name=op.f('fk_invitation_upload_scheme_id_scheme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_invitation_upload_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'], name=op.f('fk_invitation_upload_sent_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_upload')),
    sa.UniqueConstraint('key', name=op.f('uq_invitation_upload_key'))
    )
    with op.batch_alter_table('invitation_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_upload_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('mentor', 'mentee', 'admin', name='role', native_enum=False, length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('state', sa.Enum('pending', 'accepted', 'expired', name='invitationstate', native_enum=False, length=20), nullable=False),
    sa.Column('pending_key', sa.String(length=300), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['upload_id'], ['invitation_upload.id'], name=op.f('fk_invitation_upload_id_invitation_upload'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'], name=op.f('fk_invitation_scheme_id_scheme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_message.id'], name=op.f('fk_invitation_message_id_outbox_message'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_invitation_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('pending_key', name=op.f('uq_invitation_pending_key'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_upload_id'), ['upload_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_scheme_id'), ['scheme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_message_id'), ['message_id'], unique=False)


def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_message_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_upload_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('invitation_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_upload_scheme_id'))

    op.drop_table('invitation_upload')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('profile_was')
        batch_op.drop_column('deactivation_reason')
        batch_op.drop_column('deactivated_at')
