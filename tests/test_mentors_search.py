"""Searching for a mentor: relevance, every filter, pages, htmx, and staying in step with edits."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from portal.accounts.models import Membership, Role
from portal.extensions import db
from portal.mentors.models import MentorProfile, ProfileExpertise, ProfileState
from tests.test_migrations import empty_database  # noqa: F401  (a fixture)

AREAS = ["Leadership", "Planning policy", "Development management", "Project management",
         "Finance"]


def names(response) -> list[str]:
    """The mentors on a results page, in order."""
    assert response.status_code == 200, response.status_code
    return re.findall(r'<h3 class="govuk-heading-m">'
                      r'<a class="govuk-link" href="/mentors/\d+">([^<]+)</a></h3>',
                      response.get_data(as_text=True))


@pytest.fixture
def scheme(make):
    return make.scheme(expertise_areas=AREAS)


@pytest.fixture
def mentee(make, login, scheme):
    person = make.mentee(scheme)
    login(person)
    return person


def test_a_match_in_job_title_and_expertise_ranks_above_one_in_the_background(
        client, make, scheme, mentee):
    make.mentor(scheme, name="Bea Background", job_title="Planning officer",
                expertise=["Planning policy"],
                background="I spent a year on a finance project before moving into planning, "
                           "and since then my work has been on local plans and appeals.")
    make.mentor(scheme, name="Fin Title", job_title="Finance business partner",
                expertise=["Finance"], background="Budgets for the planning service.")
    make.mentor(scheme, name="No Match", job_title="Planning officer", background="Appeals.")
    assert names(client.get("/search?q=finance")) == ["Fin Title", "Bea Background"]


def test_matches_rank_by_where_the_words_are_then_free_places_then_name(
        client, make, scheme, mentee):
    make.mentor(scheme, name="Ann Anywhere", job_title="Officer", organisation="Arup",
                offer="Mentoring.", background="Coaching in finance teams.")
    make.mentor(scheme, name="Ben Offer", job_title="Officer", offer="Finance coaching.")
    make.mentor(scheme, name="Cal Full", job_title="Finance lead", capacity=1, places_taken=1)
    make.mentor(scheme, name="Dee Closed", job_title="Finance lead", accepting=False)
    make.mentor(scheme, name="Zoe Title", job_title="Finance lead")
    # Name, job title or expertise; then organisation or offer; then anywhere. Within a tier,
    # mentors with a place free come first, then by name.
    assert names(client.get("/search?q=finance")) == [
        "Zoe Title", "Cal Full", "Dee Closed", "Ben Offer", "Ann Anywhere"]
    text = client.get("/search?q=finance").get_data(as_text=True)
    assert "5 mentors found" in text and "Best matches first." in text


def test_past_the_window_the_count_says_more_than_and_the_best_still_come_first(
        app, client, make, scheme, mentee, count_queries):
    """Ranking looks at a bounded window per tier, so a strong match found late in the index
    still comes first, and the count stops at the window."""
    app.config["SEARCH_RANK_WINDOW"] = 3
    app.config["SEARCH_PAGE_SIZE"] = 2
    for name in ["Ada", "Bo", "Cy", "Di", "Ed"]:
        make.mentor(scheme, name=f"{name} Background", job_title="Officer",
                    background="Some finance work, years ago.")
    make.mentor(scheme, name="Late Title", job_title="Head of finance")

    with count_queries() as counter:
        response = client.get("/search?q=finance", headers={"HX-Request": "true"})
    shown = names(response)
    assert shown[0] == "Late Title" and len(shown) == 2
    text = response.get_data(as_text=True)
    assert "More than 3 mentors found" in text
    assert "Add words or filters to narrow your search." in text
    assert "Page 1 of 2" in text  # the window's matches, a page at a time

    # Under the window: the exact count, and the same statements for the page.
    app.config["SEARCH_RANK_WINDOW"] = 50
    with count_queries() as under:
        text = client.get("/search?q=finance", headers={"HX-Request": "true"}).get_data(
            as_text=True)
    assert "6 mentors found" in text and "More than" not in text
    assert under.count == counter.count


def test_the_tier_index_keeps_in_step_with_edits_and_expertise(client, make, scheme, mentee):
    """The first tiers read their own index; edits, expertise rows and deletions reach it."""
    first = make.mentor(scheme, name="Ann Smith", job_title="Officer",
                        background="I started in harbour operations.")
    second = make.mentor(scheme, name="Ben Later", job_title="Officer")
    assert names(client.get("/search?q=harbour")) == ["Ann Smith"]

    second.job_title = "Harbour master"
    db.session.commit()
    assert names(client.get("/search?q=harbour")) == ["Ben Later", "Ann Smith"]

    second.job_title = "Officer"
    db.session.add(ProfileExpertise(profile_id=first.id, area="Harbours"))
    db.session.commit()
    assert names(client.get("/search?q=harbour")) == ["Ann Smith"]

    db.session.execute(sa.delete(ProfileExpertise).where(ProfileExpertise.area == "Harbours"))
    db.session.execute(sa.update(MentorProfile).where(MentorProfile.id == second.id)
                       .values(organisation="Harbour Trust"))
    db.session.commit()
    assert names(client.get("/search?q=harbour")) == ["Ben Later", "Ann Smith"]


def test_a_search_without_words_past_the_window_also_says_more_than(app, client, make, scheme,
                                                                     mentee):
    app.config["SEARCH_RANK_WINDOW"] = 2
    app.config["SEARCH_PAGE_SIZE"] = 1
    for name in ["Ann", "Ben", "Cat"]:
        make.mentor(scheme, name=f"{name} Mentor")
    text = client.get("/search").get_data(as_text=True)
    assert "More than 2 mentors found" in text and "Page 1 of 2" in text
    assert names(client.get("/search?page=2")) == ["Ben Mentor"]


def test_an_unfinished_last_word_finds_the_words_it_begins(client, make, scheme, mentee):
    make.mentor(scheme, name="Pat Planner", job_title="Planning officer")
    make.mentor(scheme, name="Lee Leader", job_title="Team leader", background="I lead a team.")
    assert names(client.get("/search?q=plann")) == ["Pat Planner"]
    # Pat's expertise, Leadership, is of the same family: after the word itself.
    assert names(client.get("/search?q=leade")) == ["Lee Leader", "Pat Planner"]


def test_filters_on_text_need_the_words_in_that_field(client, make, scheme, mentee):
    """Location and organisation go through the index too; the word elsewhere is not enough."""
    make.mentor(scheme, name="In Watford", location="Watford", organisation="Arup")
    make.mentor(scheme, name="Mentions Watford", location="Hertford",
                background="I grew up in Watford.", organisation="Watford Borough Council")
    assert names(client.get("/search?location=Watford")) == ["In Watford"]
    assert names(client.get("/search?q=planner&location=watford")) == ["In Watford"]
    assert names(client.get("/search?organisation=watford")) == ["Mentions Watford"]
    assert names(client.get("/search?organisation=arup&location=hertford")) == []


def test_an_expertise_filter_goes_by_the_area_not_its_words(client, make, scheme, mentee):
    make.mentor(scheme, name="Policy Only", expertise=["Planning policy"])
    make.mentor(scheme, name="Planning And Policy", expertise=["Development management"],
                job_title="Planning policy lead")
    make.mentor(scheme, name="Project Manager", expertise=["Project management"])
    assert names(client.get("/search?expertise=Planning+policy")) == ["Policy Only"]
    assert names(client.get("/search?q=planning&expertise=Planning+policy")) == ["Policy Only"]
    assert sorted(names(client.get(
        "/search?expertise=Planning+policy&expertise=Project+management"))) == [
        "Policy Only", "Project Manager"]


def test_every_word_ranks_first_and_the_last_word_may_be_unfinished(client, make, scheme,
                                                                      mentee):
    """Profiles with every word come first; with few of them, those with some of the words
    follow under a heading of their own."""
    make.mentor(scheme, name="Both Words", job_title="Finance manager",
                offer="Coaching for new team leaders.")
    make.mentor(scheme, name="One Word", job_title="Finance officer", offer="Spreadsheets.")
    response = client.get("/search?q=finance+coaching")
    assert names(response) == ["Both Words", "One Word"]
    text = response.get_data(as_text=True)
    assert text.index("Both Words") < text.index("Mentors matching some of your words") < \
        text.index("One Word")
    assert "Mentors matching some of your words" not in client.get(
        "/search?q=finance").get_data(as_text=True)
    assert sorted(names(client.get("/search?q=financ"))) == ["Both Words", "One Word"]
    assert names(client.get("/search?q=coach")) == ["Both Words"]


def test_search_covers_every_profile_text(client, make, scheme, mentee):
    fields = {"display_name": "Zelda Quint", "job_title": "Harbourmaster",
              "organisation": "Lowestoft Port Authority", "background": "Dredging schedules",
              "offer": "Tideway navigation", "experience": "Shadowing lighthouse keepers",
              "location": "Felixstowe"}
    profile = make.mentor(scheme, expertise=["Project management"], **{
        k: v for k, v in fields.items() if k != "display_name"}, name=fields["display_name"])
    for word in ["zelda", "harbourmaster", "lowestoft", "dredging", "tideway", "lighthouse",
                 "felixstowe", "project"]:
        assert names(client.get(f"/search?q={word}")) == [profile.display_name], word


# --- filters -------------------------------------------------------------------------------------

@pytest.fixture
def varied(make, scheme):
    """Four mentors who differ in every filterable way."""
    make.mentor(scheme, name="Alex Public", organisation="Hertfordshire County Council",
                sector="public", grade="Grade 7", meeting_format="in_person",
                location="Hertford", expertise=["Leadership"], capacity=2, places_taken=0)
    make.mentor(scheme, name="Bo Private", organisation="Arup", sector="private",
                grade="Associate director", meeting_format="online", location="London",
                expertise=["Finance", "Project management"], capacity=1, places_taken=1)
    make.mentor(scheme, name="Cy Voluntary", organisation="Groundwork East",
                sector="voluntary", grade="Senior officer", meeting_format="either",
                location="Cambridge", expertise=["Planning policy"], capacity=3,
                accepting=False)
    make.mentor(scheme, name="Di Council", organisation="Watford Borough Council",
                sector="public", grade="Principal planner", meeting_format="either",
                location="Watford", expertise=["Development management", "Leadership"],
                capacity=2, places_taken=1)


@pytest.mark.parametrize("query,expected", [
    ("", ["Alex Public", "Bo Private", "Cy Voluntary", "Di Council"]),
    ("expertise=Leadership", ["Alex Public", "Di Council"]),
    ("expertise=Finance&expertise=Planning+policy", ["Bo Private", "Cy Voluntary"]),
    ("organisation=council", ["Alex Public", "Di Council"]),
    ("organisation=ARUP", ["Bo Private"]),
    ("sector=public", ["Alex Public", "Di Council"]),
    ("sector=voluntary", ["Cy Voluntary"]),
    ("level=principal", ["Di Council"]),
    ("level=grade+7", ["Alex Public"]),
    # A mentor who meets either way suits someone who wants to meet in person, or online.
    ("format=in_person", ["Alex Public", "Cy Voluntary", "Di Council"]),
    ("format=online", ["Bo Private", "Cy Voluntary", "Di Council"]),
    ("location=watford", ["Di Council"]),
    # Bo has no place free and Cy is not taking new mentees.
    ("capacity=y", ["Alex Public", "Di Council"]),
    ("sector=public&format=online&capacity=y", ["Di Council"]),
    ("q=council&expertise=Development+management", ["Di Council"]),
])
def test_filters(client, varied, mentee, query, expected):
    assert names(client.get(f"/search?{query}")) == expected


@pytest.mark.parametrize("query", ["sector=imaginary", "format=by+pigeon", "page=minus",
                                   "expertise=Not+an+area", "scheme=99999", "page=0"])
def test_a_bad_filter_value_is_ignored_not_an_error(client, varied, mentee, query):
    assert len(names(client.get(f"/search?{query}"))) == 4


def test_like_wildcards_in_a_filter_are_taken_literally(client, varied, mentee):
    assert names(client.get("/search?organisation=%25")) == []
    assert names(client.get("/search?organisation=_")) == []


# --- what may be found ---------------------------------------------------------------------------

def test_only_published_profiles_from_the_mentees_schemes_are_found(client, make, scheme, mentee):
    other = make.scheme()
    make.mentor(scheme, name="Shown Here", job_title="Finance lead")
    make.mentor(scheme, name="Still Drafting", job_title="Finance lead", state=ProfileState.DRAFT)
    make.mentor(scheme, name="Taking A Break", job_title="Finance lead",
                state=ProfileState.HIDDEN)
    make.mentor(other, name="Other Scheme", job_title="Finance lead")
    assert names(client.get("/search?q=finance")) == ["Shown Here"]
    assert names(client.get(f"/search?q=finance&scheme={other.id}")) == ["Shown Here"]


def test_a_mentee_in_two_schemes_can_narrow_to_one(client, make, scheme, mentee):
    second = make.scheme(name="Second scheme")
    mentee.memberships.append(Membership(scheme=second, role=Role.MENTEE))
    db.session.commit()
    make.mentor(scheme, name="First Mentor")
    make.mentor(second, name="Second Mentor")
    page = client.get("/search")
    assert names(page) == ["First Mentor", "Second Mentor"]
    assert "All your schemes" in page.get_data(as_text=True)
    assert names(client.get(f"/search?scheme={second.id}")) == ["Second Mentor"]


def test_a_mentor_who_is_also_a_mentee_does_not_find_themselves(client, make, scheme, login):
    profile = make.mentor(scheme, name="Both Roles")
    profile.user.memberships.append(Membership(scheme=scheme, role=Role.MENTEE))
    db.session.commit()
    make.mentor(scheme, name="Someone Else")
    login(profile.user)
    assert names(client.get("/search")) == ["Someone Else"]


# --- in step with edits --------------------------------------------------------------------------

def test_a_profile_edit_shows_up_in_search_and_hiding_takes_it_out(client, make, scheme, login):
    profile = make.mentor(scheme, name="Rae Editor", job_title="Planning officer")
    mentee = make.mentee(scheme)
    login(mentee)
    assert names(client.get("/search?q=conservation")) == []

    login(profile.user)
    client.post_form(f"/mentors/{profile.id}/edit", {
        "display_name": "Rae Editor", "job_title": "Conservation officer",
        "organisation": "Test Borough Council", "sector": "public",
        "expertise": ["Finance"], "background": "Listed buildings.", "offer": "Site visits.",
        "meeting_format": "either", "location": "St Albans", "capacity": "2", "accepting": "y"})

    login(mentee)
    assert names(client.get("/search?q=conservation")) == ["Rae Editor"]
    assert names(client.get("/search?q=finance")) == ["Rae Editor"]  # new expertise indexed
    assert names(client.get("/search?q=leadership")) == []  # old expertise gone
    assert names(client.get("/search?expertise=Finance")) == ["Rae Editor"]

    login(profile.user)
    assert client.post_form(f"/mentors/{profile.id}/hide").status_code == 303
    login(mentee)
    assert names(client.get("/search?q=conservation")) == []


def test_rows_written_straight_to_the_database_are_indexed(client, make, scheme, mentee):
    """Demo data and bulk loaders insert rows without the ORM's help."""
    owner = make.user()
    with db.engine.begin() as conn:
        conn.execute(sa.insert(MentorProfile.__table__).values(
            user_id=owner.id, scheme_id=scheme.id, display_name="Bulk Loaded",
            job_title="Highways engineer", organisation="", sector="public", grade="",
            background="", offer="", experience="", meeting_format="either", location="",
            capacity=2, accepting=True, places_taken=0, state="published",
            created_at=sa.func.current_timestamp(), updated_at=sa.func.current_timestamp()))
        profile_id = conn.execute(sa.select(MentorProfile.id).where(
            MentorProfile.display_name == "Bulk Loaded")).scalar_one()
        conn.execute(sa.insert(ProfileExpertise.__table__),
                     [{"profile_id": profile_id, "area": "Finance"},
                      {"profile_id": profile_id, "area": "Leadership"}])
    assert names(client.get("/search?q=highways")) == ["Bulk Loaded"]
    assert names(client.get("/search?q=finance")) == ["Bulk Loaded"]
    with db.engine.begin() as conn:
        conn.execute(sa.delete(ProfileExpertise.__table__).where(
            ProfileExpertise.profile_id == profile_id, ProfileExpertise.area == "Finance"))
    assert names(client.get("/search?q=finance")) == []
    assert names(client.get("/search?q=leadership")) == ["Bulk Loaded"]
    with db.engine.begin() as conn:
        conn.execute(sa.delete(MentorProfile.__table__).where(MentorProfile.id == profile_id))
    assert names(client.get("/search?q=leadership")) == []


