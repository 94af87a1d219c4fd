"""mentor search: an index of the ranking tiers' columns, and profiles in name order

Search ranks matches in tiers by where the words are (portal.mentors.search). The first two
tiers read their own index of the name, job title, expertise, organisation and offer columns,
so a common word rare in those columns no longer means checking every profile that has it
(install_index, part "tiers": an FTS5 table on SQLite; on PostgreSQL, tsvector columns for
the first tier and for the first two, each with its GIN index, as PostgreSQL checks a
weight on the row rather than in the index).

Searches without words list a scheme's published profiles by name, a page at a time. With an
index on (scheme_id, state) only, the database sorted every published profile of the scheme for
each page (70-80 ms at 100,000 profiles); with the name in the index it reads one page's rows
in order. The new index serves every use of the old one, so the old one goes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:25:00

"""
from alembic import op

from portal.mentors.search_index import TIER_WORDS, install_index, remove_index


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
    install_index(op.get_bind(), parts=[TIER_WORDS])


def downgrade():
    remove_index(op.get_bind(), parts=[TIER_WORDS])
    op.create_index('ix_mentor_profile_scheme_state', 'mentor_profile', ['scheme_id', 'state'],
                    unique=False)
    op.drop_index('ix_mentor_profile_scheme_state_name', table_name='mentor_profile')
