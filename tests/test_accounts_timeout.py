"""The timeout warning's "Stay signed in" (POST /session/keep-alive) and the drafts the two long
forms keep as people type, so that a session ending mid-form loses nothing."""

from __future__ import annotations

import re
import time

import sqlalchemy as sa

from portal.drafts import FormDraft
from portal.extensions import db
from tests.support.agreements import TERMS, client_for, pair
from tests.test_form_fuzz import PROFILE


def _age_session(client, minutes: float) -> None:
    with client.session_transaction() as session:
        session["seen"] = time.time() - minutes * 60


def _seen(client) -> float:
    with client.session_transaction() as session:
        return session["seen"]


def _drafts() -> list[FormDraft]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(FormDraft)))


# --- the timeout warning ---------------------------------------------------------------------

def test_signed_in_pages_carry_the_warning_with_the_time_left(app, make):
    user = make.user()
    client = client_for(app, user)
    _age_session(client, 0.25)  # a request within 30 s of the last does not stamp "seen"
    page = client.get("/dashboard").get_data(as_text=True)
    left = int(re.search(r'data-seconds-left="(\d+)"', page).group(1))
    assert 30 * 60 - 20 <= left <= 30 * 60 - 14
    assert "You will be signed out in" in page and "Stay signed in" in page
    assert "timeout.js" in page


