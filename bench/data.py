"""Synthetic data for the benchmark: schemes, published mentor profiles, mentees and a session.

Each size is built once into its own database (an SQLite file under bench/out/, or a PostgreSQL
database named after the one in DATABASE_URL), with the schema made by the migrations
(`flask db upgrade heads`), then filled in bulk in one transaction. A fingerprint of the
generator and the migrations is stored beside the data, so an unchanged build is reused.

Size N means N published profiles in the mentee's scheme (a national scheme, the case search
has to be fast for). Beside them: 5% unpublished profiles in that scheme, four smaller schemes
with 1% of N each, a few mentees, one administrator per scheme and people who are both.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import random
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import journey, words

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SIZES = (1_000, 10_000, 100_000)
SEED = 7
#: Bump when the data changes in a way the fingerprint of the source files would not show.
GENERATOR_VERSION = 1
#: Sent by the load generators; the session cookie is bound to it (Flask-Login's protection).
USER_AGENT = "portal-bench/1"
MARKER_TABLE = "_bench_build"
EPOCH = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
#: How many profile ids the profile-page scenario rotates through.
PROFILE_SAMPLE = 200


# --- drawing words with Zipf-like weights ----------------------------------------------------

class Zipf:
    """Draw from ``items`` with weight 1/rank**s: the first items common, the tail rare."""

    def __init__(self, items: Sequence[Any], s: float = 1.07) -> None:
        self.items = list(items)
        total, cumulative = 0.0, []
        for rank in range(1, len(self.items) + 1):
            total += 1.0 / rank**s
            cumulative.append(total)
        self.cumulative = cumulative

    def one(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]

    def some(self, rng: random.Random, k: int) -> list[Any]:
        """``k`` different items (fewer if the list is shorter)."""
        k = min(k, len(self.items))
        chosen: list[Any] = []
        while len(chosen) < k:
            item = self.one(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen


FIRST = Zipf(words.FIRST_NAMES, 0.8)
SURNAME = Zipf(words.SURNAMES, 0.9)
ROLE = Zipf(words.ROLES)
GRADE = Zipf(words.GRADES)
ORG = Zipf(words.ORGANISATIONS)
PLACE = Zipf(words.LOCATIONS)
SECTOR = Zipf(words.SECTOR_PHRASES)
TOPIC = Zipf(words.TOPICS, 1.0)
PROFESSION = Zipf(words.PROFESSIONS)
CODENAME = Zipf(words.CODENAMES, 0.7)
VILLAGE = Zipf(words.VILLAGES, 0.7)


SLOTS = {
    "sector": lambda rng: SECTOR.one(rng), "org": lambda rng: ORG.one(rng),
    "place": lambda rng: PLACE.one(rng), "topic": lambda rng: TOPIC.one(rng),
    "profession": lambda rng: PROFESSION.one(rng), "role_lc": lambda rng: ROLE.one(rng).lower(),
    "codename": lambda rng: CODENAME.one(rng), "village": lambda rng: VILLAGE.one(rng),
    "years": lambda rng: str(rng.randint(4, 32)), "short": lambda rng: str(rng.randint(1, 4)),
    "year": lambda rng: str(rng.randint(1998, 2025)), "team": lambda rng: str(rng.randint(3, 40)),
    "model": lambda rng: rng.choice(words.COACHING_MODELS),
}


def _compile(template: str) -> list:
    """'I led {topic}.' -> ['I led ', SLOTS['topic'], '.']: filled without parsing again."""
    parts = re.split(r"\{(\w+)\}", template)
    return [SLOTS[part] if i % 2 else part for i, part in enumerate(parts)]


def _fill(parts: list, rng: random.Random) -> str:
    return "".join(part if isinstance(part, str) else part(rng) for part in parts)


def _paragraph(templates: Sequence[list], rng: random.Random, low: int, high: int) -> str:
    chosen = rng.sample(templates, rng.randint(low, min(high, len(templates))))
    return " ".join(_fill(t, rng) for t in chosen)


BACKGROUND = [_compile(t) for t in words.BACKGROUND_TEMPLATES]
OFFER = [_compile(t) for t in words.OFFER_TEMPLATES]
EXPERIENCE = [_compile(t) for t in words.EXPERIENCE_TEMPLATES]


@functools.cache
def _domain(organisation: str) -> str:
    name = re.sub(r"\b(council|county|city|borough|district|of|and|the)\b", "",
                  organisation.lower())
    return (re.sub(r"[^a-z]", "", name) or "public") + ".gov.uk"


# --- the schemes -----------------------------------------------------------------------------

NATIONAL = "cross-government"

SCHEMES = [
    {"slug": NATIONAL, "name": "Cross-government mentoring network",
     "expertise": ["Leadership", "Career development", "Project and programme management",
                   "Policy making", "Finance and commercial", "Digital and data",
                   "People management", "Working with ministers", "Communications",
                   "Operational delivery", "Change and transformation", "Inclusion and wellbeing",
                   "Legal and regulatory", "Science and analysis", "Local government",
                   "Health and social care", "Planning and housing", "Security and resilience",
                   "International work", "Returning to work"]},
    {"slug": "north-west-health", "name": "North West health and care mentoring",
     "expertise": ["Clinical leadership", "Nursing", "Integrated care", "Quality improvement",
                   "Career development", "Leadership", "Finance"]},
    {"slug": "shire-leaders", "name": "Shire councils leadership mentoring",
     "expertise": ["Leadership", "Working with councillors", "Finance", "Housing",
                   "Adult social care", "Children's services", "Economic development"]},
    {"slug": "eastern-planning", "name": "Eastern planning mentoring",
     "expertise": ["Development management", "Planning policy and local plans", "Heritage",
                   "Urban design", "Enforcement", "Appeals", "Leading a planning team"]},
    {"slug": "midlands-childrens", "name": "Midlands children's services mentoring",
     "expertise": ["Social work practice", "Fostering and adoption", "Youth justice",
                   "Early help", "Leadership", "Safeguarding"]},
]

AGREEMENT = {
    "sections": [
        {"title": "The mentor agrees to", "party": "mentor",
         "clauses": ["Give time to each session and keep what is said confidential."]},
        {"title": "The mentee agrees to", "party": "mentee",
         "clauses": ["Set the agenda for each session and arrange the meetings."]},
        {"title": "We both agree to", "party": "both",
         "clauses": ["Give at least 48 hours' notice if we need to move a session."]},
    ],
    "terms": {"notice_hours": 48, "sessions": 6, "duration_months": 12},
}


def _scheme_row(index: int, spec: dict) -> dict:
    return {
        "id": index + 1, "slug": spec["slug"], "name": spec["name"],
        "summary": f"{spec['name']}: experienced colleagues giving time to people who want to "
                   "grow in their work.",
        "about": "Mentors and mentees meet for up to a year.\n\nYou agree the terms together.",
        "admin_email": f"mentoring@{spec['slug']}.gov.uk", "reply_to": None,
        "mentor_eligibility": "You work for a member organisation and can give a few hours a "
                              "month.",
        "mentee_eligibility": "You work for a member organisation.",
        "needs_line_manager_approval": index % 2 == 1, "max_open_requests": 3,
        "shortlist_limit": 5, "request_reminder_days": 3, "request_expiry_days": 7,
        "retention_years": 6, "expertise_areas": spec["expertise"],
        "agreement_template": AGREEMENT, "evaluation_form": {"mentor": [], "mentee": []},
        "created_at": EPOCH, "updated_at": EPOCH,
    }


# --- generating the rows ---------------------------------------------------------------------

@dataclass
class Rows:
    """Every row of one build, by table, plus what the scenarios need to know about them."""

    size: int
    tables: dict[str, list[dict]] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)


def generate(size: int, seed: int = SEED) -> Rows:
    """The rows for ``size`` published profiles in the national scheme, the same for a seed."""
    rng = random.Random(f"{seed}:{size}")
    rows = Rows(size, {name: [] for name in
                       ("scheme", "user", "membership", "mentor_profile", "profile_expertise")})
    t = rows.tables
    t["scheme"] = [_scheme_row(i, spec) for i, spec in enumerate(SCHEMES)]
    user_ids = itertools.count(1)
    membership_ids = itertools.count(1)
    profile_ids = itertools.count(1)

    def person(role: str, scheme_id: int, organisation: str | None = None) -> dict:
        uid = next(user_ids)
        first, last = FIRST.one(rng), SURNAME.one(rng)
        organisation = organisation or ORG.one(rng)
        user = {"id": uid, "email": f"{first}.{last}.{uid}@{_domain(organisation)}".lower(),
                "full_name": f"{first} {last}", "phone": None, "session_version": 1,
                "created_at": EPOCH, "last_signed_in_at": None}
        t["user"].append(user)
        member(uid, scheme_id, role)
        return user

    def member(uid: int, scheme_id: int, role: str) -> None:
        t["membership"].append({"id": next(membership_ids), "user_id": uid,
                                "scheme_id": scheme_id, "role": role,
                                "eligibility_confirmed_at": EPOCH, "created_at": EPOCH})

    def profile(scheme: dict, state: str) -> dict:
        organisation = ORG.one(rng)
        user = person("mentor", scheme["id"], organisation)
        pid = next(profile_ids)
        capacity = rng.choice((1, 2, 2, 2, 3, 3, 4))
        full = rng.random() < 0.1
        published = state != "draft"
        created = EPOCH + dt.timedelta(minutes=pid)
        item = {
            "id": pid, "user_id": user["id"], "scheme_id": scheme["id"],
            "display_name": user["full_name"], "job_title": ROLE.one(rng),
            "organisation": organisation,
            "sector": rng.choices(("public", "private", "voluntary"), (88, 7, 5))[0],
            "grade": GRADE.one(rng),
            "background": _paragraph(BACKGROUND, rng, 2, 4),
            "offer": _paragraph(OFFER, rng, 1, 3),
            "experience": _paragraph(EXPERIENCE, rng, 1, 3),
            "meeting_format": rng.choices(("either", "online", "in_person"), (6, 3, 1))[0],
            "location": PLACE.one(rng), "capacity": capacity,
            "accepting": rng.random() >= 0.12,
            "places_taken": capacity if full else rng.randint(0, capacity - 1),
            "state": state, "published_at": created if published else None,
            "created_at": created, "updated_at": created,
        }
        t["mentor_profile"].append(item)
        areas = expertise[scheme["id"]].some(rng, rng.choice((1, 2, 2, 3, 3, 4)))
        t["profile_expertise"].extend({"profile_id": pid, "area": a} for a in areas)
        return item

    expertise = {s["id"]: Zipf(s["expertise_areas"], 0.9) for s in t["scheme"]}
    national, *others = t["scheme"]
    published = [profile(national, "published") for _ in range(size)]
    for _ in range(max(1, size // 20)):
        profile(national, "draft" if rng.random() < 0.6 else "hidden")
    for scheme in others:
        for _ in range(max(5, size // 100)):
            profile(scheme, "published")
    # Some mentors are mentees too, in the same scheme (one person can be both).
    for item in rng.sample(published, max(1, size // 100)):
        member(item["user_id"], national["id"], "mentee")
    mentees = [person("mentee", national["id"]) for _ in range(5)]
    for scheme in others:
        person("mentee", scheme["id"])
    for scheme in t["scheme"]:
        person("admin", scheme["id"])

    sample = rng.sample(published, min(PROFILE_SAMPLE, len(published)))
    # Mentors the mentee can shortlist and ask for a call (bench/journey.py).
    open_to_requests = [p["id"] for p in published
                        if p["accepting"] and p["places_taken"] < p["capacity"]]
    rows.manifest = {
        "size": size, "seed": seed, "scheme_slug": national["slug"],
        "expertise_areas": national["expertise_areas"],
        "mentee_ids": [m["id"] for m in mentees],
        "profile_ids": [item["id"] for item in sample],
        "open_profile_ids": rng.sample(open_to_requests, min(10, len(open_to_requests))),
        "counts": {name: len(items) for name, items in t.items()},
    }
    return rows


# --- building a database ---------------------------------------------------------------------

@dataclass
class Dataset:
    """A built database and what the scenarios need to know about it."""

    size: int
    url: str
    backend: str
    manifest: dict[str, Any]
    built: bool = False
    seconds: float = 0.0

    @property
    def mentee_id(self) -> int:
        return self.manifest["mentee_ids"][0]


def fingerprint(size: int) -> str:
    """Changes whenever the generator, its words or the schema it loads into change."""
    digest = hashlib.sha256(f"{GENERATOR_VERSION}:{SEED}:{size}".encode())
    sources = [ROOT / "bench" / name for name in ("data.py", "words.py", "journey.py")]
    sources += sorted((ROOT / "migrations" / "versions").glob("*.py"))
    # Search index DDL may live beside the search code and be called by a migration.
    sources += sorted(p for p in (ROOT / "portal").rglob("*.py")
                      if "search" in p.name or "ddl" in p.name)
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def database_url(size: int, base_url: str | None = None) -> str:
    """Where a size lives: bench/out/portal-N.db, or a PostgreSQL database <name>_bench_N."""
    if not base_url:
        return f"sqlite:///{OUT / f'portal-{size}.db'}"
    url = sa.make_url(_driver(base_url))
    return url.set(database=f"{url.database}_bench_{size}").render_as_string(hide_password=False)


def _driver(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def ensure(size: int, base_url: str | None = None, *, force: bool = False,
           log=print) -> Dataset:
    """The database for ``size``, built now unless an unchanged build is there already."""
    url = database_url(size, base_url)
    backend = sa.make_url(url).get_backend_name()
    mark = fingerprint(size)
    if not force:
        manifest = _read_marker(url, mark)
        if manifest is not None:
            return Dataset(size, url, backend, manifest)
    started = time.perf_counter()
    log(f"Building {size:,} profiles on {backend} ...")
    rows = generate(size)
    if backend == "sqlite":
        final = Path(sa.make_url(url).database)
        building = final.with_suffix(".building.db")
        _remove_sqlite(building)
        build_url = f"sqlite:///{building}"
    else:
        build_url = url
        _recreate_pg_database(url)
    migrate(build_url)
    engine = sa.create_engine(build_url)
    try:
        with engine.begin() as conn:
            load(conn, rows)
        manifest = {**rows.manifest, **journey.make(build_url, rows.manifest)}
        with engine.begin() as conn:
            _write_marker(conn, mark, manifest)
        with engine.connect() as conn:
            after_load(conn)
    finally:
        engine.dispose()
    if backend == "sqlite":
        _remove_sqlite(final)
        building.rename(final)
    seconds = time.perf_counter() - started
    log(f"Built {size:,} profiles in {seconds:.1f} s")
    for skipped in manifest["journey_skipped"]:
        log(f"  the mentee has no {skipped}")
    return Dataset(size, url, backend, manifest, built=True, seconds=seconds)


def migrate(url: str) -> None:
    """Make the schema the way production does: `flask db upgrade heads`."""
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "FLASK_APP": "portal:create_app", "DATABASE_URL": url,
           "PORTAL_ENV": "development", "SECRET_KEY": "bench-migrations",
           "PORTAL_INSTANCE_PATH": str(OUT / "instance")}
    result = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade", "heads"], env=env,
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"flask db upgrade heads failed:\n{result.stdout}\n{result.stderr}")


def load(conn: sa.Connection, rows: Rows) -> None:
    """Insert every row in bulk, in dependency order, within the caller's transaction."""
    metadata = _metadata()
    index = _search_index()
    if index is not None:
        # The triggers would re-index a profile once per expertise row; building the index
        # once after the load gives the same index in a fraction of the time.
        index.remove_index(conn)
    for name in ("scheme", "user", "membership", "mentor_profile", "profile_expertise"):
        bulk_insert(conn, metadata.tables[name], rows.tables[name])
    if conn.dialect.name == "postgresql":
        for name in ("scheme", "user", "membership", "mentor_profile"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f"(SELECT max(id) FROM \"{name}\"))")
    if index is not None:
        index.install_index(conn)


