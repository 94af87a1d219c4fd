"""Searching mentor profiles: the one entry point, ``search``, over the index that
portal.mentors.search_index builds and the database keeps in step.

The database never scores every match. Relevance scores (bm25, ts_rank) cost far more than
finding a match: bm25 reads every profile that has each word to weigh it, and a common word
("leadership") is in most of a national scheme's profiles, so scoring made search slower the
bigger the scheme. Instead the index gives a bounded set of candidates, the first ``window``
matches of each tier:

1. all the words in the name, job title or expertise;
2. in those, the organisation or what the mentor offers;
3. anywhere in the profile;

each a plain match in the index with a LIMIT, all in one statement, with the candidates' texts.
``rank`` then checks and scores those candidates in Python, word by word (field weight, the
word itself above another of its family, how many words and how rare), so the order is the
same on SQLite and PostgreSQL; never by name. Each word matches its family in the index
(``family``: lead, leader, leading and leadership), and a scheme's abbreviations match what they
stand for. With few full matches, those with most of the words follow; with few results, a
spelling is suggested. A search then costs about the same in a scheme of 1,000 mentors and one
of 100,000: past ``window`` matches the page says "more than".
"""

from __future__ import annotations

import itertools
import math
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
import sqlalchemy as sa
from rapidfuzz import fuzz
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
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A word's Snowball (Porter 2) stem: "leading" and "leads" are both "lead"."""
    return _STEMMER.stemWord(word)


#: Endings that make a new word of the same family, taken off a stem to find the family's base:
#: "leadership" and "leader" are of the family "lead", "planner" of "plan".
_FAMILY_ENDINGS = ("ship", "hood", "er")


@lru_cache(maxsize=50_000)
def family(word: str) -> str:
    """The base a word shares with its family (lead, leader, leading, leadership: "lead").
    A base is never shorter than four letters, so "water" stays "water", not "wat"."""
    base = stem(word)
    changed = True
    while changed:
        changed = False
        for ending in _FAMILY_ENDINGS:
            if base.endswith(ending) and len(base) - len(ending) >= 4:
                base = base[: -len(ending)]
                if base[-1] == base[-2] and base[-1] not in "aeiousl":
                    base = base[:-1]  # planner -> plann -> plan
                changed = True
    return base


def words_of(text: str) -> list[str]:
    """The words of a text, lower case, accents dropped, stop words left out."""
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return [w for w in _WORD.findall(folded.lower()) if w not in STOP_WORDS]


@dataclass(frozen=True)
class Term:
    """One thing the mentee asked for: a word, or an abbreviation and what it stands for.

    ``choices`` are the ways to match it, each a run of words that must all be found
    ("tfl", or "transport" and "london"); ``prefix``: the word is still being typed."""

    choices: tuple[tuple[str, ...], ...]
    prefix: bool = False

    @property
    def word(self) -> str:
        return " ".join(self.choices[0])

    def fts5(self) -> str:
        alternatives = []
        for choice in self.choices:
            parts = [_fts5_word(word, self.prefix) for word in choice]
            alternatives.append(parts[0] if len(parts) == 1 else f"({' AND '.join(parts)})")
        return alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"

    def tsquery(self, weights: str = "") -> str:
        alternatives = []
        for choice in self.choices:
            parts = [_ts_word(word, self.prefix, weights) for word in choice]
            alternatives.append(parts[0] if len(parts) == 1 else f"({' & '.join(parts)})")
        return alternatives[0] if len(alternatives) == 1 else f"({' | '.join(alternatives)})"


def _fts5_word(word: str, prefix: bool) -> str:
    """The word, or any word its family's base begins (checked word by word after)."""
    if prefix:
        return f'"{word}"*'
    base = family(word)
    if len(base) >= 4 and base != word:
        return f'("{word}" OR "{base}"*)'
    return f'"{word}"'


def _ts_word(word: str, prefix: bool, weights: str) -> str:
    if prefix:
        return f"{word}:*{weights}"
    base = family(word)
    if len(base) >= 4 and base != word:
        return f"({word}{':' + weights if weights else ''} | {base}:*{weights})"
    return f"{word}:{weights}" if weights else word