def test_signed_out_pages_have_no_warning(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "timeout-warning" not in page and "timeout.js" not in page


def test_stay_signed_in_refreshes_the_session(app, make):
    client = client_for(app, make.user())
    _age_session(client, 29)
    answer = client.post("/session/keep-alive", headers={"X-CSRFToken": client.csrf_token()})
    assert answer.status_code == 204
    assert abs(_seen(client) - time.time()) < 5
    assert int(answer.headers["X-Session-Seconds-Left"]) > 29 * 60
    # 29 more minutes later the person is still signed in, which they would not have been.
    _age_session(client, 29)
    assert client.get("/dashboard").status_code == 200


def test_stay_signed_in_needs_the_csrf_token(app, make):
    client = client_for(app, make.user())
    _age_session(client, 29)
    assert client.post("/session/keep-alive").status_code == 400
    assert time.time() - _seen(client) > 28 * 60


def test_stay_signed_in_is_for_signed_in_people(client):
    answer = client.post("/session/keep-alive", headers={"X-CSRFToken": client.csrf_token()})
    assert answer.status_code in (302, 303, 401, 403)
    assert "/sign-in" in answer.headers.get("Location", "/sign-in")


def test_too_late_to_stay_signed_in(app, make):
    client = client_for(app, make.user())
    token = client.csrf_token()
    _age_session(client, 31)
    answer = client.post("/session/keep-alive", headers={"X-CSRFToken": token})
    assert answer.status_code == 303 and "/sign-in" in answer.headers["Location"]
    assert client.get("/dashboard").status_code in (302, 303)


def test_an_htmx_request_after_the_session_ended_swaps_nothing(app, make):
    client = client_for(app, make.user())
    token = client.csrf_token()
    _age_session(client, 31)
    answer = client.post("/session/keep-alive", headers={"X-CSRFToken": token,
                                                         "HX-Request": "true"})
    assert answer.status_code == 401 and answer.get_data() == b""


# --- drafts of the profile form --------------------------------------------------------------

def _htmx(client, url, data):
    return client.post(url, data={**data, "csrf_token": client.csrf_token()},
                       headers={"HX-Request": "true"})


def test_a_profile_draft_is_kept_and_restored_after_the_session_ended(app, make):
    profile = make.mentor(make.scheme())
    client = client_for(app, profile.user)
    typed = {**PROFILE, "offer": "Half of what I wanted to say about planning"}
    answer = _htmx(client, f"/mentors/{profile.id}/edit/draft", typed)
    assert answer.status_code == 200
    assert "Draft saved at" in answer.get_data(as_text=True)
    # The session ends; they sign in again and open the form: what they typed is there.
    _age_session(client, 31)
    assert client.get(f"/mentors/{profile.id}/edit").status_code in (302, 303)
    client = client_for(app, profile.user)
    page = client.get(f"/mentors/{profile.id}/edit").get_data(as_text=True)
    assert "We kept what you typed on" in page
    assert "Half of what I wanted to say about planning" in page
    # Saving the form for real forgets the draft.
    assert client.post_form(f"/mentors/{profile.id}/edit", typed).status_code == 303
    assert _drafts() == []
    page = client.get(f"/mentors/{profile.id}/edit").get_data(as_text=True)
    assert "We kept what you typed" not in page
    assert "Half of what I wanted to say about planning" in page


def test_a_new_profile_keeps_its_draft_too(app, make):
    from portal.accounts.models import Role

    scheme = make.scheme()
    user = make.user(roles={scheme: [Role.MENTOR]})
    client = client_for(app, user)
    url = f"/mentors/profiles/new/{scheme.slug}"
    assert _htmx(client, url + "/draft", {**PROFILE, "background": "Thirty years"}
                 ).status_code == 200
    page = client.get(url).get_data(as_text=True)
    assert "We kept what you typed on" in page and "Thirty years" in page
    assert client.post_form(url, PROFILE).status_code == 303
    assert _drafts() == []


def test_only_the_owner_keeps_a_draft_of_a_profile(app, make):
    scheme = make.scheme()
    profile = make.mentor(scheme)
    other = make.mentor(scheme, email="other@testborough.gov.uk")
    client = client_for(app, other.user)
    answer = _htmx(client, f"/mentors/{profile.id}/edit/draft", PROFILE)
    assert answer.status_code in (403, 404)
    anonymous = client_for(app)
    assert _htmx(anonymous, f"/mentors/{profile.id}/edit/draft", PROFILE
                 ).status_code in (302, 303, 401)
    stranger_scheme = make.scheme()
    assert _htmx(client, f"/mentors/profiles/new/{stranger_scheme.slug}/draft", PROFILE
                 ).status_code == 403
    assert _drafts() == []


def test_a_draft_that_the_form_could_not_have_sent_is_refused_and_nothing_kept(app, make):
    profile = make.mentor(make.scheme())
    client = client_for(app, profile.user)
    url = f"/mentors/{profile.id}/edit/draft"
    for bad in ({**PROFILE, "not_a_field": "x"}, {**PROFILE, "display_name": "x" * 201},
                {**PROFILE, "sector": "y" * 5000}):
        answer = _htmx(client, url, bad)
        assert answer.status_code == 400
        assert "could not keep a draft" in answer.get_data(as_text=True)
    assert client.post(url, data=PROFILE, headers={"HX-Request": "true"}).status_code == 400
    assert _drafts() == []


def test_a_draft_is_cleaned_as_every_form_is(app, make):
    profile = make.mentor(make.scheme())
    client = client_for(app, profile.user)
    assert _htmx(client, f"/mentors/{profile.id}/edit/draft",
                 {**PROFILE, "offer": "nul\x00 zwsp\u200b here"}).status_code == 200
    assert _drafts()[0].fields["offer"] == ["nul zwsp here"]


# --- drafts of the terms form ----------------------------------------------------------------

def test_a_terms_draft_is_kept_for_its_party_and_dropped_when_the_other_saves(app, make):
    _, agreement = pair(make)
    mentee, mentor = client_for(app, agreement.mentee), client_for(app, agreement.mentor)
    url = f"/agreements/{agreement.reference}/terms"
    typed = {**TERMS, "email": agreement.mentee_email, "goal_2": "Chair a planning committee"}
    assert _htmx(mentee, url + "/draft", typed).status_code == 200
    assert _htmx(client_for(app, make.user()), url + "/draft", typed).status_code == 404
    assert len(_drafts()) == 1
    page = mentee.get(url).get_data(as_text=True)
    assert "We kept what you typed on" in page and "Chair a planning committee" in page
    # The mentor does not see the mentee's draft.
    assert "Chair a planning committee" not in mentor.get(url).get_data(as_text=True)
    # The mentor saves the terms after the draft: the mentee's draft is older, so not shown.
    assert mentor.post_form(url, {**TERMS, "email": agreement.mentor_email}).status_code == 303
    page = mentee.get(url).get_data(as_text=True)
    assert "We kept what you typed" not in page
    # The mentee's own save forgets their draft.
    assert mentee.post_form(url, typed).status_code == 303
    assert _drafts() == []
