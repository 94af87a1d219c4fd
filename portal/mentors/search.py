"""Searching mentor profiles: the one entry point, ``search``, over the index that
portal.mentors.search_index builds and the database keeps in step.

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
from portal.mentors.search_index import (
    FTS_TABLE,
    FTS_TIERS,
    INDEXED,
    PG_FIRST_VECTOR,
    PG_TIERS_VECTOR,
    PG_VECTOR,
    TIER_COLUMNS,
)

#: The ranking tiers, best first: the weight classes a match must have all its words in
#: ("" = anywhere).
TIERS = ("A", "AB", "")


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
