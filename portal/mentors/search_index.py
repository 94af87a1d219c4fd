"""The mentor search index: its DDL and triggers, on SQLite and PostgreSQL.

The index lives in the database and is kept in step by the database itself (triggers, a generated
column), so rows written by any path (the pages, demo data, a bulk loader) are searchable at once:

- SQLite: an external-content FTS5 table over mentor_profile.
- PostgreSQL: a generated, weighted tsvector column with a GIN index.

Expertise areas live in their own table; triggers on it copy them into
``mentor_profile.expertise_text``, and that change re-indexes the profile.
``install_index`` is the one place the dialect-specific DDL is written: the migrations call it,
and so does create_all (through an after_create event in models.py). Searching the index is
portal.mentors.search's business; this module knows nothing of the models, so they can import it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

#: Indexed text columns of mentor_profile, with their weight class: A and B are the first two
#: ranking tiers (and PostgreSQL's tsvector weights). A match in the job title or expertise
#: says much more than one in the background, where almost any word can turn up.
INDEXED = (
    ("display_name", "A"),
    ("job_title", "A"),
    ("expertise_text", "A"),
    ("organisation", "B"),
    ("offer", "B"),
    ("location", "C"),
    ("background", "C"),
    ("experience", "C"),
)
#: The columns of the first two tiers, indexed on their own as well: then the first tiers read
#: only the profiles with the words in these columns, not every profile with the words.
TIER_COLUMNS = tuple(name for name, weight in INDEXED if weight in "AB")
FTS_TABLE = "mentor_profile_fts"
FTS_TIERS = "mentor_profile_fts_tiers"
PG_VECTOR = "search_vector"
PG_INDEX = "ix_mentor_profile_search_vector"
PG_TIERS_VECTOR = "search_vector_tiers"
PG_TIERS_INDEX = "ix_mentor_profile_search_vector_tiers"
#: PostgreSQL checks a word's weight on the row, not in the index, so the first tier has a
#: vector of its own: the name, job title and expertise.
PG_FIRST_VECTOR = "search_vector_first"
PG_FIRST_INDEX = "ix_mentor_profile_search_vector_first"
#: The parts of the index, each installed by its own migration: the words of every profile
#: (0002), and the words of the tier columns (0005).
WORDS, TIER_WORDS = "words", "tiers"
PG_FUNCTION = "mentor_profile_refresh_expertise"
#: On SQLite, the lengths of word starts FTS5 also indexes on their own. A word's family is
#: matched by the start all its members share ("lead" for leader, leading and leadership: see
#: portal.mentors.search.family), and without an index of starts FTS5 gathers every match of
#: every word with that start before returning the first one: 4-8 ms for a common start at
#: 100,000 profiles, for each tier. With one, it reads the start's own list, in 0.1 ms. Family
#: bases are at least four letters long and seldom more than ten. The index is about 2.7 times
#: the size of one without (about 125 MB more at 100,000 profiles).
FTS_PREFIXES = "4 5 6 7 8 9 10"
_SQLITE_TRIGGERS = ("mentor_profile_fts_ai", "mentor_profile_fts_ad", "mentor_profile_fts_au",
                    "profile_expertise_search_ai", "profile_expertise_search_ad",
                    "profile_expertise_search_au")
_PG_TRIGGERS = ("profile_expertise_search_ins", "profile_expertise_search_del",
                "profile_expertise_search_upd")


# --- the index -----------------------------------------------------------------------------------

def is_index_object(name: str | None) -> bool:
    """Whether a table, column or index belongs to the search index rather than to the models
    (so Alembic's autogenerate leaves it alone)."""
    return bool(name) and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
                           or name in (PG_VECTOR, PG_INDEX, PG_TIERS_VECTOR, PG_TIERS_INDEX,
                                       PG_FIRST_VECTOR, PG_FIRST_INDEX))


