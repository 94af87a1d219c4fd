"""A mentee's shortlist: adding and removing mentors, the limit, and private notes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.mentors.models import ProfileState, ShortlistEntry

HTMX = {"HX-Request": "true"}


def on_shortlist(mentee) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ShortlistEntry.profile_id).where(
        ShortlistEntry.mentee_id == mentee.id).order_by(ShortlistEntry.id)))


@pytest.fixture
def scheme(make):
    return make.scheme(shortlist_limit=2)


@pytest.fixture
def mentee(make, login, scheme):
    person = make.mentee(scheme)
    login(person)
    return person


def test_mentee_shortlists_a_mentor_from_search_without_javascript(client, make, scheme, mentee):
    profile = make.mentor(scheme, name="Grace Hopper", job_title="Finance officer")
    results = client.get("/search?q=finance").get_data(as_text=True)
    assert f'action="/shortlist/{profile.id}/add"' in results

    response = client.post_form(f"/shortlist/{profile.id}/add", {"next": "/search?q=finance"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/search?q=finance")
    assert on_shortlist(mentee) == [profile.id]
    after = client.get("/search?q=finance").get_data(as_text=True)
    assert "On your shortlist" in after
    assert f'action="/shortlist/{profile.id}/remove"' in after

    page = client.get("/shortlist").get_data(as_text=True)
    assert "Grace Hopper" in page and "1 of 2 mentors" in page

    response = client.post_form(f"/shortlist/{profile.id}/remove", {"next": "/shortlist"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/shortlist")
    assert on_shortlist(mentee) == []


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/",
                                      "/\t/evil.example/", "/\\evil.example/", "/\n/evil.example"])
def test_the_way_back_after_a_plain_post_stays_on_the_portal(client, make, scheme, mentee,
                                                             next_url):
    profile = make.mentor(scheme)
    response = client.post_form(f"/shortlist/{profile.id}/add", {"next": next_url})
    assert response.status_code == 303
    assert response.headers["Location"] == "/shortlist"
    assert on_shortlist(mentee) == [profile.id]


def test_the_htmx_toggle_swaps_itself(client, make, scheme, mentee):
    profile = make.mentor(scheme, name="Grace Hopper")
    token = client.csrf_token()
    added = client.post(f"/shortlist/{profile.id}/add", data={"next": "/search"},
                        headers={**HTMX, "X-CSRFToken": token})
    text = added.get_data(as_text=True)
    assert added.status_code == 200
    assert "<html" not in text
    assert text.lstrip().startswith("<form")
    assert f'hx-post="/shortlist/{profile.id}/remove"' in text
    assert f'id="shortlist-{profile.id}"' in text  # the same id, so focus stays on the button
    assert "Remove<span class=\"govuk-visually-hidden\"> Grace Hopper</span>" in text
    assert on_shortlist(mentee) == [profile.id]

    removed = client.post(f"/shortlist/{profile.id}/remove", data={"next": "/search"},
                          headers={**HTMX, "X-CSRFToken": token})
    assert removed.status_code == 200
    assert f'hx-post="/shortlist/{profile.id}/add"' in removed.get_data(as_text=True)
    assert on_shortlist(mentee) == []


def test_adding_twice_is_harmless(client, make, scheme, mentee):
    profile = make.mentor(scheme)
    client.post_form(f"/shortlist/{profile.id}/add")
    assert client.post_form(f"/shortlist/{profile.id}/add").status_code == 303
    assert on_shortlist(mentee) == [profile.id]


def test_the_shortlist_stops_at_the_schemes_limit(client, make, scheme, mentee):
    first, second, third = (make.mentor(scheme) for _ in range(3))
    client.post_form(f"/shortlist/{first.id}/add")
    client.post_form(f"/shortlist/{second.id}/add")
    assert "Your shortlist is full" in client.get("/shortlist").get_data(as_text=True)

    refused = client.post_form(f"/shortlist/{third.id}/add")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "already has 2 mentors" in text and "Remove a mentor" in text
    assert on_shortlist(mentee) == [first.id, second.id]

    htmx_refused = client.post(f"/shortlist/{third.id}/add",
                               headers={**HTMX, "X-CSRFToken": client.csrf_token()})
    # htmx swaps only successful answers, so the reason comes back where the button was.
    assert htmx_refused.status_code == 200
    assert "already has 2 mentors" in htmx_refused.get_data(as_text=True)
    assert on_shortlist(mentee) == [first.id, second.id]

    client.post_form(f"/shortlist/{first.id}/remove")
    assert client.post_form(f"/shortlist/{third.id}/add").status_code == 303
    assert on_shortlist(mentee) == [second.id, third.id]


def test_the_limit_is_per_scheme(client, make, scheme, mentee):
    from portal.accounts.models import Membership, Role

    other = make.scheme(shortlist_limit=1)
    mentee.memberships.append(Membership(scheme=other, role=Role.MENTEE))
    db.session.commit()
    here = [make.mentor(scheme) for _ in range(2)]
    there = make.mentor(other)
    for profile in [*here, there]:
        assert client.post_form(f"/shortlist/{profile.id}/add").status_code == 303
    assert len(on_shortlist(mentee)) == 3


@pytest.mark.parametrize("case", ["draft", "hidden", "other scheme", "missing"])
def test_only_published_profiles_in_the_mentees_schemes_can_be_added(client, make, scheme,
                                                                     mentee, case):
    if case == "missing":
        profile_id = 99999
    elif case == "other scheme":
        profile_id = make.mentor(make.scheme()).id
    else:
        profile_id = make.mentor(scheme, state=ProfileState(case)).id
    response = client.post_form(f"/shortlist/{profile_id}/add")
    assert response.status_code == 404
    assert "not available" in response.get_data(as_text=True)
    assert on_shortlist(mentee) == []


def test_a_mentee_cannot_shortlist_their_own_profile(client, make, scheme, login):
    from portal.accounts.models import Membership, Role

    profile = make.mentor(scheme)
    profile.user.memberships.append(Membership(scheme=scheme, role=Role.MENTEE))
    db.session.commit()
    login(profile.user)
    response = client.post_form(f"/shortlist/{profile.id}/add")
    assert response.status_code == 409
    assert on_shortlist(profile.user) == []


def test_a_profile_hidden_later_shows_as_no_longer_available(client, make, scheme, mentee):
    profile = make.mentor(scheme, name="Grace Hopper")
    client.post_form(f"/shortlist/{profile.id}/add")
    profile.state = ProfileState.HIDDEN
    db.session.commit()
    page = client.get("/shortlist").get_data(as_text=True)
    assert "No longer available" in page
    assert f'href="/mentors/{profile.id}"' not in page
    assert client.post_form(f"/shortlist/{profile.id}/remove").status_code == 303
    assert on_shortlist(mentee) == []


# --- private notes -------------------------------------------------------------------------------

def test_a_note_is_seen_only_by_the_mentee_who_wrote_it(client, make, scheme, mentee, login):
    profile = make.mentor(scheme)
    client.post_form(f"/shortlist/{profile.id}/add")
    saved = client.post_form(f"/shortlist/{profile.id}/note",
                             {f"p{profile.id}-note": "Ask about the local plan examination."})
    assert saved.status_code == 303
    assert "Ask about the local plan examination." in client.get("/shortlist").get_data(
        as_text=True)

    someone_else = make.mentee(scheme)
    login(someone_else)
    client.post_form(f"/shortlist/{profile.id}/add")
    assert "local plan examination" not in client.get("/shortlist").get_data(as_text=True)
    for viewer in (profile.user, make.admin(scheme)):
        login(viewer)
        assert "local plan examination" not in client.get(f"/mentors/{profile.id}").get_data(
            as_text=True)


def test_a_note_saves_in_place_with_htmx(client, make, scheme, mentee):
    profile = make.mentor(scheme)
    client.post_form(f"/shortlist/{profile.id}/add")
    response = client.post(f"/shortlist/{profile.id}/note",
                           data={f"p{profile.id}-note": "Good on appeals."},
                           headers={**HTMX, "X-CSRFToken": client.csrf_token()})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<html" not in text and "Note saved" in text and "Good on appeals." in text
    entry = db.session.scalar(sa.select(ShortlistEntry))
    assert entry.note == "Good on appeals."


def test_a_note_that_is_too_long_is_refused(client, make, scheme, mentee):
    profile = make.mentor(scheme)
    client.post_form(f"/shortlist/{profile.id}/add")
    response = client.post_form(f"/shortlist/{profile.id}/note",
                                {f"p{profile.id}-note": "x" * 2001})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "There is a problem" in text and "2,000 characters or fewer" in text
    assert db.session.scalar(sa.select(ShortlistEntry.note)) == ""


def test_a_note_needs_the_mentor_on_the_shortlist(client, make, scheme, mentee):
    profile = make.mentor(scheme)
    response = client.post_form(f"/shortlist/{profile.id}/note", {f"p{profile.id}-note": "Hi"})
    assert response.status_code == 404
    assert on_shortlist(mentee) == []


# --- who may use the shortlist -------------------------------------------------------------------

@pytest.mark.parametrize("method,url", [("GET", "/shortlist"), ("POST", "/shortlist/{id}/add"),
                                        ("POST", "/shortlist/{id}/remove"),
                                        ("POST", "/shortlist/{id}/note")])
def test_anonymous_and_mentor_only_people_are_refused(client, make, scheme, login, method, url):
    profile = make.mentor(scheme)
    url = url.format(id=profile.id)
    token = client.csrf_token()
    anonymous = client.open(url, method=method, data={"csrf_token": token})
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    login(make.mentor(scheme).user)
    refused = client.open(url, method=method, data={"csrf_token": client.csrf_token()})
    assert refused.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShortlistEntry)) == 0


def test_shortlist_posts_need_the_csrf_token(client, make, scheme, mentee):
    profile = make.mentor(scheme)
    assert client.post(f"/shortlist/{profile.id}/add").status_code == 400
    assert on_shortlist(mentee) == []


def test_dashboard_shows_the_shortlist_count(client, make, scheme, mentee):
    profile = make.mentor(scheme)
    client.post_form(f"/shortlist/{profile.id}/add")
    text = client.get("/dashboard").get_data(as_text=True)
    assert "1 of 2 mentors on your shortlist" in text
    assert 'href="/shortlist"' in text


def test_the_shortlist_page_runs_the_same_queries_for_1_or_2_mentors(client, make, scheme,
                                                                      mentee, count_queries):
    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/shortlist").status_code == 200
        return counter.count

    client.post_form(f"/shortlist/{make.mentor(scheme).id}/add")
    one = queries()
    second = make.mentor(scheme, expertise=["Finance", "Leadership"])
    client.post_form(f"/shortlist/{second.id}/add")
    assert queries() == one


def test_the_profile_page_offers_the_toggle_to_mentees_only(client, make, scheme, mentee, login):
    profile = make.mentor(scheme)
    assert f'action="/shortlist/{profile.id}/add"' in client.get(
        f"/mentors/{profile.id}").get_data(as_text=True)
    login(make.admin(scheme))
    assert "/shortlist/" not in client.get(f"/mentors/{profile.id}").get_data(as_text=True)
