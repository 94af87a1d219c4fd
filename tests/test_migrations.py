"""The schema is made only by migrations: they build exactly the models, and undo cleanly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from portal.extensions import db
from tests.conftest import PG_URL, make_app


@pytest.fixture
def empty_database(tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(PG_URL)
    name = f"{url.database}_migrations"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_build_the_models_and_downgrade_to_empty(tmp_path, empty_database):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={
                "compare_type": True, "render_as_batch": True}), db.metadata)
        # Search-index objects (FTS tables, triggers) are made by migrations and are not models.
        diff = [d for d in diff if not _is_search_index(d)]
        assert diff == [], f"models and migrations differ: {diff}"
        assert {t.name for t in db.metadata.sorted_tables} <= _tables(db.engine)

        downgrade(revision="base")
        assert _tables(db.engine) == set()
        db.session.remove()
        db.engine.dispose()


def _is_search_index(diff) -> bool:
    text = repr(diff)
    return "fts" in text.lower() or "search" in text.lower()