@dataclass(frozen=True)
class TextQuery:
    """Free text reduced to plain words: no operators, quotes or brackets reach the database.

    Each word matches its family (``family``) in the index; ``rank`` then checks every
    candidate word by word, so the index may find more than a word's family, never less."""

    terms: tuple[str, ...]
    #: The last word is still being typed, so it matches as a prefix ("financ" finds "finance").
    prefix: bool
    #: The abbreviations of the scheme that the words hold: term -> the words it stands for.
    expansions: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = ()

    @classmethod
    def parse(cls, text: str, synonyms: Sequence[Sequence[str]] = ()) -> TextQuery:
        words = [w[:40] for w in words_of(text)]
        words, expansions = _abbreviate(words, synonyms)
        terms = tuple(dict.fromkeys(words))[:MAX_TERMS]
        still_typing = bool(terms) and bool(re.search(r"[^\W_]$", text or ""))
        expanded = dict(expansions)
        return cls(terms, prefix=still_typing and len(terms[-1]) >= 3
                   and terms[-1] not in expanded and " " not in terms[-1],
                   expansions=tuple((t, expanded[t]) for t in terms if t in expanded))

    def parts(self) -> list[Term]:
        expanded = dict(self.expansions)
        last = len(self.terms) - 1
        return [Term(expanded.get(term, (tuple(term.split(" ")),)),
                     prefix=self.prefix and i == last)
                for i, term in enumerate(self.terms)]

    def fts5(self) -> str:
        return " AND ".join(part.fts5() for part in self.parts())

    def tsquery(self, weights: str = "") -> str:
        return " & ".join(part.tsquery(weights) for part in self.parts())

    def fts5_some(self) -> str:
        """At least ``least`` of the words (``some_of``), in brackets."""
        groups = [" AND ".join(part.fts5() for part in group)
                  for group in some_of(self.parts())]
        return "(" + " OR ".join(f"({group})" for group in groups) + ")"

    def tsquery_some(self, weights: str = "") -> str:
        groups = [" & ".join(part.tsquery(weights) for part in group)
                  for group in some_of(self.parts())]
        return "(" + " | ".join(f"({group})" for group in groups) + ")"

    def fts5_within(self, weights: str, table_columns: Sequence[str], *,
                    some_words: bool = False) -> str:
        """The same words, all (or ``some_words``: at least half) found in the columns of these
        weight classes, in a table with ``table_columns`` (a column filter, unless they are
        all the table's columns)."""
        words = self.fts5_some() if some_words else self.fts5()
        columns = [name for name, weight in INDEXED if weight in weights] if weights else []
        if not columns or set(columns) >= set(table_columns):
            return words
        return f"{{{' '.join(columns)}}} : ({words})"


def least(terms: int) -> int:
    """How many of a search's words a profile needs to be among "Mentors matching some of your
    words": at least half of them."""
    return max(1, math.ceil(terms / 2))


#: At most this many groups of words go to the index for "some of the words" (six words make
#: 20 groups of three); past it, the index is asked for any one word and ranking keeps those
#: with enough of them.
SOME_GROUPS = 20


def some_of(parts: list[Term]) -> list[tuple[Term, ...]]:
    """The groups of ``least`` words of which a profile must hold one group to have some of the
    words: asking the index for those alone (rather than any one word and discarding most of
    the candidates) finds the profiles with most of the words even in a scheme of 100,000,
    where the first few hundred with any one common word seldom include them."""
    groups = list(itertools.combinations(parts, least(len(parts))))
    return groups if len(groups) <= SOME_GROUPS else [(part,) for part in parts]


