"""Leaving a scheme oneself: what is open there closes kindly (a waiting request closes and its
mentee is told; running mentoring ends and the other person is told), the mentor profile there
is hidden, the roles there go, and nothing else changes; only its own members may."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa
import time_machine

from portal.accounts.models import Membership, User
from portal.calls.models import CallState, ChemistryCall
from portal.extensions import db
from portal.mentors.models import MentorProfile, ProfileState
from portal.relationships.models import Relationship, RelationshipState
from tests.support.agreements import client_for
from tests.support.calls import NOW, request_data


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def roles(user_id: int) -> set[tuple[int, str]]:
    db.session.expire_all()
    return {(m.scheme_id, m.role.value) for m in db.session.scalars(
        sa.select(Membership).where(Membership.user_id == user_id))}


@time_machine.travel(NOW, tick=False)
def test_a_mentor_leaves_and_what_is_open_there_closes_kindly(app, make, mailbox):
    scheme, other_scheme = make.scheme(), make.scheme()
    running = make.active_relationship(scheme, mentor_name="Grace Hopper",
                                       mentor_email="grace@testborough.gov.uk")
    mentor = running.mentor
    profile = db.session.scalar(sa.select(MentorProfile).where(MentorProfile.user_id ==
                                                               mentor.id))
    asker = make.mentee(scheme, name="Ada Lovelace", email="ada@testborough.gov.uk")
    assert client_for(app, asker).post_form(f"/calls/new/{profile.id}",
                                            request_data()).status_code == 303
    # An administrator's role is not given up, nor a role in another scheme.
    db.session.add(Membership(user_id=mentor.id, scheme_id=scheme.id, role="admin"))
    db.session.add(Membership(user_id=mentor.id, scheme_id=other_scheme.id, role="mentor"))
    db.session.commit()

    client = client_for(app, mentor)
    page = client.get(f"/schemes/{scheme.slug}/leave")
    assert page.status_code == 200 and "Leave this scheme" in text(page)
    assert client.post_form(f"/schemes/{scheme.slug}/leave", {}).status_code == 303

    db.session.expire_all()
    assert roles(mentor.id) == {(scheme.id, "admin"), (other_scheme.id, "mentor")}
    assert db.session.get(MentorProfile, profile.id).state == ProfileState.HIDDEN
    assert db.session.scalar(sa.select(ChemistryCall)).state == CallState.DECLINED
    assert mailbox.count("ada@testborough.gov.uk", "call_closed") == 1
    assert db.session.get(Relationship, running.id).state == RelationshipState.ENDED
    assert mailbox.count(running.mentee.email, "relationship_ended") == 1
    assert db.session.get(User, mentor.id).erased_at is None
    # Leaving again: no longer a mentor or mentee there, so "not found".
    assert client.get(f"/schemes/{scheme.slug}/leave").status_code == 404


def test_only_a_member_may_leave_and_a_bad_post_changes_nothing(app, make):
    scheme = make.scheme()
    member = make.mentee(scheme)
    outsider = make.mentee(make.scheme())
    assert client_for(app, outsider).post_form(f"/schemes/{scheme.slug}/leave",
                                               {}).status_code == 404
    anonymous = client_for(app).get(f"/schemes/{scheme.slug}/leave")
    assert anonymous.status_code in (302, 303)
    before = roles(member.id)
    no_token = client_for(app, member).post(f"/schemes/{scheme.slug}/leave", data={})
    assert no_token.status_code == 400
    assert roles(member.id) == before