# --- what people type ----------------------------------------------------------------------------

@pytest.mark.parametrize("q", ['"', "'", "?!*", "()", "-", "^", ":", "&|!", "NEAR(", "AND",
                               'finance"', "fin*", "o'brien", 'a" OR "b', "col:finance",
                               "x" * 300, "the of and", "£€ — …"])
def test_any_text_is_safe_to_search(client, make, scheme, mentee, q):
    make.mentor(scheme, name="Only Mentor", job_title="Finance officer")
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200


@pytest.mark.parametrize("q", ["?!*", '"', "   ", "the of and"])
def test_a_query_without_words_shows_everyone(client, make, scheme, mentee, q):
    make.mentor(scheme, name="Ann One")
    make.mentor(scheme, name="Ben Two")
    assert names(client.get("/search", query_string={"q": q})) == ["Ann One", "Ben Two"]


def test_quotes_and_apostrophes_still_find_the_words(client, make, scheme, mentee):
    make.mentor(scheme, name="Niamh O'Brien", job_title="Finance officer")
    assert names(client.get("/search", query_string={"q": "o'brien"})) == ["Niamh O&#39;Brien"]
    assert names(client.get("/search", query_string={"q": '"finance officer"'})) == [
        "Niamh O&#39;Brien"]


# --- pages ---------------------------------------------------------------------------------------

