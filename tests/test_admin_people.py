"""The desk's People page: everyone in the scheme with their roles and states, when they joined
and last signed in, by role and in pages, in a fixed number of queries; nobody of another scheme."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.db import utcnow
from portal.extensions import db
from portal.mentors.models import ProfileState
from tests.support.agreements import client_for


def test_everyone_in_the_scheme_with_their_state(app, make):
    scheme, other = make.scheme(slug="scheme-a"), make.scheme(slug="scheme-b")
    admin = make.admin(scheme, email="admin@a.gov.uk")
    make.mentor(scheme, name="Pat Published")
    make.mentor(scheme, name="Dee Draft", state=ProfileState.DRAFT)
    make.mentor(scheme, name="Hal Hidden", state=ProfileState.HIDDEN)
    make.user(name="Nell Noprofile", roles={scheme: [Role.MENTOR]})
    make.mentee(scheme, name="Una Unmatched")
    make.relationship(scheme, mentee_name="Aggie Agreeing", mentor_name="Mo Mentor")
    make.active_relationship(scheme, mentee_name="Ada Active", mentor_name="Max Mentor")
    both = make.user(name="Bo Both", roles={scheme: [Role.MENTEE, Role.MENTOR]})
    both.last_signed_in_at = utcnow()
    db.session.commit()
    make.mentee(other, name="Otto Other")

    browser = client_for(app, admin)
    page = browser.get("/admin/schemes/scheme-a/people")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name, state in (("Pat Published", "Profile published"),
                        ("Dee Draft", "Profile not published yet"),
                        ("Hal Hidden", "Profile hidden"), ("Nell Noprofile", "No profile yet"),
                        ("Una Unmatched", "Not matched yet"),
                        ("Aggie Agreeing", "Matched: agreeing the terms"),
                        ("Ada Active", "Matched: mentoring under way")):
        row = html.split(name)[1].split("</tr>")[0]
        assert state in row, (name, row)
    row = html.split("Bo Both")[1].split("</tr>")[0]
    assert "Mentor:" in row and "Mentee:" in row and "Not since joining" not in row
    assert "Not since joining" in html.split("Una Unmatched")[1].split("</tr>")[0]
    assert "Otto Other" not in html
    assert "Mentees (4)" in html and "Administrators (1)" in html

    mentors = browser.get("/admin/schemes/scheme-a/people?role=mentor").get_data(as_text=True)
    assert "Pat Published" in mentors and "Una Unmatched" not in mentors
    assert browser.get("/admin/schemes/scheme-a/people?role=boss").status_code == 404
    assert browser.get("/admin/schemes/scheme-a/people?page=0").status_code == 404
    assert browser.get("/admin/schemes/scheme-b/people").status_code == 404
    assert client_for(app, both).get("/admin/schemes/scheme-a/people").status_code == 403
    assert "/admin/schemes/scheme-a/people" in browser.get("/dashboard").get_data(as_text=True)


def test_pages_of_people_in_a_fixed_number_of_queries(app, make, count_queries):
    scheme = make.scheme()
    admin = make.admin(scheme)
    browser = client_for(app, admin)
    url = f"/admin/schemes/{scheme.slug}/people"
    make.mentor(scheme)
    make.relationship(scheme)
    with count_queries() as few:
        assert browser.get(url).status_code == 200
    for n in range(25):
        make.mentor(scheme, name=f"Mentor {n:02d}")
        make.mentee(scheme, name=f"Mentee {n:02d}")
    make.active_relationship(scheme)
    with count_queries() as many:
        html = browser.get(url).get_data(as_text=True)
    assert many.count == few.count, many.statements
    assert html.count("</tr>") == 51  # the head and 50 people
    assert "page=2" in html
    second = browser.get(f"{url}?page=2").get_data(as_text=True)
    assert "page=1" in second or f"{url}\"" in second or "Previous" in second
    assert browser.get(f"{url}?page=99").status_code == 200
