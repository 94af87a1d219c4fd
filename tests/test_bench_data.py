"""The benchmark's synthetic data: realistic, repeatable, built by the migrations and reused."""

from __future__ import annotations

import collections

import pytest
import sqlalchemy as sa

from bench import data
from tests.conftest import PG_URL


@pytest.fixture(scope="module")
def rows() -> data.Rows:
    return data.generate(1000)


def test_the_same_seed_gives_the_same_rows():
    assert data.generate(50).tables == data.generate(50).tables
    assert data.generate(50).tables != data.generate(50, seed=8).tables


def test_size_is_the_published_profiles_in_the_mentees_scheme(rows):
    profiles = rows.tables["mentor_profile"]
    national = [p for p in profiles if p["scheme_id"] == 1]
    assert sum(p["state"] == "published" for p in national) == 1000
    assert {p["state"] for p in national} == {"published", "draft", "hidden"}
    assert {p["scheme_id"] for p in profiles} == {1, 2, 3, 4, 5}
    assert rows.manifest["scheme_slug"] == data.NATIONAL


def test_some_mentors_are_not_accepting_or_are_full(rows):
    published = [p for p in rows.tables["mentor_profile"] if p["state"] == "published"]
    not_accepting = sum(not p["accepting"] for p in published) / len(published)
    full = sum(p["places_taken"] >= p["capacity"] for p in published) / len(published)
    assert 0.05 < not_accepting < 0.25
    assert 0.05 < full < 0.2
    assert all(0 <= p["places_taken"] <= p["capacity"] for p in published)


def test_expertise_comes_from_the_schemes_list_and_varies(rows):
    areas = {s["id"]: set(s["expertise_areas"]) for s in rows.tables["scheme"]}
    scheme_of = {p["id"]: p["scheme_id"] for p in rows.tables["mentor_profile"]}
    per_profile = collections.Counter(e["profile_id"] for e in rows.tables["profile_expertise"])
    assert all(e["area"] in areas[scheme_of[e["profile_id"]]]
               for e in rows.tables["profile_expertise"])
    assert set(per_profile.values()) == {1, 2, 3, 4}
    keys = [(e["profile_id"], e["area"]) for e in rows.tables["profile_expertise"]]
    assert len(keys) == len(set(keys))


def test_word_frequencies_are_zipf_like(rows):
    counts = collections.Counter(
        word.strip(".,").lower()
        for p in rows.tables["mentor_profile"]
        for word in f"{p['background']} {p['offer']} {p['experience']}".split())
    ranked = [n for _, n in counts.most_common()]
    # A few words are everywhere; most are rare.
    assert ranked[0] > 20 * ranked[len(ranked) // 2]
    assert sum(1 for n in ranked if n <= 5) > len(ranked) / 4


def test_people_are_unique_and_mentees_are_in_the_national_scheme(rows):
    emails = [u["email"] for u in rows.tables["user"]]
    assert len(emails) == len(set(emails))
    mentee_ids = set(rows.manifest["mentee_ids"])
    assert len(mentee_ids) == 5
    members = {(m["user_id"], m["role"], m["scheme_id"]) for m in rows.tables["membership"]}
    assert all((uid, "mentee", 1) in members for uid in mentee_ids)
    # Some mentors are mentees too.
    both = {uid for uid, role, _ in members if role == "mentee"} & {
        p["user_id"] for p in rows.tables["mentor_profile"]}
    assert both


def test_profile_sample_is_published_profiles_of_the_national_scheme(rows):
    published = {p["id"] for p in rows.tables["mentor_profile"]
                 if p["state"] == "published" and p["scheme_id"] == 1}
    sample = rows.manifest["profile_ids"]
    assert len(sample) == data.PROFILE_SAMPLE == len(set(sample))
    assert set(sample) <= published


def test_zipf_draws_the_head_often_and_the_tail_rarely():
    import random

    rng = random.Random(1)
    zipf = data.Zipf(list(range(100)))
    draws = collections.Counter(zipf.one(rng) for _ in range(20_000))
    assert draws[0] > 10 * draws[99]
    some = zipf.some(rng, 5)
    assert len(some) == len(set(some)) == 5


def test_sizes_are_read_from_the_command_line():
    assert data.sizes("1000, 10k,100_000") == [1000, 10_000, 100_000]
    with pytest.raises(ValueError):
        data.sizes("0")


def test_a_size_is_built_by_the_migrations_and_then_reused(tmp_path, monkeypatch):
    base = PG_URL or None
    monkeypatch.setattr(data, "OUT", tmp_path)
    messages = []
    built = data.ensure(30, base, force=True, log=messages.append)
    assert built.built and messages
    engine = sa.create_engine(built.url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert "alembic_version" in tables  # made by `flask db upgrade heads`
            published = conn.scalar(sa.text(
                "SELECT count(*) FROM mentor_profile WHERE state = 'published' "
                "AND scheme_id = 1"))
            assert published == 30
            assert conn.scalar(sa.text("SELECT count(*) FROM profile_expertise")) == len(
                data.generate(30).tables["profile_expertise"])
    finally:
        engine.dispose()
    _assert_search_index_complete(built.url)
    again = data.ensure(30, base, log=messages.append)
    assert not again.built
    assert again.manifest == built.manifest
    if PG_URL:
        _drop(built.url)


def _assert_search_index_complete(url: str) -> None:
    """The index built after the bulk load is the one the triggers would have kept."""
    from portal.mentors import search_index as search

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            expected = collections.defaultdict(set)
            for profile_id, area in conn.execute(sa.text(
                    "SELECT profile_id, area FROM profile_expertise")):
                expected[profile_id].add(area)
            texts = {pid: text for pid, text in conn.execute(sa.text(
                "SELECT id, expertise_text FROM mentor_profile"))}
            assert {pid: set(text.split(", ")) for pid, text in texts.items() if text} == expected
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) "
                                     "VALUES ('integrity-check')")
                hits = conn.scalar(sa.text(f"SELECT count(*) FROM {search.FTS_TABLE} "
                                           f"WHERE {search.FTS_TABLE} MATCH 'public'"))
            else:
                hits = conn.scalar(sa.text(f"SELECT count(*) FROM mentor_profile WHERE "
                                           f"{search.PG_VECTOR} @@ to_tsquery('english', "
                                           "'public')"))
            # Every profile is in some sector; "public" is in most of their texts.
            assert hits > 0
    finally:
        engine.dispose()


def _drop(url: str) -> None:
    parsed = sa.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    admin.dispose()


def test_a_mentees_session_cookie_signs_them_in(app, client, make):
    scheme = make.scheme()
    mentee = make.mentee(scheme, name="Priya Shah")
    client.set_cookie("session", data.session_cookie(app, mentee.id))
    page = client.get("/dashboard", headers={"User-Agent": data.USER_AGENT})
    assert page.status_code == 200
    assert "Priya Shah" in page.get_data(as_text=True)


def test_a_visitors_cookie_is_not_issued_again(app, client):
    client.set_cookie("session", data.session_cookie(app))
    page = client.get("/", headers={"User-Agent": data.USER_AGENT})
    assert page.status_code == 200
    assert "Set-Cookie" not in page.headers