def test_results_come_in_pages(app, client, make, scheme, mentee):
    app.config["SEARCH_PAGE_SIZE"] = 2
    for name in ["Ann", "Ben", "Cat", "Dev", "Eve"]:
        make.mentor(scheme, name=f"{name} Mentor")
    first = client.get("/search")
    assert names(first) == ["Ann Mentor", "Ben Mentor"]
    text = first.get_data(as_text=True)
    assert "5 mentors found" in text and "Page 1 of 3" in text
    assert 'href="/search?page=2"' in text
    assert names(client.get("/search?page=2")) == ["Cat Mentor", "Dev Mentor"]
    assert names(client.get("/search?page=3")) == ["Eve Mentor"]
    assert names(client.get("/search?page=99")) == ["Eve Mentor"]  # past the end: the last page


def test_page_links_keep_the_search_and_filters(app, client, make, scheme, mentee):
    app.config["SEARCH_PAGE_SIZE"] = 1
    make.mentor(scheme, name="Ann Finance", job_title="Finance officer", expertise=["Finance"])
    make.mentor(scheme, name="Ben Finance", job_title="Finance officer", expertise=["Finance"])
    text = client.get("/search?q=finance&expertise=Finance").get_data(as_text=True)
    assert 'href="/search?q=finance&amp;expertise=Finance&amp;page=2"' in text


