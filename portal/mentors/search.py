"""Searching mentor profiles: the full-text index and the one entry point, ``search``.

The index lives in the database and is kept in step by the database itself (triggers, a generated
column), so rows written by any path (the pages, demo data, a bulk loader) are searchable at once:

- SQLite: an external-content FTS5 table over mentor_profile.
- PostgreSQL: a generated, weighted tsvector column with a GIN index.

Expertise areas live in their own table; triggers on it copy them into
``mentor_profile.expertise_text``, and that change re-indexes the profile.
``install_index`` is the one place the dialect-specific DDL is written: the migration calls it,
and so does create_all (through an after_create event in models.py).

Ranking never scores every match. Relevance scores (bm25, ts_rank) cost far more than
finding a match: bm25 reads every profile that has each word to weigh it, and a common word
("leadership") is in most of a national scheme's profiles, so scoring made search slower the
bigger the scheme. Instead a match's rank is *where* all its words were found, in tiers:

1. the name, job title or expertise;
2. those, the organisation or what the mentor offers;
3. anywhere in the profile;

and within a tier, mentors with a place free come first, then by name. Each tier is a plain
match in the index with a LIMIT, so the database stops after ``window`` matches per tier and
nothing is scored. Up to ``window`` matches are counted; past that the page says "more than".
A search then costs about the same in a scheme of 1,000 mentors and one of 100,000, and the
order is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
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
#: The ranking tiers, best first: the weight classes a match must have all its words in
#: ("" = anywhere).
TIERS = ("A", "AB", "")
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


def install_index(connection: sa.Connection, parts: Sequence[str] = (WORDS, TIER_WORDS)) -> None:
    """Create the search index, its triggers, and fill it from the rows already there."""
    sqlite = connection.dialect.name == "sqlite"
    statements = []
    if WORDS in parts:
        statements += _sqlite_install() if sqlite else _pg_install()
    if TIER_WORDS in parts:
        statements += _sqlite_install_tiers() if sqlite else _pg_install_tiers()
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


def _sqlite_install_tiers() -> list[str]:
    cols = ", ".join(TIER_COLUMNS)
    old = ", ".join(f"old.{c}" for c in TIER_COLUMNS)
    new = ", ".join(f"new.{c}" for c in TIER_COLUMNS)
    delete_old = (f"INSERT INTO {FTS_TIERS}({FTS_TIERS}, rowid, {cols}) "
                  f"VALUES ('delete', old.id, {old});")
    insert_new = f"INSERT INTO {FTS_TIERS}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {FTS_TIERS} USING fts5({cols}, content='mentor_profile', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
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


def _sqlite_install() -> list[str]:
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

    def tsquery(self, weights: str = "") -> str:
        parts = [f"{term}:{weights}" if weights else term for term in self.terms]
        if self.prefix:
            parts[-1] = f"{self.terms[-1]}:*{weights}"
        return " & ".join(parts)

    def fts5_within(self, weights: str, table_columns: Sequence[str]) -> str:
        """The same words, all found in the columns of these weight classes, in a table with
        ``table_columns`` (a column filter, unless they are all the table's columns)."""
        columns = [name for name, weight in INDEXED if weight in weights] if weights else []
        if not columns or set(columns) >= set(table_columns):
            return self.fts5()
        return f"{{{' '.join(columns)}}} : ({self.fts5()})"


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
    #: True when more profiles match than the window counts: ``total`` is then a lower bound.
    more: bool = field(default=False)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.results else 0

    @property
    def last(self) -> int:
        return self.first + len(self.results) - 1 if self.results else 0


def search(criteria: Criteria, viewer: User, per_page: int = 20, window: int = 200) -> Page:
    """Published profiles in the viewer's mentee schemes that match ``criteria``, best first.

    At most ``window`` matches are counted and at most ``window`` per tier are ranked (see the
    module's docstring): a search costs about the same in a scheme of 1,000 mentors and one of
    100,000.
    """
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
    #: Filters on indexed text also go through the index, so that a common word with a rare
    #: place ("leadership", "Cardiff") does not mean reading every profile with the word. The
    #: exact conditions above still decide; the index only narrows what they are checked on.
    narrowing: list[_Narrowing] = []
    if criteria.expertise:
        areas = [TextQuery(TextQuery.parse(area).terms, prefix=False)
                 for area in criteria.expertise]
        if all(area.terms for area in areas):
            narrowing.append(_Narrowing("expertise_text", areas))
    for column, value in ((profile.organisation, criteria.organisation),
                          (profile.grade, criteria.grade), (profile.location, criteria.location)):
        if value and value.strip():
            conditions.append(column.ilike(f"%{_escape_like(value.strip())}%", escape="\\"))
            words = TextQuery(TextQuery.parse(value).terms, prefix=False)
            if words.terms and column.key in dict(INDEXED):
                narrowing.append(_Narrowing(column.key, [words]))
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
    window = max(window, per_page)
    if query.terms:
        query = _settled(query, dialect)
    if query.terms or narrowing:
        matching = _matching(conditions, query, dialect, narrowing=narrowing)
    else:
        matching = sa.select(profile.id).where(*conditions)

    # Count no further than the window: past it, "more than" is all anyone needs to know.
    counted = db.session.scalar(
        sa.select(sa.func.count()).select_from(matching.limit(window + 1).subquery())) or 0
    more = counted > window
    total = min(counted, window)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, criteria.page), pages)

    stmt = sa.select(profile)
    order: list = [profile.display_name, profile.id]
    offset = (page - 1) * per_page
    if query.terms:
        # The candidates carry what they are ordered by, so only one page's profiles are read.
        ranked = _ranked(conditions, query, dialect, window, narrowing)
        key = [ranked.c.tier, ranked.c.full, ranked.c.name, ranked.c.id]
        shown = sa.select(*key).order_by(*key).limit(per_page).offset(offset).subquery("shown")
        stmt = stmt.join(shown, shown.c.id == profile.id)
        order, offset = [shown.c.tier, shown.c.full, shown.c.name, shown.c.id], 0
    elif narrowing and not more:
        # Few matches: start from them. Many: walking the scheme in name order finds a page's
        # worth sooner than gathering every match first.
        stmt = stmt.where(profile.id.in_(matching.scalar_subquery()))
    else:
        stmt = stmt.where(*conditions)
    rows = db.session.scalars(
        # The scheme is the viewer's, already loaded with their memberships: no join (its
        # rows hold the agreement template, decoded again for every result otherwise).
        stmt.options(selectinload(profile.expertise_links), lazyload(profile.user),
                     lazyload(profile.scheme),
                     # Results show none of the long texts; raise rather than load them one by one.
                     defer(profile.background, raiseload=True),
                     defer(profile.offer, raiseload=True),
                     defer(profile.experience, raiseload=True))
        .order_by(*order).limit(per_page).offset(offset)
    ).all()
    return Page(list(rows), total, page, pages, per_page, ranked=bool(query.terms), more=more)


