"""Mentor profiles: writing, publishing and hiding them, and who can see them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import Membership, Role
from portal.audit import AuditEvent
from portal.extensions import db
from portal.mentors.models import MentorProfile, ProfileState

COMPLETE = {
    "display_name": "Grace Hopper",
    "job_title": "Head of development management",
    "organisation": "Dacorum Borough Council",
    "sector": "public",
    "grade": "Principal planner",
    "expertise": ["Development management", "Leadership"],
    "background": "Fifteen years in planning, most of them leading a casework team.",
    "offer": "Help with moving into your first management role.",
    "experience": "I have mentored four planners through the scheme.",
    "meeting_format": "either",
    "location": "Hemel Hempstead",
    "capacity": "2",
    "accepting": "y",
}


def reload(profile_id: int) -> MentorProfile:
    db.session.expire_all()
    return db.session.get(MentorProfile, profile_id)


def page(response) -> str:
    return response.get_data(as_text=True)


# --- writing and publishing ----------------------------------------------------------------------

def test_mentor_writes_a_draft_checks_it_and_publishes_it(client, make, login):
    scheme = make.scheme()
    mentor = make.user(name="Grace Hopper", roles={scheme: [Role.MENTOR]})
    login(mentor)

    form = client.get(f"/mentors/profiles/new/{scheme.slug}")
    assert form.status_code == 200
    assert 'value="Grace Hopper"' in page(form)  # the name starts as the account's name

    created = client.post_form(f"/mentors/profiles/new/{scheme.slug}", COMPLETE)
    assert created.status_code == 303
    profile = db.session.scalar(sa.select(MentorProfile).where(MentorProfile.user_id == mentor.id))
    assert created.headers["Location"].endswith(f"/mentors/{profile.id}/preview")
    assert profile.state == ProfileState.DRAFT
    assert profile.expertise == ["Development management", "Leadership"]
    assert profile.capacity == 2 and profile.accepting

    preview = client.get(f"/mentors/{profile.id}/preview")
    assert "only you can see it until you publish it" in page(preview)
    assert "Fifteen years in planning" in page(preview)

    published = client.post_form(f"/mentors/{profile.id}/publish")
    assert published.status_code == 303
    profile = reload(profile.id)
    assert profile.state == ProfileState.PUBLISHED
    assert profile.published_at is not None
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject_type == "mentor_profile", AuditEvent.subject_id == profile.id)).all()
    assert actions == ["created", "published"]
    assert "Published" in page(client.get("/mentors/profiles"))


def test_a_mentor_can_save_an_unfinished_draft(client, make, login):
    scheme = make.scheme()
    login(make.user(roles={scheme: [Role.MENTOR]}))
    response = client.post_form(f"/mentors/profiles/new/{scheme.slug}", {
        "display_name": "Ada Lovelace", "sector": "public", "meeting_format": "online",
        "capacity": "1"})
    assert response.status_code == 303
    profile = db.session.scalar(sa.select(MentorProfile))
    assert profile.state == ProfileState.DRAFT and profile.job_title == ""
    preview = page(client.get(f"/mentors/{profile.id}/preview"))
    assert "Before you can publish it" in preview
    assert "Enter your job title" in preview


def test_a_second_profile_in_the_same_scheme_goes_to_the_first(client, make, login):
    scheme = make.scheme()
    profile = make.mentor(scheme)
    login(profile.user)
    response = client.get(f"/mentors/profiles/new/{scheme.slug}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/mentors/{profile.id}/edit")


def test_only_a_mentor_in_the_scheme_can_start_a_profile_there(client, make, login):
    scheme, other = make.scheme(), make.scheme()
    login(make.user(roles={other: [Role.MENTOR], scheme: [Role.MENTEE]}))
    response = client.post_form(f"/mentors/profiles/new/{scheme.slug}", COMPLETE)
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentorProfile)) == 0


@pytest.mark.parametrize("changes,message", [
    ({"display_name": ""}, "Enter your name"),
    ({"display_name": "x" * 201}, "Your name must be 200 characters or fewer"),
    ({"capacity": ""}, "Enter how many mentees you can mentor at once"),
    ({"capacity": "0"}, "Enter a number from 1 to 10"),
    ({"capacity": "11"}, "Enter a number from 1 to 10"),
    ({"capacity": "lots"}, "Enter a number from 1 to 10"),
    ({"expertise": ["Underwater basket weaving"]}, "Select areas of expertise from the list"),
    ({"sector": "imaginary"}, "Select the sector you work in"),
    ({"meeting_format": "by carrier pigeon"}, "Select how you can meet"),
    ({"background": "x" * 4001}, "Professional background must be 4,000 characters or fewer"),
])
def test_bad_profile_input_is_explained_and_nothing_is_saved(client, make, login, changes,
                                                             message):
    scheme = make.scheme()
    login(make.user(roles={scheme: [Role.MENTOR]}))
    response = client.post_form(f"/mentors/profiles/new/{scheme.slug}", {**COMPLETE, **changes})
    assert response.status_code == 400
    assert "There is a problem" in page(response)
    assert message in page(response)
    assert "<title>Error: Create your mentor profile" in page(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentorProfile)) == 0


def test_editing_keeps_the_state_and_shows_the_change(client, make, login):
    scheme = make.scheme()
    profile = make.mentor(scheme, state=ProfileState.HIDDEN)
    login(profile.user)
    response = client.post_form(f"/mentors/{profile.id}/edit",
                                {**COMPLETE, "job_title": "Chief planner"})
    assert response.status_code == 303
    profile = reload(profile.id)
    assert profile.job_title == "Chief planner"
    assert profile.state == ProfileState.HIDDEN
    assert profile.expertise == ["Development management", "Leadership"]


def test_a_published_profile_must_stay_complete(client, make, login):
    scheme = make.scheme()
    profile = make.mentor(scheme, job_title="Principal planner")
    login(profile.user)
    response = client.post_form(f"/mentors/{profile.id}/edit",
                                {**COMPLETE, "job_title": " ", "expertise": []})
    assert response.status_code == 400
    assert "Enter your job title" in page(response)
    assert "Select at least one area of expertise" in page(response)
    profile = reload(profile.id)
    assert profile.job_title == "Principal planner"
    assert profile.expertise == ["Leadership"]


def test_an_online_only_mentor_need_not_give_a_location(client, make, login):
    scheme = make.scheme()
    login(make.user(roles={scheme: [Role.MENTOR]}))
    client.post_form(f"/mentors/profiles/new/{scheme.slug}",
                     {**COMPLETE, "meeting_format": "online", "location": ""})
    profile = db.session.scalar(sa.select(MentorProfile))
    assert client.post_form(f"/mentors/{profile.id}/publish").status_code == 303
    assert reload(profile.id).state == ProfileState.PUBLISHED


# --- publish and hide in the wrong state ---------------------------------------------------------

def test_publishing_an_incomplete_profile_lists_what_is_missing(client, make, login):
    scheme = make.scheme()
    profile = make.mentor(scheme, state=ProfileState.DRAFT, job_title="", offer="")
    profile.expertise_links = []  # the builder always gives one area
    db.session.commit()
    login(profile.user)
    response = client.post_form(f"/mentors/{profile.id}/publish")
    assert response.status_code == 409
    text = page(response)
    assert "not ready to publish" in text
    for missing in ("Enter your job title", "Select at least one area of expertise",
                    "Say what you can offer a mentee"):
        assert missing in text
    assert "Enter your organisation" not in text
    assert f"/mentors/{profile.id}/edit#job_title" in text
    assert reload(profile.id).state == ProfileState.DRAFT


@pytest.mark.parametrize("state,action,message", [
    (ProfileState.PUBLISHED, "publish", "already published"),
    (ProfileState.DRAFT, "hide", "There is nothing to hide"),
    (ProfileState.HIDDEN, "hide", "already hidden"),
])
def test_wrong_state_is_a_clear_409_and_changes_nothing(client, make, login, state, action,
                                                        message):
    scheme = make.scheme()
    profile = make.mentor(scheme, state=state)
    login(profile.user)
    response = client.post_form(f"/mentors/{profile.id}/{action}")
    assert response.status_code == 409
    assert message in page(response)
    assert reload(profile.id).state == state


@pytest.mark.parametrize("state,action,after", [
    (ProfileState.DRAFT, "publish", ProfileState.PUBLISHED),
    (ProfileState.PUBLISHED, "hide", ProfileState.HIDDEN),
    (ProfileState.HIDDEN, "publish", ProfileState.PUBLISHED),
])
def test_allowed_state_changes(client, make, login, state, action, after):
    scheme = make.scheme()
    profile = make.mentor(scheme, state=state)
    login(profile.user)
    response = client.post_form(f"/mentors/{profile.id}/{action}")
    assert response.status_code == 303
    assert reload(profile.id).state == after


# --- who can see and change a profile ------------------------------------------------------------

VIEWERS = ["owner", "mentee", "other mentor", "administrator", "other scheme's mentee",
           "anonymous"]

#: The public profile page, for every state and every kind of viewer.
PROFILE_PAGE = {
    (ProfileState.PUBLISHED, "owner"): 200,
    (ProfileState.PUBLISHED, "mentee"): 200,
    (ProfileState.PUBLISHED, "other mentor"): 200,
    (ProfileState.PUBLISHED, "administrator"): 200,
    (ProfileState.PUBLISHED, "other scheme's mentee"): 404,
    (ProfileState.PUBLISHED, "anonymous"): 302,
    (ProfileState.DRAFT, "owner"): 200,
    (ProfileState.DRAFT, "mentee"): 404,
    (ProfileState.DRAFT, "other mentor"): 404,
    (ProfileState.DRAFT, "administrator"): 404,
    (ProfileState.DRAFT, "other scheme's mentee"): 404,
    (ProfileState.DRAFT, "anonymous"): 302,
    (ProfileState.HIDDEN, "owner"): 200,
    (ProfileState.HIDDEN, "mentee"): 404,
    (ProfileState.HIDDEN, "other mentor"): 404,
    (ProfileState.HIDDEN, "administrator"): 404,
    (ProfileState.HIDDEN, "other scheme's mentee"): 404,
    (ProfileState.HIDDEN, "anonymous"): 302,
}


def _viewer(make, scheme, profile, kind):
    other_scheme = make.scheme()
    return {
        "owner": lambda: profile.user,
        "mentee": lambda: make.mentee(scheme),
        "other mentor": lambda: make.mentor(scheme).user,
        "administrator": lambda: make.admin(scheme),
        "other scheme's mentee": lambda: make.mentee(other_scheme),
        "anonymous": lambda: None,
    }[kind]()


@pytest.mark.parametrize(("state", "viewer"), list(PROFILE_PAGE))
def test_who_sees_a_profile(client, make, login, state, viewer):
    scheme = make.scheme()
    profile = make.mentor(scheme, state=state, background="Twenty years of casework.")
    person = _viewer(make, scheme, profile, viewer)
    if person:
        login(person)
    response = client.get(f"/mentors/{profile.id}")
    assert response.status_code == PROFILE_PAGE[(state, viewer)]
    if response.status_code == 200:
        assert "Twenty years of casework." in page(response)
    if response.status_code == 302:
        assert "/sign-in" in response.headers["Location"]


#: Managing a profile (edit, preview, publish, hide): only the owner; anyone else who can see
#: the profile is refused (403), and to anyone who cannot see it, it does not exist (404).
def _manage_expected(state, viewer):
    if viewer == "anonymous":
        return 302
    if viewer == "owner":
        return None  # depends on the action; covered by the tests above
    visible = state == ProfileState.PUBLISHED and viewer != "other scheme's mentee"
    return 403 if visible else 404


@pytest.mark.parametrize("state", list(ProfileState))
@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v != "owner"])
@pytest.mark.parametrize("method,action", [("GET", "edit"), ("POST", "edit"),
                                           ("GET", "preview"), ("POST", "publish"),
                                           ("POST", "hide")])
def test_only_the_owner_manages_a_profile(client, make, login, state, viewer, method, action):
    scheme = make.scheme()
    profile = make.mentor(scheme, state=state, job_title="Principal planner")
    person = _viewer(make, scheme, profile, viewer)
    if person:
        login(person)
    url = f"/mentors/{profile.id}/{action}"
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post_form(url, {**COMPLETE, "job_title": "Changed by someone else"})
    assert response.status_code == _manage_expected(state, viewer)
    after = reload(profile.id)
    assert after.state == state
    assert after.job_title == "Principal planner"


def test_owner_sees_a_note_that_a_draft_is_private(client, make, login):
    scheme = make.scheme()
    profile = make.mentor(scheme, state=ProfileState.DRAFT)
    login(profile.user)
    assert "so only you can see it" in page(client.get(f"/mentors/{profile.id}"))


def test_a_profile_never_shows_email_or_phone(client, make, login):
    scheme = make.scheme()
    profile = make.mentor(scheme, email="grace.hopper@testborough.gov.uk", name="Grace Hopper")
    profile.user.phone = "01442 228000"
    db.session.commit()
    for viewer in (make.mentee(scheme), make.admin(scheme), profile.user):
        login(viewer)
        for url in (f"/mentors/{profile.id}", f"/mentors/{profile.id}/preview"):
            response = client.get(url)
            if response.status_code != 200:
                continue
            text = page(response)
            assert "Grace Hopper" in text
            assert "grace.hopper" not in text
            assert "01442" not in text and "228000" not in text


def test_my_profiles_lists_each_scheme_where_i_mentor(client, make, login):
    first, second = make.scheme(name="Planning mentors"), make.scheme(name="Finance mentors")
    profile = make.mentor(first, state=ProfileState.HIDDEN)
    profile.user.memberships.append(Membership(scheme=second, role=Role.MENTOR))
    db.session.commit()
    login(profile.user)
    text = page(client.get("/mentors/profiles"))
    assert "Planning mentors" in text and "Hidden" in text
    assert "Finance mentors" in text and f"/mentors/profiles/new/{second.slug}" in text


def test_dashboard_shows_a_mentor_their_profile_state(client, make, login):
    scheme = make.scheme(name="Planning mentors")
    profile = make.mentor(scheme, state=ProfileState.DRAFT)
    login(profile.user)
    text = page(client.get("/dashboard"))
    assert "Your mentor profile" in text
    assert "Draft" in text
    assert f"/mentors/{profile.id}/preview" in text


def test_mentor_pages_need_the_mentor_role(client, make, login):
    scheme = make.scheme()
    login(make.mentee(scheme))
    assert client.get("/mentors/profiles").status_code == 403
    assert client.get(f"/mentors/profiles/new/{scheme.slug}").status_code == 403