def _search_index():
    """The search index module if it can take its index down and build it again from the rows
    (portal.mentors.search_index), else None: then its triggers keep it in step row by row."""
    try:
        from portal.mentors import search_index
    except ImportError:
        return None
    if callable(getattr(search_index, "remove_index", None)) and callable(
            getattr(search_index, "install_index", None)):
        return search_index
    return None


def _metadata() -> sa.MetaData:
    from portal import models  # noqa: F401  (registers every table)
    from portal.db import Base

    return Base.metadata


def bulk_insert(conn: sa.Connection, model: sa.Table, rows: list[dict]) -> None:
    """executemany on SQLite; COPY on PostgreSQL.

    Only the columns the migrations made are written: a column another area has added to a
    model but not yet to a migration is left out, and a column the rows leave out gets its
    Python-side default, so the build keeps working while the models move.
    """
    if not rows:
        return
    present = {c["name"] for c in sa.inspect(conn).get_columns(model.name)}
    unknown = set(rows[0]) - present
    if unknown:
        raise RuntimeError(f"{model.name} has no column {', '.join(sorted(unknown))}: "
                           "update bench/data.py to the schema")
    columns = [c for c in model.c if c.name in present]
    rows = complete(columns, rows)
    table = sa.Table(model.name, sa.MetaData(),
                     *(sa.Column(c.name, c.type, primary_key=c.primary_key)
                       for c in columns if c.name in rows[0]))
    if conn.dialect.name != "postgresql" or any(isinstance(c.type, sa.JSON) for c in table.c):
        conn.execute(table.insert(), rows)
        return
    names = list(rows[0])
    cursor = conn.connection.driver_connection.cursor()
    quoted = ", ".join(f'"{c}"' for c in names)
    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in names))