def _abbreviate(words: list[str], synonyms: Sequence[Sequence[str]]):
    """Words with each abbreviation or long form of the scheme's list made one term that
    matches any of its forms ("section 106" and "s106")."""
    groups = [[tuple(words_of(form)) for form in group] for group in synonyms or ()]
    groups = [[form for form in group if form] for group in groups]
    out: list[str] = []
    expansions: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
    i = 0
    while i < len(words):
        best = None
        for group in groups:
            for form in group:
                if tuple(words[i:i + len(form)]) == form and (best is None
                                                              or len(form) > len(best[0])):
                    best = (form, group)
        if best is None:
            out.append(words[i])
            i += 1
            continue
        form, group = best
        term = " ".join(form)
        out.append(term)
        expansions.append((term, tuple([form] + [f for f in group if f != form])))
        i += len(form)
    return out, expansions


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
    #: Where the profiles with only some of the words begin in the ranked list (None: none).
    partial_from: int | None = field(default=None)
    #: The search text with its misspelt words corrected ("Did you mean ...?"), or None.
    suggestion: str | None = field(default=None)

    @property
    def partial_here(self) -> int | None:
        """Where, in this page's results, the profiles with only some of the words begin."""
        if self.partial_from is None:
            return None
        at = self.partial_from - (self.page - 1) * self.per_page
        return max(0, at) if at < len(self.results) else None

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
    synonyms = [group for scheme in viewer.schemes(Role.MENTEE) if scheme.id in scheme_ids
                for group in (scheme.search_synonyms or [])]
    for column, value in ((profile.organisation, criteria.organisation),
                          (profile.grade, criteria.grade), (profile.location, criteria.location)):
        if value and value.strip():
            # An abbreviation in the organisation filter finds every form of it ("TfL" finds
            # "Transport for London").
            forms = (_forms(value.strip(), synonyms) if column is profile.organisation
                     else [value.strip()])
            conditions.append(sa.or_(*(column.ilike(f"%{_escape_like(form)}%", escape="\\")
                                       for form in forms)))
            choices = [TextQuery(TextQuery.parse(form).terms, prefix=False) for form in forms]
            if all(c.terms for c in choices) and column.key in dict(INDEXED):
                narrowing.append(_Narrowing(column.key, choices))
    if criteria.sector:
        conditions.append(profile.sector == criteria.sector)
    if criteria.meeting_format in (MeetingFormat.IN_PERSON, MeetingFormat.ONLINE):
        # A mentor who offers either way suits both.
        conditions.append(profile.meeting_format.in_([criteria.meeting_format,
                                                      MeetingFormat.EITHER]))
    if criteria.has_capacity:
        conditions.append(sa.and_(profile.accepting.is_(True),
                                  profile.places_taken < profile.capacity))

    query = TextQuery.parse(criteria.text, synonyms)
    dialect = db.session.get_bind().dialect.name
    window = max(window, per_page)
    if query.terms:
        return _text_search(conditions, _settled(query, dialect), dialect, narrowing,
                            criteria.page, per_page, window, conditions[:3])
    if narrowing:
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
    if narrowing and not more:
        # Few matches: start from them. Many: walking the scheme in name order finds a page's
        # worth sooner than gathering every match first.
        stmt = stmt.where(profile.id.in_(matching.scalar_subquery()))
    else:
        stmt = stmt.where(*conditions)
    rows = db.session.scalars(
        _page_options(stmt).order_by(profile.display_name, profile.id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(rows), total, page, pages, per_page, more=more)


def _page_options(stmt: sa.Select) -> sa.Select:
    profile = MentorProfile
    # The scheme is the viewer's, already loaded with their memberships: no join (its
    # rows hold the agreement template, decoded again for every result otherwise).
    return stmt.options(selectinload(profile.expertise_links), lazyload(profile.user),
                        lazyload(profile.scheme),
                        # Results show none of the long texts; raise rather than load them.
                        defer(profile.background, raiseload=True),
                        defer(profile.offer, raiseload=True),
                        defer(profile.experience, raiseload=True))


#: Fewer full matches than this and the profiles with most of the words are shown below them.
FEW = 3


def _text_search(conditions: list, query: TextQuery, dialect: str,
                 narrowing: Sequence[_Narrowing], page_number: int, per_page: int,
                 window: int, scope: list) -> Page:
    """Words: gather a bounded set of candidates from the index, rank them (``rank``) and
    show one page. Few profiles with every word: add those with most of them, below; and
    few results at all: suggest a spelling (``_suggest``) for the words no profile has."""
    candidates, more = _candidates(conditions, query, dialect, narrowing, window)
    ranked = rank(query, candidates)
    full = [c for c in ranked if c.matched == len(query.terms)]
    partial: list[Scored] = []
    extra: list = []
    if len(full) < FEW and len(query.terms) > 1:
        seen = {c.id for c in full}
        extra, _ = _candidates(conditions, query, dialect, narrowing, window, some_words=True)
        enough = least(len(query.terms))
        partial = [c for c in rank(query, [row for row in extra if row.id not in seen])
                   if enough <= c.matched < len(query.terms)]
    ordered = (full + partial)[:window]
    suggestion = None
    if len(ordered) < FEW:
        seen_words = {token for row in [*candidates, *extra]
                      for name in _SUGGEST_FROM for token in _tokens(getattr(row, name) or "")}
        suggestion = _suggest(query, scope, dialect, seen_words)
    total = window if more else len(ordered)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page_number), pages)
    shown = [c.id for c in ordered[(page - 1) * per_page:page * per_page]]
    profiles = {p.id: p for p in db.session.scalars(
        _page_options(sa.select(MentorProfile).where(MentorProfile.id.in_(shown))))}
    results = [profiles[i] for i in shown if i in profiles]
    first_partial = next((n for n, c in enumerate(ordered) if c.matched < len(query.terms)),
                         None)
    return Page(results, total, page, pages, per_page, ranked=True, more=more,
                partial_from=first_partial, suggestion=suggestion)