class _LeftFirstJoin(sa.sql.Join):
    """An inner join that SQLite must run with the left table outside (``CROSS JOIN``)."""

    inherit_cache = True


@compiles(_LeftFirstJoin)
def _compile_left_first_join(join: _LeftFirstJoin, compiler, **kw) -> str:
    kw.pop("asfrom", None)
    return (f"{compiler.process(join.left, asfrom=True, **kw)} CROSS JOIN "
            f"{compiler.process(join.right, asfrom=True, **kw)} "
            f"ON {compiler.process(join.onclause, **kw)}")


@dataclass(frozen=True)
class _Narrowing:
    """Words one indexed column must hold: all the words of any one of ``choices``."""

    column: str
    choices: list[TextQuery]

    def fts5(self) -> str:
        return f"{{{self.column}}} : ({' OR '.join(f'({c.fts5()})' for c in self.choices)})"

    def tsquery(self) -> str:
        return "(" + " | ".join(f"({c.tsquery()})" for c in self.choices) + ")"


def _matching(conditions: list, query: TextQuery, dialect: str, *, within: str = "",
              narrowing: Sequence[_Narrowing] = ()) -> sa.Select:
    """Ids of the profiles that pass ``conditions`` and match the words, in index order.

    ``within``: weight classes ("A", "AB") whose columns must hold all the words; "" for
    anywhere. ``narrowing``: words a column must also hold (on PostgreSQL, the profile: the
    column's own filter in ``conditions`` does the rest). Nothing is scored, so a LIMIT on
    this stops the scan early.
    """
    profile = MentorProfile
    # A first tier reads the tier columns' own index, unless a filter needs another column.
    tiers = bool(within) and all(narrow.column in TIER_COLUMNS for narrow in narrowing)
    if dialect == "sqlite":
        table, columns = ((FTS_TIERS, TIER_COLUMNS) if tiers
                          else (FTS_TABLE, [name for name, _ in INDEXED]))
        parts = [query.fts5_within(within, columns)] if query.terms else []
        parts += [narrow.fts5() for narrow in narrowing]
        fts = sa.table(table, sa.column("rowid"))
        # The full-text index drives: SQLite would otherwise walk the scheme's profiles and run
        # the match once for each of them.
        source = _LeftFirstJoin(fts, MentorProfile.__table__, profile.id == fts.c.rowid)
        return (sa.select(profile.id).select_from(source)
                .where(sa.literal_column(table).op("MATCH")(" AND ".join(parts)), *conditions))
    # Each first tier has a vector of its own; without it, weights pick the columns.
    weights = "" if tiers else within
    parts = [query.tsquery(weights)] if query.terms else []
    parts += [narrow.tsquery() for narrow in narrowing]
    tsquery = sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), " & ".join(parts))
    column = ({"A": PG_FIRST_VECTOR, "AB": PG_TIERS_VECTOR}[within] if tiers else PG_VECTOR)
    vector = sa.literal_column(f"mentor_profile.{column}")
    return sa.select(profile.id).where(vector.op("@@")(tsquery), *conditions)


