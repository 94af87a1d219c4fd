"""Bounded input: an oversized post is refused before it is read, and an id or a path segment
that no record could have is "not found", never a server error (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest

from portal import config
from portal.accounts.models import Role
from portal.extensions import db
from portal.mentors.models import MentorProfile

PROFILE = {
    "display_name": "Mira Mentor", "job_title": "Principal planner",
    "organisation": "Test Borough Council", "sector": "public", "grade": "Grade 7",
    "expertise": "Leadership", "background": "Twenty years in local government.",
    "offer": "Help with career planning.", "experience": "", "meeting_format": "either",
    "location": "Hertford", "capacity": "2", "accepting": "y",
}


def edit(client, profile, **changes):
    return client.post_form(f"/mentors/{profile.id}/edit", {**PROFILE, **changes})


def reread(profile) -> MentorProfile:
    db.session.expire_all()
    return db.session.get(MentorProfile, profile.id)


# --- the size of a post ----------------------------------------------------------------------

class CountingBody(io.BytesIO):
    """A request body that counts how much of it the portal reads."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.taken += len(line)
        return line


def test_a_megabyte_post_is_refused_unread_with_a_page_and_changes_nothing(make, login):
    # Refused from its stated length, before any of it is read: a timed check said this less
    # surely (and failed on a busy machine), so the test counts the bytes the portal takes.
    profile = make.mentor(make.scheme())
    client = login(profile.user)
    before = (profile.background, profile.updated_at)
    fields = {**PROFILE, "background": "x" * 1_000_000, "csrf_token": client.csrf_token()}
    body = CountingBody(urlencode(fields).encode())
    response = client.post(f"/mentors/{profile.id}/edit", input_stream=body,
                           content_type="application/x-www-form-urlencoded",
                           content_length=len(body.getvalue()))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "What you sent is too large" in html
    assert "Nothing has been saved" in html
    assert 'class="govuk-heading-l"' in html  # the portal's own layout, not a bare server page
    assert body.taken == 0
    after = reread(profile)
    assert (after.background, after.updated_at) == before


def test_the_largest_real_form_fits_even_in_four_byte_characters(make, login):
    # Every field of the largest form at its limit, in characters that cost the most on the
    # wire (4 bytes of UTF-8, each sent as %XX): the limit must never refuse a valid answer.
    profile = make.mentor(make.scheme())
    client = login(profile.user)
    wide = "\U0001f600"
    response = edit(client, profile, display_name=wide * 200, job_title=wide * 200,
                    organisation=wide * 200, grade=wide * 100, location=wide * 200,
                    background=wide * 4000, offer=wide * 4000, experience=wide * 4000)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert reread(profile).background == wide * 4000


def test_a_post_of_too_many_parts_is_refused(make, login):
    profile = make.mentor(make.scheme())
    client = login(profile.user)
    parts = {f"extra{n}": "x" for n in range(500)}
    response = client.post(f"/mentors/{profile.id}/edit",
                           data={**PROFILE, **parts, "csrf_token": client.csrf_token()},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def test_the_limit_is_a_setting(tmp_path):
    env = {"PORTAL_ENV": "testing"}
    assert config.load(str(tmp_path), {**env, "MAX_FORM_KB": "96"})["MAX_CONTENT_LENGTH"] == 98304
    assert config.load(str(tmp_path), env)["MAX_CONTENT_LENGTH"] == 256 * 1024


# --- ids and path segments -------------------------------------------------------------------

#: Ids no record can have: past PostgreSQL's INTEGER (the id columns' type), past 64 bits,
#: signed, zero, padded with zeros, and digits from other scripts that int() would accept.
IMPOSSIBLE_IDS = ["2147483648", "9223372036854775807", "9223372036854775808",
                  "99999999999999999999999", "-1", "0", "007", "%D9%A1"]


@pytest.mark.parametrize("value", IMPOSSIBLE_IDS)
def test_an_impossible_id_is_not_found(make, login, value):
    scheme = make.scheme()
    profile = make.mentor(scheme)
    admin = make.admin(scheme)
    mentee = login(make.mentee(scheme))
    for path in (f"/mentors/{value}", f"/mentors/{value}/edit", f"/calls/{value}",
                 f"/calls/new/{value}", f"/calls/{value}/outcome"):
        assert mentee.get(path).status_code == 404, path
    assert mentee.post_form(f"/shortlist/{value}/add").status_code == 404
    login(admin)
    assert mentee.post_form(f"/admin/emails-not-delivered/{value}/send-again").status_code == 404
    # A real id works, at its one address only: not padded with zeros.
    login(profile.user)
    assert mentee.get(f"/mentors/{profile.id}").status_code == 200
    assert mentee.get(f"/mentors/00{profile.id}").status_code == 404
    assert mentee.get("/mentors/2147483647").status_code == 404


@pytest.mark.parametrize("segment", ["a%00b", "%00", "x%1Fy", "%7F"])
def test_a_control_character_in_a_path_segment_is_not_found(make, login, segment):
    scheme = make.scheme()
    client = login(make.user(roles={scheme: [Role.ADMIN, Role.MENTEE]}))
    for path in (f"/schemes/{segment}", f"/agreements/{segment}", f"/schemes/{segment}/join",
                 f"/admin/agreements/{segment}", f"/calls/approval/{segment}"):
        assert client.get(path).status_code == 404, path
