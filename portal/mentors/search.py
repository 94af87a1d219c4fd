"""Searching mentor profiles: the full-text index and the one entry point, ``search``.

The index lives in the database and is kept in step by the database itself (triggers, a generated
column), so rows written by any path (the pages, demo data, a bulk loader) are searchable at once:

- SQLite: an external-content FTS5 table over mentor_profile, ranked with bm25 column weights.
- PostgreSQL: a generated, weighted tsvector column with a GIN index, ranked with ts_rank.

Expertise areas live in their own table; triggers on it copy them into
``mentor_profile.expertise_text``, and that change re-indexes the profile.
``install_index`` is the one place the dialect-specific DDL is written: the migration calls it,
and so does create_all (through an after_create event in models.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import defer, lazyload, selectinload

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.mentors.models import (
    MeetingFormat,
    MentorProfile,
    ProfileExpertise,
    ProfileState,
    Sector,
)

#: Indexed text columns of mentor_profile, with their weights (bm25 on SQLite; A to D on
#: PostgreSQL). A match in the job title or expertise counts for much more than one in the
#: background, where almost any word can turn up.
INDEXED = (
    # column, bm25 weight, PostgreSQL weight
    ("display_name", 10.0, "A"),
    ("job_title", 8.0, "A"),
    ("expertise_text", 8.0, "A"),
    ("organisation", 3.0, "B"),
    ("offer", 2.0, "B"),
    ("location", 2.0, "C"),
    ("background", 1.0, "C"),
    ("experience", 1.0, "C"),
)
FTS_TABLE = "mentor_profile_fts"
PG_VECTOR = "search_vector"
PG_INDEX = "ix_mentor_profile_search_vector"
PG_FUNCTION = "mentor_profile_refresh_expertise"
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
                           or name in (PG_VECTOR, PG_INDEX))


def install_index(connection: sa.Connection) -> None:
    """Create the search index, its triggers, and fill it from the rows already there."""
    statements = _sqlite_install() if connection.dialect.name == "sqlite" else _pg_install()
    for statement in statements:
        connection.exec_driver_sql(statement)


def remove_index(connection: sa.Connection) -> None:
    """Drop everything ``install_index`` made."""
    if connection.dialect.name == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]
        statements.append(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    else:
        statements = [f"DROP TRIGGER IF EXISTS {name} ON profile_expertise"
                      for name in _PG_TRIGGERS]
        statements += [f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()",
                       f"DROP INDEX IF EXISTS {PG_INDEX}",
                       f"ALTER TABLE mentor_profile DROP COLUMN IF EXISTS {PG_VECTOR}"]
    for statement in statements:
        connection.exec_driver_sql(statement)


def _expertise_of(profile_id: str, *, pg: bool) -> str:
    aggregate = "string_agg(area, ', ' ORDER BY area)" if pg else "group_concat(area, ', ')"
    return (f"coalesce((SELECT {aggregate} FROM profile_expertise "
            f"WHERE profile_expertise.profile_id = {profile_id}), '')")


def _sqlite_install() -> list[str]:
    columns = [name for name, _, _ in INDEXED]
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
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, content='mentor_profile', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
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
        for name, _, weight in INDEXED
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


# --- what people type ----------------------------------------------------------------------------

#: PostgreSQL's English stop words, dropped on both databases so that both find the same mentors.
_PG_ENGLISH_STOP_WORDS = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the
and but if or because as until while of at by for with about against between into through
during before after above below to from up down in out on off over under again further then
once here there when where why how all any both each few more most other some such no nor not
only own same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_PG_ENGLISH_STOP_WORDS.split())
_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 12


@dataclass(frozen=True)
class TextQuery:
    """Free text reduced to plain words: no operators, quotes or brackets reach the database."""

    terms: tuple[str, ...]
    #: The last word is still being typed, so it matches as a prefix ("financ" finds "finance").
    prefix: bool

    @classmethod
    def parse(cls, text: str) -> TextQuery:
        words = [w.lower()[:40] for w in _WORD.findall(text or "")]
        terms = tuple(dict.fromkeys(w for w in words if w not in STOP_WORDS))[:MAX_TERMS]
        still_typing = bool(terms) and bool(re.search(r"[^\W_]$", text or ""))
        return cls(terms, prefix=still_typing and len(terms[-1]) >= 3)

    def fts5(self) -> str:
        quoted = [f'"{term}"' for term in self.terms]
        if self.prefix:
            quoted[-1] += "*"
        return " ".join(quoted)

    def tsquery(self) -> str:
        parts = list(self.terms)
        if self.prefix:
            parts[-1] += ":*"
        return " & ".join(parts)


# --- the entry point -----------------------------------------------------------------------------

@dataclass
class Criteria:
    """What a mentee asked for. Empty values mean "any"."""

    text: str = ""
    scheme_id: int | None = None
    expertise: Sequence[str] = ()
    organisation: str = ""
    sector: Sector | None = None
    grade: str = ""
    meeting_format: MeetingFormat | None = None
    location: str = ""
    has_capacity: bool = False
    page: int = 1


@dataclass
class Page:
    """One page of results, best first."""

    results: list[MentorProfile]
    total: int
    page: int
    pages: int
    per_page: int
    ranked: bool = field(default=False)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.results else 0

    @property
    def last(self) -> int:
        return self.first + len(self.results) - 1 if self.results else 0


def search(criteria: Criteria, viewer: User, per_page: int = 20) -> Page:
    """Published profiles in the viewer's mentee schemes that match ``criteria``, best first."""
    profile = MentorProfile
    scheme_ids = viewer.scheme_ids(Role.MENTEE)
    if criteria.scheme_id is not None:
        scheme_ids = [s for s in scheme_ids if s == criteria.scheme_id]
    if not scheme_ids:
        return Page([], 0, 1, 1, per_page)

    conditions = [profile.scheme_id.in_(scheme_ids), profile.state == ProfileState.PUBLISHED,
                  profile.user_id != viewer.id]
    if criteria.expertise:
        conditions.append(sa.exists().where(ProfileExpertise.profile_id == profile.id,
                                            ProfileExpertise.area.in_(list(criteria.expertise))))
    for column, value in ((profile.organisation, criteria.organisation),
                          (profile.grade, criteria.grade), (profile.location, criteria.location)):
        if value and value.strip():
            conditions.append(column.ilike(f"%{_escape_like(value.strip())}%", escape="\\"))
    if criteria.sector:
        conditions.append(profile.sector == criteria.sector)
    if criteria.meeting_format in (MeetingFormat.IN_PERSON, MeetingFormat.ONLINE):
        # A mentor who offers either way suits both.
        conditions.append(profile.meeting_format.in_([criteria.meeting_format,
                                                      MeetingFormat.EITHER]))
    if criteria.has_capacity:
        conditions.append(sa.and_(profile.accepting.is_(True),
                                  profile.places_taken < profile.capacity))

    query = TextQuery.parse(criteria.text)
    dialect = db.session.get_bind().dialect.name
    matching = sa.select(profile.id).where(*conditions)
    counting, order = matching, [profile.display_name, profile.id]
    if query.terms:
        counting, _ = _match(matching, query, dialect, ranked=False)
        matching, rank = _match(matching, query, dialect, ranked=True)
        order.insert(0, rank)

    total = db.session.scalar(sa.select(sa.func.count()).select_from(counting.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, criteria.page), pages)
    rows = db.session.scalars(
        matching.with_only_columns(profile)
        .options(selectinload(profile.expertise_links), lazyload(profile.user),
                 # Results show none of the long texts; raise rather than load them one by one.
                 defer(profile.background, raiseload=True), defer(profile.offer, raiseload=True),
                 defer(profile.experience, raiseload=True))
        .order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), total, page, pages, per_page, ranked=bool(query.terms))


def _match(stmt: sa.Select, query: TextQuery, dialect: str,
           ranked: bool) -> tuple[sa.Select, sa.ColumnElement | None]:
    """Restrict ``stmt`` to profiles matching the words, and say how to rank them."""
    if dialect == "sqlite":
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        table = sa.literal_column(FTS_TABLE)
        columns = [fts.c.rowid.label("id")]
        if ranked:
            weights = [sa.literal_column(repr(weight)) for _, weight, _ in INDEXED]
            columns.append(sa.func.bm25(table, *weights).label("rank"))  # lower is better
        # The full-text match runs once, up front. Joined directly, SQLite may walk the
        # profiles and run the MATCH again for each one: minutes at 100,000 profiles.
        matches = (sa.select(*columns).where(table.op("MATCH")(query.fts5()))
                   .cte("matches").prefix_with("MATERIALIZED"))
        stmt = stmt.join(matches, matches.c.id == MentorProfile.id)
        return stmt, matches.c.rank if ranked else None
    vector = sa.literal_column(f"mentor_profile.{PG_VECTOR}")
    tsquery = sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), query.tsquery())
    stmt = stmt.where(vector.op("@@")(tsquery))
    return stmt, sa.func.ts_rank(vector, tsquery).desc() if ranked else None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