def _ranked(conditions: list, query: TextQuery, dialect: str, window: int,
            narrowing: Sequence[_Narrowing]) -> sa.Subquery:
    """The first ``window`` matches of each tier, with the best tier each is in (0 = best),
    whether the mentor is full (0: a place free) and their name."""
    profile = MentorProfile
    full = sa.case((sa.and_(profile.accepting.is_(True),
                            profile.places_taken < profile.capacity), 0), else_=1)
    tiers = [_matching(conditions, query, dialect, within=weights, narrowing=narrowing)
             .add_columns(sa.literal(number).label("tier"), full.label("full"),
                          profile.display_name.label("name"))
             .limit(window).subquery(f"tier{number}")
             for number, weights in enumerate(TIERS)]
    every = sa.union_all(*(sa.select(t.c.id, t.c.tier, t.c.full, t.c.name)
                           for t in tiers)).subquery("every")
    return (sa.select(every.c.id, sa.func.min(every.c.tier).label("tier"),
                      sa.func.min(every.c.full).label("full"),
                      sa.func.min(every.c.name).label("name"))
            .group_by(every.c.id).subquery("ranked"))


def _settled(query: TextQuery, dialect: str) -> TextQuery:
    """The query with its last word taken whole if some profile has that word.

    Matching every word that begins with the last one is much slower than matching one word
    (the database gathers all of their matches before returning any), so it is kept for words
    that are plainly unfinished: "financ" and "coach" are words (stems) on their own, "plann"
    is not, and finds "planning"."""
    if not query.prefix:
        return query
    whole = TextQuery((query.terms[-1],), prefix=False)
    if dialect == "sqlite":
        exists = sa.select(sa.literal_column("rowid")).select_from(sa.table(FTS_TABLE)).where(
            sa.literal_column(FTS_TABLE).op("MATCH")(whole.fts5()))
    else:
        exists = sa.select(MentorProfile.id).where(
            sa.literal_column(f"mentor_profile.{PG_VECTOR}").op("@@")(_pg_tsquery(whole, "")))
    if db.session.scalar(exists.limit(1)) is None:
        return query
    return TextQuery(query.terms, prefix=False)


def _pg_tsquery(query: TextQuery, weights: str) -> sa.ColumnElement:
    return sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), query.tsquery(weights))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