# --- htmx and plain pages ------------------------------------------------------------------------

def test_the_plain_page_is_a_get_form_with_a_bookmarkable_url(client, make, scheme, mentee):
    make.mentor(scheme, name="Ann Finance", job_title="Finance officer")
    response = client.get("/search?q=finance")
    text = response.get_data(as_text=True)
    assert "<html" in text
    assert re.search(r'<form method="get" action="/search" role="search"', text)
    assert 'value="finance"' in text
    assert 'hx-get="/search"' in text and 'hx-push-url="true"' in text
    assert ('hx-trigger="input changed delay:300ms from:#q, search from:#q, '
            'change from:#search-filters"') in text
    assert names(response) == ["Ann Finance"]
    assert "HX-Request" in response.headers["Vary"]


def test_an_htmx_request_gets_only_the_results(client, make, scheme, mentee):
    make.mentor(scheme, name="Ann Finance", job_title="Finance officer")
    response = client.get("/search?q=finance", headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in text and "<form method=\"get\"" not in text
    assert names(response) == ["Ann Finance"]
    assert 'id="search-status"' in text and 'hx-swap-oob="true"' in text
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_results_page_runs_the_same_queries_for_2_or_12_results(client, make, scheme, mentee,
                                                                     count_queries):
    def queries_for_page() -> int:
        with count_queries() as counter:
            response = client.get("/search?q=planner&expertise=Leadership",
                                  headers={"HX-Request": "true"})
        assert response.status_code == 200
        return counter.count, len(names(response))

    for _ in range(2):
        make.mentor(scheme, expertise=["Leadership", "Finance"])
    few, shown = queries_for_page()
    assert shown == 2
    for _ in range(10):
        make.mentor(scheme, expertise=["Leadership", "Finance"])
    many, shown = queries_for_page()
    assert shown == 12
    assert many == few


def test_search_is_for_mentees(client, make, scheme, login):
    assert client.get("/search").status_code == 302
    login(make.mentor(scheme).user)
    assert client.get("/search").status_code == 403


def test_dashboard_points_a_mentee_to_search(client, make, scheme, mentee):
    text = client.get("/dashboard").get_data(as_text=True)
    assert "Find a mentor" in text and 'href="/search"' in text


def test_migrating_an_existing_database_indexes_the_profiles_already_there(tmp_path,
                                                                          empty_database):  # noqa: F811
    """The 0002 migration fills the index from rows written before it."""
    from flask_migrate import upgrade

    from portal.mentors import search_index as search
    from tests.conftest import make_app

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            for statement in OLD_ROWS:
                conn.exec_driver_sql(statement)
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                found = conn.exec_driver_sql(
                    f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH "
                    "'\"records\" \"archivist\"'").scalars().all()
            else:
                found = conn.exec_driver_sql(
                    f"SELECT id FROM mentor_profile WHERE {search.PG_VECTOR} @@ "
                    "to_tsquery('english', 'records & archivist')").scalars().all()
        assert found == [1]
        db.session.remove()
        db.engine.dispose()


OLD_ROWS = [
    "INSERT INTO scheme (id, slug, name, summary, about, admin_email, mentor_eligibility, "
    "mentee_eligibility, needs_line_manager_approval, max_open_requests, shortlist_limit, "
    "request_reminder_days, request_expiry_days, retention_years, expertise_areas, "
    "agreement_template, evaluation_form, created_at, updated_at) VALUES (1, 's', 'S', '', '', "
    "'a@testborough.gov.uk', '', '', FALSE, 3, 5, 3, 7, 6, '[]', '{}', '{}', '2026-01-01', "
    "'2026-01-01')",
    "INSERT INTO \"user\" (id, email, full_name, session_version, created_at) "
    "VALUES (1, 'm@testborough.gov.uk', 'M', 1, '2026-01-01')",
    "INSERT INTO mentor_profile (id, user_id, scheme_id, display_name, job_title, organisation, "
    "sector, grade, background, offer, experience, meeting_format, location, capacity, "
    "accepting, places_taken, state, created_at, updated_at) VALUES (1, 1, 1, 'Old Profile', "
    "'Archivist', '', 'public', '', '', '', '', 'either', '', 2, TRUE, 0, 'published', "
    "'2026-01-01', '2026-01-01')",
    "INSERT INTO profile_expertise (profile_id, area) VALUES (1, 'Records')",
]


# --- abbreviations and synonyms ------------------------------------------------------------------

def test_a_schemes_abbreviations_find_every_form_in_words_and_organisation(client, make, scheme,
                                                                          mentee):
    scheme.search_synonyms = [["TfL", "Transport for London"], ["s106", "section 106"]]
    db.session.commit()
    make.mentor(scheme, name="Long Form", organisation="Transport for London",
                job_title="Network planner")
    make.mentor(scheme, name="Short Form", organisation="TfL", job_title="Engineer")
    make.mentor(scheme, name="Only Transport", organisation="Hertfordshire County Council",
                job_title="Transport planner", background="Bus routes into London.")
    make.mentor(scheme, name="Obligations", job_title="Section 106 officer")
    make.mentor(scheme, name="Agreements", background="Drafting s106 agreements.")
    assert sorted(names(client.get("/search?q=tfl"))) == ["Long Form", "Short Form"]
    assert sorted(names(client.get("/search?q=transport+for+london"))) == [
        "Long Form", "Short Form"]
    assert sorted(names(client.get("/search?organisation=TfL"))) == ["Long Form", "Short Form"]
    assert sorted(names(client.get("/search?organisation=transport+for+london"))) == [
        "Long Form", "Short Form"]
    assert names(client.get("/search?q=s106")) == ["Obligations", "Agreements"]
    assert names(client.get("/search?q=section+106")) == ["Obligations", "Agreements"]


def test_another_schemes_abbreviations_do_not_apply(client, make, scheme, mentee):
    other = make.scheme(name="Elsewhere")
    other.search_synonyms = [["TfL", "Transport for London"]]
    db.session.commit()
    make.mentor(scheme, name="Long Form", organisation="Transport for London")
    assert names(client.get("/search?q=tfl")) == []


def _pack_with_search(table: str) -> str:
    from portal.schemes.packs import PACK_DIR

    text = (PACK_DIR / "act-project.toml").read_text(encoding="utf-8")
    return text.split("\n# Abbreviations people search by")[0] + "\n" + table + "\n"


@pytest.mark.parametrize("table,error", [
    ('[search]\nsynonyms = "TfL"', "search synonyms must be a list of groups"),
    ('[search]\nsynonyms = [["TfL"]]', "each search synonyms group must list 2 to"),
    ('[search]\nsynonyms = [["TfL", 3]]', "each search synonyms group must list 2 to"),
    ('[search]\nsynonyms = [["TfL", "!!"]]', "each search synonyms group must list 2 to"),
    ('[search]\nsynonyms = [["TfL", "Transport for London"], ["tfl", "Trains"]]',
     "search synonyms has 'tfl' twice"),
    ('[search]\nsynonym = []', "search has unknown settings: synonym"),
    ('search = "tfl"', "search must be a table"),
])
def test_a_packs_search_table_is_checked(tmp_path, table, error):
    from portal.schemes.packs import PackError, read_pack

    path = tmp_path / "broken.toml"
    text = _pack_with_search(table)
    if not table.startswith("["):
        text = text.replace('slug = "act-project"', f'slug = "act-project"\n{table}').rsplit(
            "\n" + table + "\n", 1)[0] + "\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError, match=re.escape(error)):
        read_pack(path)


def test_loading_the_packs_stores_their_abbreviations(runner):
    from portal.schemes.models import Scheme

    assert runner.invoke(args=["schemes", "load"]).exit_code == 0
    gla = db.session.scalar(sa.select(Scheme).where(Scheme.slug == "gla-group"))
    herts = db.session.scalar(sa.select(Scheme).where(Scheme.slug == "herts-planning"))
    assert ["TfL", "Transport for London"] in gla.search_synonyms
    assert ["LFB", "London Fire Brigade"] in gla.search_synonyms
    assert any("s106" in group and "section 106" in group for group in herts.search_synonyms)


# --- spelling, some words, and nothing found -----------------------------------------------------

def test_a_misspelt_word_gets_a_did_you_mean_link_that_runs_the_corrected_search(
        client, make, scheme, mentee):
    make.mentor(scheme, name="Lea Dership", job_title="Leadership coach",
                expertise=["Leadership"], location="Watford")
    other = make.scheme(name="Elsewhere")
    make.mentor(other, name="Far Away", job_title="Harbourmaster")
    text = client.get("/search?q=leadrship&location=watford").get_data(as_text=True)
    link = re.search(r'Did you mean <a class="govuk-link" href="([^"]+)">([^<]+)</a>\?', text)
    assert link and link.group(2) == "leadership"
    assert "location=watford" in link.group(1)
    assert names(client.get(link.group(1).replace("&amp;", "&"))) == ["Lea Dership"]
    # Words from other schemes are never suggested; a word profiles have needs no suggestion.
    assert "Did you mean" not in client.get("/search?q=harbourmastr").get_data(as_text=True)
    assert "Did you mean" not in client.get("/search?q=leadership").get_data(as_text=True)


def test_nothing_found_offers_each_filter_to_drop_and_the_expertise_to_browse(
        client, make, scheme, mentee):
    make.mentor(scheme, name="Only Mentor", job_title="Finance officer", location="Hertford",
                expertise=["Finance"])
    response = client.get("/search?q=finance&location=cambridge&sector=private")
    assert names(response) == []
    text = response.get_data(as_text=True)
    drops = re.search(r'<ul class="govuk-list govuk-list--bullet" id="search-drops">(.*?)</ul>',
                      text, re.S).group(1)
    assert "location, \u201ccambridge\u201d" in drops
    without_location = re.search(r'href="([^"]+)">location', drops).group(1).replace("&amp;", "&")
    assert "location" not in without_location and "sector=private" in without_location
    assert names(client.get(re.search(r'href="([^"]+)">private sector', drops).group(1)
                            .replace("&amp;", "&"))) == []
    browse = re.search(r'id="search-expertise">(.*?)</ul>', text, re.S).group(1)
    assert re.findall(r">([^<]+)</a>", browse) == sorted(AREAS)
    assert names(client.get("/search?expertise=Finance")) == ["Only Mentor"]


# --- the cards and filters are what GOV.UK Frontend's macros write ------------------------------

_CARD_PARTS = """{% import "mentors/_macros.html" as m %}
{% from "govuk_frontend_jinja/components/summary-list/macro.html" import govukSummaryList %}
{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}
{% set facts = [{"key": {"text": "Sector"}, "value": {"text": m.sector(profile.sector)}}] %}
{% if profile.grade %}{% do facts.append({"key": {"text": "Grade or level"}, "value": {"text": profile.grade}}) %}{% endif %}
{% if profile.expertise %}{% do facts.append({"key": {"text": "Expertise"}, "value": {"text": profile.expertise|join(', ')}}) %}{% endif %}
{% set meet %}{{ m.meeting(profile.meeting_format) }}{% if profile.location %}, {{ profile.location }}{% endif %}{% endset %}
{% do facts.append({"key": {"text": "Can meet"}, "value": {"text": meet}}) %}
{{ govukSummaryList({"rows": facts, "classes": "govuk-summary-list--no-border govuk-!-font-size-16 govuk-!-margin-bottom-2"}) }}
\x00{{ govukButton({"html": label, "classes": "govuk-button--secondary govuk-!-margin-bottom-4", "id": "shortlist-" ~ profile.id}) }}"""  # noqa: E501


def test_each_card_is_what_the_govuk_macros_write_for_its_own_mentor(app, client, make, scheme,
                                                                     mentee):
    # The page calls each component's macro once and reuses its output (templating.reuse):
    # every card must still hold exactly what the macro writes for that mentor, including
    # texts that need escaping, which reuse leaves to the macro.
    made = [make.mentor(scheme, name=name, job_title="Finance officer", grade=grade,
                        expertise=expertise, location=location)
            for name, grade, expertise, location in [
                ("Ann Plain", "Grade 7", ["Finance"], "Hertford"),
                ("Bea O'Brien", "SEO & G7", ["Finance", "Leadership"], "St Albans"),
                ("Cal <Angle>", "", ["Finance"], "Ware & Hoddesdon"),
                ("Dee Plain", "Band 8a", ["Finance", "Planning policy"], ""),
            ]]
    client.post_form(f"/shortlist/{made[1].id}/add", {"next": "/search"})
    text = client.get("/search?q=finance").get_data(as_text=True)
    assert sorted(names_in(text)) == sorted(p.display_name for p in made)
    with app.test_request_context():
        for profile in made:
            db.session.refresh(profile)
            verb, where = ("Remove", "from") if profile.id == made[1].id else ("Add", "to")
            label = Markup('{}<span class="govuk-visually-hidden"> {}</span> {} shortlist').format(
                Markup(verb), profile.display_name, Markup(where))
            summary, button = app.jinja_env.from_string(_CARD_PARTS).render(
                profile=profile, label=label).split("\x00")
            assert summary.strip() in text, profile.display_name
            assert button.strip() in text, profile.display_name


def names_in(text: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(
        r'<h3 class="govuk-heading-m"><a class="govuk-link" href="/mentors/\d+">([^<]+)</a></h3>',
        text)]


def test_the_filters_show_what_each_search_chose_and_the_schemes_areas_now(client, make, scheme,
                                                                           mentee):
    # The filters' HTML is kept between pages with the same values (templating.kept).
    def checked(text: str) -> list[str]:
        return re.findall(r'name="expertise" type="checkbox" value="([^"]+)" checked', text)

    make.mentor(scheme, expertise=["Finance"])
    assert checked(client.get("/search?expertise=Finance").get_data(as_text=True)) == ["Finance"]
    assert checked(client.get("/search").get_data(as_text=True)) == []
    both = client.get("/search?expertise=Finance&expertise=Leadership").get_data(as_text=True)
    assert checked(both) == ["Finance", "Leadership"]
    public = client.get("/search?expertise=Finance&sector=public").get_data(as_text=True)
    assert 'value="public" selected' in public and checked(public) == ["Finance"]
    assert 'value="public" selected' not in client.get("/search?expertise=Finance").get_data(
        as_text=True)
    scheme.expertise_areas = [*AREAS, "Housing"]
    db.session.commit()
    text = client.get("/search?expertise=Finance").get_data(as_text=True)
    assert 'value="Housing"' in text and checked(text) == ["Finance"]


def test_mentors_with_most_of_the_words_are_found_past_many_with_one(app, client, make, scheme,
                                                                    mentee):
    # In a big scheme the first few hundred profiles with any one common word seldom hold most
    # of the words: the index is asked for the groups of words itself (here the window is 2).
    app.config["SEARCH_RANK_WINDOW"] = 2
    app.config["SEARCH_PAGE_SIZE"] = 1
    for name in ["Ann", "Ben", "Cat"]:
        make.mentor(scheme, name=f"{name} Waste", job_title="Waste officer")
    make.mentor(scheme, name="Dee Manager", job_title="Waste services manager")
    page = client.get("/search?q=waste+contracts+manager+leeds.")
    text = page.get_data(as_text=True)
    assert "Mentors matching some of your words" in text
    assert names(page) == ["Dee Manager"]