def install_index(connection: sa.Connection, parts: Sequence[str] = (WORDS, TIER_WORDS), *,
                  prefixes: str | None = FTS_PREFIXES) -> None:
    """Create the search index, its triggers, and fill it from the rows already there.
    ``prefixes``: the word starts SQLite also indexes (``FTS_PREFIXES``; None for none)."""
    sqlite = connection.dialect.name == "sqlite"
    statements = []
    if WORDS in parts:
        statements += _sqlite_install(prefixes) if sqlite else _pg_install()
    if TIER_WORDS in parts:
        statements += _sqlite_install_tiers(prefixes) if sqlite else _pg_install_tiers()
    for statement in statements:
        connection.exec_driver_sql(statement)


def remove_index(connection: sa.Connection, parts: Sequence[str] = (WORDS, TIER_WORDS)) -> None:
    """Drop everything ``install_index`` made."""
    statements = []
    if connection.dialect.name == "sqlite":
        if TIER_WORDS in parts:
            statements += [f"DROP TRIGGER IF EXISTS {FTS_TIERS}_{event}"
                           for event in ("ai", "ad", "au")]
            statements.append(f"DROP TABLE IF EXISTS {FTS_TIERS}")
        if WORDS in parts:
            statements += [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]
            statements.append(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    else:
        if TIER_WORDS in parts:
            statements += [f"DROP INDEX IF EXISTS {index}" for index in (PG_TIERS_INDEX,
                                                                           PG_FIRST_INDEX)]
            statements += [f"ALTER TABLE mentor_profile DROP COLUMN IF EXISTS {column}"
                           for column in (PG_TIERS_VECTOR, PG_FIRST_VECTOR)]
        if WORDS in parts:
            statements += [f"DROP TRIGGER IF EXISTS {name} ON profile_expertise"
                           for name in _PG_TRIGGERS]
            statements += [f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()",
                           f"DROP INDEX IF EXISTS {PG_INDEX}",
                           f"ALTER TABLE mentor_profile DROP COLUMN IF EXISTS {PG_VECTOR}"]
    for statement in statements:
        connection.exec_driver_sql(statement)


def _fts5_options(prefixes: str | None) -> str:
    return ("content='mentor_profile', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2'"
            + (f", prefix='{prefixes}'" if prefixes else ""))


def _sqlite_install_tiers(prefixes: str | None) -> list[str]:
    cols = ", ".join(TIER_COLUMNS)
    old = ", ".join(f"old.{c}" for c in TIER_COLUMNS)
    new = ", ".join(f"new.{c}" for c in TIER_COLUMNS)
    delete_old = (f"INSERT INTO {FTS_TIERS}({FTS_TIERS}, rowid, {cols}) "
                  f"VALUES ('delete', old.id, {old});")
    insert_new = f"INSERT INTO {FTS_TIERS}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {FTS_TIERS} USING fts5({cols}, {_fts5_options(prefixes)})",
        f"INSERT INTO {FTS_TIERS}({FTS_TIERS}) VALUES ('rebuild')",
        f"CREATE TRIGGER {FTS_TIERS}_ai AFTER INSERT ON mentor_profile BEGIN {insert_new} END",
        f"CREATE TRIGGER {FTS_TIERS}_ad AFTER DELETE ON mentor_profile BEGIN {delete_old} END",
        f"CREATE TRIGGER {FTS_TIERS}_au AFTER UPDATE OF {cols} ON mentor_profile "
        f"BEGIN {delete_old} {insert_new} END",
    ]


def _pg_install_tiers() -> list[str]:
    statements = []
    for column, index, weights in ((PG_TIERS_VECTOR, PG_TIERS_INDEX, "AB"),
                                   (PG_FIRST_VECTOR, PG_FIRST_INDEX, "A")):
        vector = " || ".join(f"to_tsvector('english', coalesce({name}, ''))"
                             for name, weight in INDEXED if weight in weights)
        statements += [f"ALTER TABLE mentor_profile ADD COLUMN {column} tsvector "
                       f"GENERATED ALWAYS AS ({vector}) STORED",
                       f"CREATE INDEX {index} ON mentor_profile USING gin ({column})"]
    return statements


