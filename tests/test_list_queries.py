"""List pages ask the database a fixed number of times, however many rows they show: no query
per row (N+1). Each test counts a page's statements with few rows and again with more."""

from __future__ import annotations

import pytest
import time_machine
from flask import url_for

from portal.accounts.models import Membership, Role
from portal.db import utcnow
from portal.extensions import db
from portal.mentors.models import MentorProfile, ProfileState
from tests.support.agreements import client_for, pair, ready_to_sign
from tests.support.calls import NOW, send_request


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def join(user_id: int, scheme, role: Role) -> None:
    db.session.add(Membership(user_id=user_id, scheme=scheme, role=role,
                              eligibility_confirmed_at=utcnow()))
    db.session.commit()


def statements(client, count_queries, path: str, **headers) -> int:
    with count_queries() as counter:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return counter.count


def test_the_mentors_dashboard_as_requests_arrive(app, client, make, login, count_queries):
    scheme = make.scheme()
    profile = make.mentor(scheme, capacity=10)
    send_request(client, login, make.mentee(scheme), profile)
    few = statements(login(profile.user), count_queries, "/dashboard")
    for _ in range(5):
        send_request(client, login, make.mentee(scheme), profile)
    page = login(profile.user).get("/dashboard").get_data(as_text=True)
    assert page.count("/accept") >= 6  # every request is on the page
    assert statements(client, count_queries, "/dashboard") == few


def test_the_mentees_dashboard_and_shortlist_as_the_shortlist_grows(app, client, make, login,
                                                                    count_queries):
    scheme = make.scheme(shortlist_limit=10)
    mentee = make.mentee(scheme)

    def shortlist(profile) -> None:
        with app.test_request_context():
            action = url_for("mentors.shortlist_add", profile_id=profile.id)
        assert login(mentee).post_form(action).status_code == 303

    shortlist(make.mentor(scheme))
    few = {path: statements(client, count_queries, path) for path in ("/dashboard", "/shortlist")}
    for _ in range(5):
        shortlist(make.mentor(scheme))
    assert {path: statements(client, count_queries, path) for path in few} == few


def test_the_search_page_without_htmx_for_2_or_12_results(app, client, make, login,
                                                          count_queries):
    scheme = make.scheme()
    login(make.mentee(scheme))
    for _ in range(2):
        make.mentor(scheme, job_title="Principal planner")
    few = statements(client, count_queries, "/search?q=planner")
    for _ in range(10):
        make.mentor(scheme, job_title="Principal planner")
    assert "12 mentors found" in client.get("/search?q=planner").get_data(as_text=True)
    assert statements(client, count_queries, "/search?q=planner") == few


def test_the_administrators_pages_as_schemes_and_agreements_grow(app, client, make, login,
                                                                 count_queries):
    first = make.scheme()
    admin = make.user(roles={first: [Role.ADMIN]})
    _, agreement = pair(make, first, mentor_email="m0@testborough.gov.uk",
                        mentee_email="e0@testborough.gov.uk")
    pages = ("/admin", f"/admin/schemes/{first.slug}/agreements?state=draft", "/dashboard")
    login(admin)
    few = {path: statements(client, count_queries, path) for path in pages}

    for n in range(1, 4):
        # Another draft in the first scheme, and another scheme with an agreement sent.
        pair(make, first, mentor_email=f"m{n}a@testborough.gov.uk",
             mentee_email=f"e{n}a@testborough.gov.uk")
        scheme = make.scheme()
        join(admin.id, scheme, Role.ADMIN)
        _, sent = pair(make, scheme, mentor_email=f"m{n}b@testborough.gov.uk",
                       mentee_email=f"e{n}b@testborough.gov.uk")
        ready_to_sign(app, sent)
    login(admin)
    listed = client.get(pages[1]).get_data(as_text=True)
    assert listed.count('href="/admin/agreements/MA-') == 4  # the first and three more drafts
    assert {path: statements(client, count_queries, path) for path in pages} == few


