"""mail worker heartbeat: each worker process stamps a row as it goes round its loop

/health compares the latest stamp with the mail waiting to be sent, so monitoring can tell a
stalled outbox (mail due, no worker seen) from a busy one. The table starts empty.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_worker_heartbeat',
    sa.Column('id', sa.String(length=300), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_worker_heartbeat'))
    )
    with op.batch_alter_table('mail_worker_heartbeat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_worker_heartbeat_seen_at'), ['seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_worker_heartbeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_worker_heartbeat_seen_at'))

    op.drop_table('mail_worker_heartbeat')
