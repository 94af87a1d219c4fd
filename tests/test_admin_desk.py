"""The administrators' desk shows a scheme's chemistry call requests, with a mentor's reason for
declining and what people wrote for the scheme after their call, to that scheme's administrators
and to nobody else; and every desk page of a scheme is "not found" for another scheme's
administrator. The forms and the privacy notice say exactly that."""

from __future__ import annotations

import pytest
import time_machine
from flask import url_for

from portal.admin.models import InvitationUpload
from portal.extensions import db
from tests.support.agreements import client_for
from tests.support.calls import NOW, accept, answer_links, last_call, send_request, uk

DECLINE_NOTE = "Busy with the local plan inquiry until June."
MENTEE_WORDS = "Keen to start, though evenings suit me best."
MENTOR_WORDS = "Our diaries will not line up this year."


@pytest.fixture
def desk(app, client, make, login, mailbox):
    """Scheme A with one declined request and one request not taken forward (both people
    wrote for the scheme), its administrator, and scheme B's administrator."""
    scheme = make.scheme(name="Scheme A", slug="scheme-a")
    other = make.scheme(name="Scheme B", slug="scheme-b")
    first = make.mentor(scheme, email="mira@a.gov.uk", name="Mira Mentor", capacity=2)
    second = make.mentor(scheme, email="max@a.gov.uk", name="Max Mentor", capacity=2)
    mentee = make.mentee(scheme, email="sam@a.gov.uk", name="Sam Mentee")
    with time_machine.travel(NOW, tick=False):
        send_request(client, login, mentee, first)
        send_request(client, login, mentee, second)
        client.post_form("/sign-out")
        decline = answer_links(mailbox, "mira@a.gov.uk")[1]
        declined = client_for(app).post_form(decline, {"reason": "no_time",
                                                       "note": DECLINE_NOTE})
        assert declined.status_code == 303
        accept(client_for(app), answer_links(mailbox, "max@a.gov.uk")[0])
    call_id = last_call().id
    with time_machine.travel(uk(3, 15, 0), tick=False):
        for person, decision, words in ((mentee, "yes", MENTEE_WORDS),
                                        (second.user, "no", MENTOR_WORDS)):
            said = client_for(app, person).post_form(f"/calls/{call_id}/outcome",
                                                     {"decision": decision, "reason": words})
            assert said.status_code == 303, said.get_data(as_text=True)[:500]
    return {"scheme": scheme, "other": other, "mentee": mentee, "mentor": second.user,
            "admin": make.admin(scheme, email="admin@a.gov.uk"),
            "outsider": make.admin(other, email="admin@b.gov.uk")}


def test_the_schemes_administrators_see_reasons_and_notes(app, desk):
    browser = client_for(app, desk["admin"])
    page = browser.get("/admin/schemes/scheme-a/requests")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "I do not have time at the moment" in html and DECLINE_NOTE in html
    assert MENTEE_WORDS in html and MENTOR_WORDS in html
    assert "Declined" in html and "Not taken forward" in html
    declined = browser.get("/admin/schemes/scheme-a/requests?state=declined").get_data(
        as_text=True)
    assert DECLINE_NOTE in declined and MENTEE_WORDS not in declined
    assert browser.get("/admin/schemes/scheme-a/requests?state=nonsense").status_code == 404
    assert browser.get("/admin/schemes/scheme-a/requests?page=0").status_code == 404
    assert browser.get("/admin/schemes/scheme-a/requests?page=2").status_code == 200
    # The dashboard leads there.
    assert "/admin/schemes/scheme-a/requests" in browser.get("/dashboard").get_data(as_text=True)


def test_nobody_else_sees_them(app, desk):
    outsider = client_for(app, desk["outsider"])
    assert outsider.get("/admin/schemes/scheme-a/requests").status_code == 404
    own = outsider.get("/admin/schemes/scheme-b/requests").get_data(as_text=True)
    for secret in (DECLINE_NOTE, MENTEE_WORDS, MENTOR_WORDS, "Sam Mentee"):
        assert secret not in own
    for person in (desk["mentee"], desk["mentor"]):
        browser = client_for(app, person)
        assert browser.get("/admin/schemes/scheme-a/requests").status_code == 403
        with app.test_request_context():
            pages = [url_for("main.dashboard")]
        calls = last_call()
        pages.append(f"/calls/{calls.id}")
        for url in pages:
            html = browser.get(url).get_data(as_text=True)
            # Each sees their own words, never the other's, nor the decline note.
            assert DECLINE_NOTE not in html
            other_words = MENTOR_WORDS if person == desk["mentee"] else MENTEE_WORDS
            assert other_words not in html, url
    assert client_for(app).get("/admin/schemes/scheme-a/requests").status_code in (302, 303)