def test_the_scheme_list_and_a_mentors_profiles_as_schemes_grow(app, client, make, login,
                                                               count_queries):
    mentor = make.mentor(make.scheme())
    few_public = statements(client, count_queries, "/schemes")
    login(mentor.user)
    few_profiles = statements(client, count_queries, "/mentors/profiles")
    client.post_form("/sign-out")

    for n in range(3):
        scheme = make.scheme()
        join(mentor.user_id, scheme, Role.MENTOR)
        db.session.add(MentorProfile(user_id=mentor.user_id, scheme=scheme,
                                     display_name=f"Again {n}", state=ProfileState.DRAFT))
        db.session.commit()
    assert statements(client, count_queries, "/schemes") == few_public
    login(mentor.user)
    assert statements(client, count_queries, "/mentors/profiles") == few_profiles


def test_the_desks_relationships_and_needs_attention_as_they_grow(app, make, count_queries):
    from tests.test_admin_pipeline import cards_of, rows_of, seed_attention, seed_stages

    scheme = make.scheme()
    admin = make.admin(scheme)
    browser = client_for(app, admin)
    pages = [f"/admin/schemes/{scheme.slug}/relationships",
             f"/admin/schemes/{scheme.slug}/relationships?stage=active",
             f"/admin/schemes/{scheme.slug}/attention",
             f"/admin/schemes/{scheme.slug}/attention?kind=quiet", "/admin"]
    seed_stages(make, scheme)
    seed_attention(make, scheme)
    few = {path: statements(browser, count_queries, path) for path in pages}
    for n in range(4):
        seed_stages(make, scheme, tag=f" {n}")
        seed_attention(make, scheme, tag=f" {n}")
    assert len(rows_of(browser.get(pages[0]).get_data(as_text=True))) == 50  # a full page
    assert len(cards_of(browser.get(pages[2]).get_data(as_text=True))) == 5 * 6
    assert {path: statements(browser, count_queries, path) for path in pages} == few


def test_the_invitations_pages_as_lists_and_their_rows_grow(app, make, login, count_queries):
    from portal.admin.models import InvitationUpload

    scheme = make.scheme()
    client = login(make.admin(scheme, email="admin@act.gov.uk"))

    def add(rows: int) -> str:
        upload = InvitationUpload(key=f"{rows:043d}", scheme_id=scheme.id, role=Role.MENTEE,
                                  rows=[{"line": n, "name": f"P {n}", "email": f"p{n}@x.gov.uk",
                                         "problem": "No name" if n % 2 else None}
                                        for n in range(rows)])
        db.session.add(upload)
        db.session.commit()
        return f"/admin/schemes/{scheme.slug}/invitations/{upload.id}"

    small = add(2)
    few = {path: statements(client, count_queries, path)
           for path in (f"/admin/schemes/{scheme.slug}/invitations", small)}
    for rows in (150, 300, 450):
        large = add(rows)
    assert {path: statements(client, count_queries, path)
            for path in (f"/admin/schemes/{scheme.slug}/invitations", large)} == {
        f"/admin/schemes/{scheme.slug}/invitations": few[
            f"/admin/schemes/{scheme.slug}/invitations"], large: few[small]}


def test_the_dashboard_reads_each_thing_once(app, client, make, login, count_queries):
    """The task list and the panels show the same calls and agreements: they are read once per
    page, not once by each (a mentee's dashboard ran 28 statements, 11 of them twice)."""
    scheme = make.scheme()
    mentee = make.mentee(scheme)
    send_request(client, login, mentee, make.mentor(scheme))
    _, agreement = pair(make, scheme)
    for person in (mentee, agreement.mentee, agreement.mentor):
        login(person)
        with count_queries() as counter:
            assert client.get("/dashboard").status_code == 200
        repeated = {run for run in counter.runs if counter.runs.count(run) > 1}
        assert not repeated, f"read more than once for {person.full_name}: {repeated}"