#: The text columns a candidate's words are checked in, with the weight of a match there.
WEIGHTS = {"A": 3.0, "B": 2.0, "C": 1.0}
_TEXT = tuple(name for name, _ in INDEXED)


def _candidates(conditions: list, query: TextQuery, dialect: str,
                narrowing: Sequence[_Narrowing], window: int, *, some_words: bool = False):
    """The best ``window`` candidates, with their texts, in one statement: the first
    ``window`` matches of each tier, taken tier by tier (then by id); and whether more than
    ``window`` profiles match anywhere. ``some_words``: at least half the words, not all."""
    profile = MentorProfile
    tiers = ("A", "") if some_words else TIERS
    anywhere = len(tiers) - 1
    parts = []
    for number, weights in enumerate(tiers):
        limit = window + 1 if number == anywhere else window
        parts.append(sa.select(
            _matching(conditions, query, dialect, within=weights, narrowing=narrowing,
                      some_words=some_words).limit(limit).subquery(f"tier{number}").c.id,
            sa.literal(number).label("tier")))
    found = sa.union_all(*parts).cte("found")
    best = (sa.select(found.c.id, sa.func.min(found.c.tier).label("tier"))
            .group_by(found.c.id).order_by(sa.func.min(found.c.tier), found.c.id)
            .limit(window).subquery("best"))
    counted = (sa.select(sa.func.count()).select_from(found)
               .where(found.c.tier == anywhere).scalar_subquery())
    full = sa.case((sa.and_(profile.accepting.is_(True),
                            profile.places_taken < profile.capacity), 0), else_=1)
    # Plain rows through the session's connection: the ORM would only wrap them again.
    rows = db.session.connection().execute(
        sa.select(best.c.id, best.c.tier, full.label("full"), counted.label("anywhere"),
                  *(getattr(profile, name) for name in _TEXT))
        .join(profile, profile.id == best.c.id).order_by(best.c.tier, best.c.id)).all()
    more = bool(rows) and rows[0].anywhere > window
    return rows, more


@dataclass
class Scored:
    id: int
    matched: int
    score: float
    full: int


