"""mentor profiles: index a scheme's published profiles in name order

Searches without words list a scheme's published profiles by name, a page at a time. With an
index on (scheme_id, state) only, the database sorted every published profile of the scheme for
each page (70-80 ms at 100,000 profiles); with the name in the index it reads one page's rows
in order. The new index serves every use of the old one, so the old one goes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE/DROP INDEX, not batch mode: a batch rebuild of mentor_profile on SQLite would
    # drop the search index's triggers.
    op.create_index('ix_mentor_profile_scheme_state_name', 'mentor_profile',
                    ['scheme_id', 'state', 'display_name', 'id'], unique=False)
    op.drop_index('ix_mentor_profile_scheme_state', table_name='mentor_profile')


def downgrade():
    op.create_index('ix_mentor_profile_scheme_state', 'mentor_profile', ['scheme_id', 'state'],
                    unique=False)
    op.drop_index('ix_mentor_profile_scheme_state_name', table_name='mentor_profile')