def _expertise_of(profile_id: str, *, pg: bool) -> str:
    aggregate = "string_agg(area, ', ' ORDER BY area)" if pg else "group_concat(area, ', ')"
    return (f"coalesce((SELECT {aggregate} FROM profile_expertise "
            f"WHERE profile_expertise.profile_id = {profile_id}), '')")


def _sqlite_install(prefixes: str | None) -> list[str]:
    columns = [name for name, _ in INDEXED]
    cols = ", ".join(columns)
    old = ", ".join(f"old.{c}" for c in columns)
    new = ", ".join(f"new.{c}" for c in columns)
    delete_old = (f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) "
                  f"VALUES ('delete', old.id, {old});")
    insert_new = f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.id, {new});"

    every_profile = _expertise_of("mentor_profile.id", pg=False)

    def refresh(ref: str) -> str:
        return (f"UPDATE mentor_profile SET expertise_text = {_expertise_of(ref, pg=False)} "
                f"WHERE id = {ref};")

    return [
        # External content: the text stays in mentor_profile; FTS5 keeps only the index.
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, {_fts5_options(prefixes)})",
        # Fill before the triggers exist: the 'delete' in the update trigger needs indexed rows.
        f"UPDATE mentor_profile SET expertise_text = {every_profile}",
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
        f"CREATE TRIGGER mentor_profile_fts_ai AFTER INSERT ON mentor_profile "
        f"BEGIN {insert_new} END",
        f"CREATE TRIGGER mentor_profile_fts_ad AFTER DELETE ON mentor_profile "
        f"BEGIN {delete_old} END",
        f"CREATE TRIGGER mentor_profile_fts_au AFTER UPDATE OF {cols} ON mentor_profile "
        f"BEGIN {delete_old} {insert_new} END",
        "CREATE TRIGGER profile_expertise_search_ai AFTER INSERT ON profile_expertise "
        f"BEGIN {refresh('new.profile_id')} END",
        "CREATE TRIGGER profile_expertise_search_ad AFTER DELETE ON profile_expertise "
        f"BEGIN {refresh('old.profile_id')} END",
        "CREATE TRIGGER profile_expertise_search_au AFTER UPDATE ON profile_expertise "
        f"BEGIN {refresh('old.profile_id')} {refresh('new.profile_id')} END",
    ]


def _pg_install() -> list[str]:
    vector = " || ".join(
        f"setweight(to_tsvector('english', coalesce({name}, '')), '{weight}')"
        for name, weight in INDEXED
    )
    every_profile = _expertise_of("mentor_profile.id", pg=True)
    refresh = (f"UPDATE mentor_profile SET expertise_text = {every_profile} "
               "WHERE mentor_profile.id IN (SELECT profile_id FROM {rows})")
    both = "(SELECT profile_id FROM old_rows UNION SELECT profile_id FROM new_rows) AS changed"
    # Statement-level triggers with transition tables: a bulk insert of expertise rows
    # refreshes each profile once, not once per row.
    function = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {refresh.format(rows="new_rows")};
  ELSIF TG_OP = 'DELETE' THEN
    {refresh.format(rows="old_rows")};
  ELSE
    {refresh.format(rows=both)};
  END IF;
  RETURN NULL;
END
$$"""
    return [
        f"UPDATE mentor_profile SET expertise_text = {every_profile}",
        f"ALTER TABLE mentor_profile ADD COLUMN {PG_VECTOR} tsvector "
        f"GENERATED ALWAYS AS ({vector}) STORED",
        f"CREATE INDEX {PG_INDEX} ON mentor_profile USING gin ({PG_VECTOR})",
        function,
        "CREATE TRIGGER profile_expertise_search_ins AFTER INSERT ON profile_expertise "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
        "CREATE TRIGGER profile_expertise_search_del AFTER DELETE ON profile_expertise "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
        "CREATE TRIGGER profile_expertise_search_upd AFTER UPDATE ON profile_expertise "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
    ]