def rank(query: TextQuery, rows: Sequence) -> list[Scored]:
    """Candidates best first: by how many of the words each has, then by score, then those
    with a place free, then the oldest profile first (never by name).

    A word's score is the weight of the best field it is in (job title, name and expertise
    3; organisation and offer 2; anywhere else 1), less for another form of the word or a
    word of its family (``_quality``), plus a little for each other field it is in, times how rare
    the word is among the candidates. Words found side by side, as typed, add a little more.
    """
    terms = query.parts()
    fields = [(name, WEIGHTS[weight]) for name, weight in INDEXED]
    columns = range(len(fields))
    found: list[tuple] = []
    counts = [0] * len(terms)
    keys = [tuple(sorted({_key(word, term.prefix) for choice in term.choices for word in choice}))
            for term in terms]
    for row in rows:
        per_term = []
        # The texts are the row's last columns, in the order of INDEXED (see _candidates).
        texts = [text or "" for text in row[-len(fields):]]
        lowered = [text.lower() for text in texts]
        # A field without even the start of the word (most fields) is not read word by word:
        # that is most of the cost of ranking. Accents are only dropped when a field is read
        # word by word, so a field with any letter outside ASCII is always read.
        unusual = [not low.isascii() for low in lowered]
        for i, term in enumerate(terms):
            best, also, positions = 0.0, 0.0, {}
            if len(keys[i]) == 1:
                (key,) = keys[i]
                reading = [j for j in columns if key in lowered[j] or unusual[j]]
            else:
                reading = [j for j in columns
                           if unusual[j] or any(key in lowered[j] for key in keys[i])]
            for j in reading:
                quality, where = _quality(term, _field(texts[j]), keys[i])
                if quality:
                    name, weight = fields[j]
                    positions[name] = where
                    value = weight * quality
                    also += min(best, value) * 0.2 if best else 0.0
                    best = max(best, value)
            per_term.append((best, also, positions))
            if best:
                counts[i] += 1
        found.append((row, per_term))
    # Counted over the candidates with a word, never those the index alone found (a word's
    # base, such as "plan" for "plant"): then both databases give the same order.
    found = [(row, per_term) for row, per_term in found if any(best for best, _, _ in per_term)]
    rarity = [math.log(1 + (len(found) + 1) / (count + 0.5)) for count in counts]
    scored = []
    for row, per_term in found:
        matched = sum(1 for best, _, _ in per_term if best)
        score = sum((best + also) * rarity[i] for i, (best, also, _) in enumerate(per_term))
        for i in range(len(per_term) - 1):
            here, after = per_term[i][2], per_term[i + 1][2]
            # The best field with the two words side by side (fields in a fixed order, so
            # that every process ranks alike).
            side_by_side = [weight for name, weight in fields if name in here and name in after
                            and any(p + 1 in after[name] for p in here[name])]
            if side_by_side:
                score += 0.5 * max(side_by_side) * min(rarity[i], rarity[i + 1])
        scored.append(Scored(row.id, matched, round(score, 6), row.full))
    scored.sort(key=lambda c: (-c.matched, -c.score, c.full, c.id))
    return scored


#: The columns whose words spelling suggestions come from: what people search by.
_SUGGEST_FROM = ("job_title", "expertise_text", "organisation", "offer")
#: How many profiles a suggestion reads the words of, at most, and how alike a suggested word
#: must be to the word typed (rapidfuzz's ratio, 0 to 100).
SUGGEST_ROWS = 100
SUGGEST_LIKENESS = 75


