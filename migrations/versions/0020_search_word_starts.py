"""search: on SQLite, an index of word starts, so that a word's family is found quickly

A search word matches its family through the start they share ("lead" for leader, leading and
leadership). Without an index of starts, FTS5 gathered every match of every word with that start
before returning the first, which made common words several milliseconds slower at 100,000
profiles (portal.mentors.search_index.FTS_PREFIXES). The SQLite index is built again with the
starts; PostgreSQL's GIN indexes find word starts as they are, so nothing changes there.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 05:00:00

"""
from alembic import op

from portal.mentors.search_index import install_index, remove_index


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        remove_index(connection)
        install_index(connection)


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        remove_index(connection)
        install_index(connection, prefixes=None)