def test_requests_list_runs_a_fixed_number_of_queries(app, make, count_queries):
    scheme = make.scheme()
    admin = make.admin(scheme)
    browser = client_for(app, admin)
    url = f"/admin/schemes/{scheme.slug}/requests"
    from tests.test_access_ids import _call

    profile = make.mentor(scheme, email="m0@a.gov.uk")
    _call(profile, make.mentee(scheme, email="e0@a.gov.uk"))
    with count_queries() as one:
        assert browser.get(url).status_code == 200
    for n in range(1, 6):
        profile = make.mentor(scheme, email=f"m{n}@a.gov.uk")
        _call(profile, make.mentee(scheme, email=f"e{n}@a.gov.uk"))
    with count_queries() as six:
        html = browser.get(url).get_data(as_text=True)
    assert "e5@a.gov.uk" not in html  # names, not addresses
    assert html.count("Waiting for the mentor") >= 6
    assert six.count == one.count, six.statements


def test_every_desk_page_of_a_scheme_is_not_found_for_another_schemes_administrator(
        app, make):
    scheme, other = make.scheme(), make.scheme()
    colleague = make.admin(scheme, email="colleague@a.gov.uk")
    make.admin(scheme, email="second@a.gov.uk")
    outsider = make.admin(other, email="outsider@b.gov.uk")
    upload = InvitationUpload(key="u" * 43, scheme_id=scheme.id, role="mentee", rows=[
        {"line": 1, "name": "Colleague", "email": "colleague@a.gov.uk", "problem": None}])
    db.session.add(upload)
    db.session.commit()
    browser = client_for(app, outsider)
    token = browser.csrf_token()
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("admin.") and "slug" in rule.arguments]
    assert {"admin.requests", "admin.administrators", "admin.invite", "admin.invitations",
            "admin.invitation_upload", "admin.send_invitations",
            "admin.remove_administrator", "admin.agreements", "admin.approvals"} <= {
        rule.endpoint for rule in rules}
    for rule in rules:
        values = {"slug": scheme.slug}
        if "user_id" in rule.arguments:
            values["user_id"] = colleague.id
        if "upload_id" in rule.arguments:
            values["upload_id"] = upload.id
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = browser.open(url, method=method, data={
                "csrf_token": token, "full_name": "X", "email": "x@b.gov.uk",
                "confirm_self": "y", "role": "mentee", "key": "k" * 43,
                "rows": "Colleague, colleague@a.gov.uk"})
            assert response.status_code == 404, (method, url, response.status_code)
            assert "colleague@a.gov.uk" not in response.get_data(as_text=True)


def test_the_forms_and_the_privacy_notice_say_who_sees_what(app, client, desk, login):
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "seen by no one else" in privacy and "reasons for declining" not in privacy
    assert ("only the mentor and the scheme&#39;s administrators see it" in privacy
            or "only the mentor and the scheme's administrators see it" in privacy)
    assert "seen only by the scheme" in privacy
    from portal.calls.forms import DeclineForm, OutcomeForm

    with app.test_request_context():
        decline, outcome = DeclineForm(), OutcomeForm()
        assert "scheme's administrators" in decline.reason.description
        assert "scheme's administrators" in decline.note.description
        assert "Only the scheme's administrators see this" in outcome.reason.description


def test_a_call_still_waiting_shows_nothing_written(app, make):
    scheme = make.scheme()
    admin = make.admin(scheme)
    from tests.test_access_ids import _call

    _call(make.mentor(scheme), make.mentee(scheme, name="Waiting Mentee"))
    html = client_for(app, admin).get(f"/admin/schemes/{scheme.slug}/requests").get_data(
        as_text=True)
    assert "Waiting Mentee" in html and "Nothing" in html and "Waiting for the mentor" in html