def _suggest(query: TextQuery, scope: list, dialect: str, seen: set[str]) -> str | None:
    """The search text with each word that no profile seen has replaced by the most alike
    word in the scheme's profiles that begins with the same three letters ("leadrship":
    "leadership"), or None if nothing changes.

    One bounded read of the index: the first ``SUGGEST_ROWS`` profiles with a word beginning
    with any of those three letters. The same on SQLite and PostgreSQL."""
    unknown = [term for term in query.terms
               if " " not in term and len(term) >= 4 and not term.isdigit()
               and term not in seen and term not in dict(query.expansions)]
    if not unknown:
        return None
    starts = sorted({term[:3] for term in unknown})
    profile = MentorProfile
    if dialect == "sqlite":
        columns = " ".join(_SUGGEST_FROM)
        prefixes = " OR ".join('"' + start + '"*' for start in starts)
        match = f"{{{columns}}} : ({prefixes})"
        fts = sa.table(FTS_TIERS, sa.column("rowid"))
        source = _LeftFirstJoin(fts, MentorProfile.__table__, profile.id == fts.c.rowid)
        stmt = sa.select(*(getattr(profile, name) for name in _SUGGEST_FROM)).select_from(
            source).where(sa.literal_column(FTS_TIERS).op("MATCH")(match), *scope)
    else:
        tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"),
                                     " | ".join(f"{start}:*" for start in starts))
        stmt = sa.select(*(getattr(profile, name) for name in _SUGGEST_FROM)).where(
            sa.literal_column(f"mentor_profile.{PG_TIERS_VECTOR}").op("@@")(tsquery), *scope)
    counts: dict[str, int] = {}
    for row in db.session.execute(stmt.limit(SUGGEST_ROWS)):
        for text in row:
            for token in _tokens(text or ""):
                counts[token] = counts.get(token, 0) + 1
    fixes = {}
    for term in unknown:
        options = [(fuzz.ratio(term, word), counts[word], word) for word in counts
                   if word[:3] == term[:3] and word != term and not word.isdigit()]
        options = [o for o in options if o[0] >= SUGGEST_LIKENESS]
        if options:
            fixes[term] = max(options, key=lambda o: (o[0], o[1], [-ord(c) for c in o[2]]))[2]
    if not fixes:
        return None
    return " ".join(fixes.get(term, term) for term in query.terms)


@lru_cache(maxsize=50_000)
def _key(word: str, prefix: bool) -> str:
    """Letters that every word matching ``word`` holds: the start of its family's base (the
    base's last letter may differ, as "polici" from "policy"), or the word if unfinished."""
    if prefix:
        return word
    base = family(word) if len(family(word)) >= 4 else stem(word)
    start = base[:4] if len(base) > 4 else base[:-1] or base
    return min(start, word[:len(start)], key=len)


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """A text's words, each interned: the same word in thousands of cached fields is one
    string (about 14 MB of a worker at 100,000 profiles)."""
    return tuple(map(sys.intern, words_of(text)))


class _Field:
    """One field's words and, for the words of a term, where those that may match it are."""

    __slots__ = ("tokens", "_places")

    def __init__(self, tokens: tuple[str, ...]) -> None:
        self.tokens = tokens
        self._places: dict[tuple[str, ...], tuple[tuple[str, tuple[int, ...]], ...]] = {}

    def places(self, keys: tuple[str, ...]) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """Where each of the words holding one of ``keys`` (``_key``) is: no other word can
        match the term. Reading every word of a long background was most of the cost of
        ranking candidates not seen before. Only the words are kept, as pairs (word, positions):
        their stems and bases are looked up (and cached) as they are compared. With the words
        interned (``_tokens``), the fields cached for the next searches (``_field``) take
        about 35 MB less of a worker at 100,000 profiles than dictionaries of words, stems and
        bases of words of their own did, for the same ranking."""
        found = self._places.get(keys)
        if found is None:
            if len(keys) == 1:
                (key,) = keys
                holding = [(p, token) for p, token in enumerate(self.tokens) if key in token]
            else:
                holding = [(p, token) for p, token in enumerate(self.tokens)
                           if any(key in token for key in keys)]
            words: dict[str, list[int]] = {}
            for position, token in holding:
                words.setdefault(token, []).append(position)
            if len(self._places) >= 8:  # a field read for many different words: keep it small
                self._places.clear()
            found = self._places[keys] = tuple((token, tuple(at)) for token, at in words.items())
        return found


@lru_cache(maxsize=16_384)
def _field(text: str) -> _Field:
    return _Field(_tokens(text))