def complete(columns: Iterable[sa.Column], rows: list[dict]) -> list[dict]:
    """Add the Python-side default of each column the rows do not give (a server default or
    a generated value is left to the database)."""
    missing = {}
    for column in columns:
        default = column.default
        if (column.name in rows[0] or column.computed is not None
                or column.server_default is not None or default is None
                or not (default.is_scalar or default.is_callable)):
            continue
        missing[column.name] = default.arg(None) if default.is_callable else default.arg
    if not missing:
        return rows
    return [{**missing, **row} for row in rows]


def after_load(conn: sa.Connection) -> None:
    """Leave the database as a long-running one would be: statistics gathered on PostgreSQL
    (autovacuum does this), the SQLite write-ahead log folded back into the file."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _write_marker(conn: sa.Connection, mark: str, manifest: dict) -> None:
    conn.exec_driver_sql(f"CREATE TABLE {MARKER_TABLE} (fingerprint VARCHAR(32), manifest TEXT)")
    conn.execute(sa.text(f"INSERT INTO {MARKER_TABLE} VALUES (:f, :m)"),
                 {"f": mark, "m": json.dumps(manifest)})


def _read_marker(url: str, mark: str) -> dict | None:
    """The manifest of an existing build with this fingerprint, or None."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database).exists():
        return None
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text(f"SELECT fingerprint, manifest FROM {MARKER_TABLE}")).first()
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    if row is None or row[0] != mark:
        return None
    return json.loads(row[1])


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _recreate_pg_database(url: str) -> None:
    parsed = sa.make_url(url)
    name = parsed.database
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"unexpected database name {name!r}")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()


# --- sessions --------------------------------------------------------------------------------

def session_cookie(app, user_id: int | None = None, session_version: int = 1, *,
                   user_agent: str = USER_AGENT, remote_addr: str = "127.0.0.1") -> str:
    """A session cookie's value, as a browser holds it after a sign-in link (``user_id``) or
    after its first page (anonymous: only the CSRF token), so pages do not re-issue it."""
    from flask_login.utils import _create_identifier

    # A browser that has seen one page holds its CSRF token, and Flask-Login has marked the
    # anonymous session not fresh; sending the same keeps the cookie from being re-issued.
    data: dict[str, Any] = {"csrf_token": secrets.token_hex(20), "_fresh": False}
    if user_id is not None:
        with app.test_request_context(environ_base={"REMOTE_ADDR": remote_addr},
                                      headers={"User-Agent": user_agent}):
            identifier = _create_identifier()
        now = time.time()
        data.update({"_user_id": f"{user_id}:{session_version}", "_fresh": True,
                     "_id": identifier, "signed_in_at": now, "seen": now, "_permanent": True})
    return app.session_interface.get_signing_serializer(app).dumps(data)


def sizes(text: str) -> list[int]:
    """'1000,10k,100000' -> [1000, 10000, 100000]."""
    result = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        factor = 1000 if part.endswith("k") else 1
        result.append(int(part.rstrip("k")) * factor)
    if not result or any(n < 1 for n in result):
        raise ValueError(f"sizes must be positive numbers, not {text!r}")
    return result