def _quality(term: Term, field: _Field, keys: tuple[str, ...]) -> tuple[float, set[int]]:
    """How well a field's words hold a term: 1 for the word itself, 0.8 for another form of
    it ("leads" for "leading"), 0.5 for another word of its family ("leader"), 0 for none;
    and where in the field it is. ``keys``: the term's ``_key`` of each word."""
    places = field.places(keys)
    best, where = 0.0, set()
    for choice in term.choices:
        worst, at = 1.0, set()
        for word in choice:
            quality, positions = _word_quality(word, field.tokens, places, term.prefix)
            worst = min(worst, quality)
            at.update(positions)
            if not worst:
                break
        if worst > best:
            best, where = worst, at
    return best, where


def _word_quality(word: str, tokens: tuple[str, ...],
                  places: tuple[tuple[str, tuple[int, ...]], ...],
                  prefix: bool) -> tuple[float, Sequence[int]]:
    for token, positions in places:
        if token == word:
            return 1.0, positions
    if prefix:
        at = [p for p, token in enumerate(tokens) if token.startswith(word)]
        if at:
            return 1.0, at
    exact = stem(word)
    at = [p for token, positions in places if stem(token) == exact for p in positions]
    if at:
        return 0.8, at
    base = family(word)
    if len(base) >= 4:
        at = [p for token, positions in places if family(token) == base for p in positions]
        if at:
            return 0.5, at
    return 0.0, ()


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
              narrowing: Sequence[_Narrowing] = (), some_words: bool = False) -> sa.Select:
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
        parts = ([query.fts5_within(within, columns, some_words=some_words)]
                 if query.terms else [])
        parts += [narrow.fts5() for narrow in narrowing]
        fts = sa.table(table, sa.column("rowid"))
        # The full-text index drives: SQLite would otherwise walk the scheme's profiles and run
        # the match once for each of them.
        source = _LeftFirstJoin(fts, MentorProfile.__table__, profile.id == fts.c.rowid)
        return (sa.select(profile.id).select_from(source)
                .where(sa.literal_column(table).op("MATCH")(" AND ".join(parts)), *conditions))
    # Each first tier has a vector of its own; without it, weights pick the columns.
    weights = "" if tiers else within
    words = query.tsquery_some(weights) if some_words else query.tsquery(weights)
    parts = [f"({words})"] if query.terms else []
    parts += [narrow.tsquery() for narrow in narrowing]
    tsquery = sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), " & ".join(parts))
    column = ({"A": PG_FIRST_VECTOR, "AB": PG_TIERS_VECTOR}[within] if tiers else PG_VECTOR)
    vector = sa.literal_column(f"mentor_profile.{column}")
    return sa.select(profile.id).where(vector.op("@@")(tsquery), *conditions)


def _settled(query: TextQuery, dialect: str) -> TextQuery:
    """The query with its last word taken whole if some profile has that word.

    Matching every word that begins with the last one is much slower than matching one word
    (the database gathers all of their matches before returning any), so it is kept for words
    that are plainly unfinished: "financ" and "coach" are words (stems) on their own, "plann"
    is not, and finds "planning"."""
    if not query.prefix:
        return query
    word = query.terms[-1]
    if dialect == "sqlite":
        exists = sa.select(sa.literal_column("rowid")).select_from(sa.table(FTS_TABLE)).where(
            sa.literal_column(FTS_TABLE).op("MATCH")(f'"{word}"'))
    else:
        exists = sa.select(MentorProfile.id).where(
            sa.literal_column(f"mentor_profile.{PG_VECTOR}").op("@@")(
                sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), word)))
    if db.session.scalar(exists.limit(1)) is None:
        return query
    return TextQuery(query.terms, prefix=False)


def _forms(value: str, synonyms: Sequence[Sequence[str]]) -> list[str]:
    """The value and, if it is one form of a synonym group, the group's other forms."""
    words = words_of(value)
    for group in synonyms:
        if any(words_of(form) == words for form in group):
            return [value, *(form for form in group if words_of(form) != words)]
    return [value]


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
