"""Leavers: an administrator deactivates a person's mentor and mentee roles in a scheme (the
profile leaves search, waiting requests close kindly, running mentoring ends, nothing signed is
lost), once however many press the button, and can reactivate them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.accounts.models import Membership, Role
from portal.admin import leavers
from portal.agreements.models import Agreement, AgreementState
from portal.audit import AuditEvent
from portal.calls.models import CallFormat, CallState, ChemistryCall, ProposedTime
from portal.db import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.mentors.models import MentorProfile, ProfileState
from portal.relationships.models import EndCategory, Relationship, RelationshipState
from tests.support.agreements import client_for, pair, signed_by_both
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once


def fresh(model, item_id):
    db.session.rollback()  # a fresh read: what the requests (or threads) committed
    return db.session.get(model, item_id)


def names_found(browser, query: str) -> str:
    return browser.get(f"/search?q={query}").get_data(as_text=True)


def running_pair(app, make, mailbox, scheme):
    """A pair whose agreement both signed and the mentee submitted: mentoring under way."""
    relationship, agreement = pair(make, scheme)
    signed_by_both(app, mailbox, agreement)
    mentee = client_for(app, relationship.mentee)
    assert mentee.post_form(f"/agreements/{agreement.reference}/submit").status_code == 303
    return fresh(Relationship, relationship.id), fresh(Agreement, agreement.id)


def waiting_call(profile, mentee) -> ChemistryCall:
    """A chemistry call request the mentor has not answered yet."""
    now = utcnow()
    call = ChemistryCall(scheme_id=profile.scheme_id, profile_id=profile.id,
                         mentor_id=profile.user_id, mentee_id=mentee.id,
                         hopes="To learn how to chair a difficult meeting.", experience="",
                         flexible=True, preferred_format=CallFormat.VIDEO, requested_at=now,
                         state=CallState.REQUESTED,
                         proposed_times=[ProposedTime(starts_at=now + dt.timedelta(days=9))])
    db.session.add(call)
    db.session.commit()
    return call


def deactivate(browser, scheme, person, reason="Left the council in March."):
    return browser.post_form(f"/admin/schemes/{scheme.slug}/people/{person.id}/deactivate",
                             {"reason": reason})


def test_deactivating_a_mentor_hides_them_closes_requests_ends_mentoring_and_keeps_what_they_signed(
        app, make, mailbox):
    scheme = make.scheme(name="ACT mentoring")
    admin = make.admin(scheme, email="admin@act.gov.uk")
    relationship, agreement = running_pair(app, make, mailbox, scheme)
    mentor, profile_id = relationship.mentor, relationship.profile_id
    version = agreement.signed_version
    waiting = make.mentee(scheme, email="waiting@act.gov.uk", name="Wanda Waiting")
    waiting_call(fresh(MentorProfile, profile_id), waiting)
    searcher = client_for(app, make.mentee(scheme, email="searcher@act.gov.uk"))
    assert "Zoë" in names_found(searcher, "leadership")

    browser = client_for(app, admin)
    page = browser.get(f"/admin/schemes/{scheme.slug}/people/{mentor.id}/deactivate")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1 chemistry call request waiting for an answer closes" in html
    assert "1 mentoring relationship ends" in html
    assert deactivate(browser, scheme, mentor).status_code == 303

    # The profile is out of search; the request closed kindly; the mentoring ended by the
    # scheme, its reason "leaving"; the agreement and its proof stay.
    assert fresh(MentorProfile, profile_id).state == ProfileState.HIDDEN
    assert "Zoë" not in names_found(searcher, "leadership")
    call = db.session.scalars(sa.select(ChemistryCall).where(
        ChemistryCall.mentee_id == waiting.id)).one()
    assert call.state == CallState.DECLINED
    closed = mailbox.last("waiting@act.gov.uk", "call_closed")
    assert "nothing to do with your request" in closed.body_text
    assert "Left the council" not in closed.body_text
    ended = fresh(Relationship, relationship.id)
    assert ended.state == RelationshipState.ENDED
    assert ended.end_category == EndCategory.LEAVING
    assert ended.end_reason == "Left the council in March."
    assert mailbox.count(relationship.mentee.email, "relationship_ended") == 1
    assert "Left the council" not in mailbox.last(relationship.mentee.email,
                                                   "relationship_ended").body_text
    kept = fresh(Agreement, agreement.id)
    assert kept.state == AgreementState.SUBMITTED and kept.signed_version.id == version.id
    proof = client_for(app).get("/verify", query_string={"reference": agreement.reference,
                                                         "sha256": version.sha256})
    assert "It matches" in proof.get_data(as_text=True)
    assert browser.get(f"/admin/agreements/{agreement.reference}/pdf").status_code == 200

    # They can no longer act as the scheme's mentor; the desk shows them deactivated.
    assert fresh(type(mentor), mentor.id).roles_in(scheme.id) == set()
    assert client_for(app, mentor).get("/mentors/profiles").status_code == 403
    people = browser.get(f"/admin/schemes/{scheme.slug}/people").get_data(as_text=True)
    assert "Deactivated" in people and "Reactivate" in people
    [event] = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "member_deactivated"))
    assert event.actor_id == admin.id and event.detail["relationships_ended"] == 1
    assert event.detail["requests_closed"] == 1

    # Twice is refused with when, and changes nothing.
    again = deactivate(browser, scheme, mentor)
    assert again.status_code == 409 and "was deactivated on" in again.get_data(as_text=True)
    assert mailbox.count(relationship.mentee.email, "relationship_ended") == 1


def test_reactivating_gives_the_roles_and_profile_back_and_reopens_nothing(app, make, mailbox):
    scheme = make.scheme()
    admin = make.admin(scheme, email="admin@act.gov.uk")
    relationship, _ = running_pair(app, make, mailbox, scheme)
    mentor = relationship.mentor
    browser = client_for(app, admin)
    url = f"/admin/schemes/{scheme.slug}/people/{mentor.id}/reactivate"
    refused = browser.post_form(url)
    assert refused.status_code == 409 and "is not deactivated" in refused.get_data(as_text=True)
    assert deactivate(browser, scheme, mentor, reason="").status_code == 303
    assert "was deactivated on" in browser.get(url).get_data(as_text=True)
    assert browser.post_form(url).status_code == 303
    assert fresh(MentorProfile, relationship.profile_id).state == ProfileState.PUBLISHED
    assert fresh(type(mentor), mentor.id).roles_in(scheme.id) == {Role.MENTOR}
    assert fresh(Relationship, relationship.id).state == RelationshipState.ENDED
    assert [e.action for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action.like("member_%")).order_by(AuditEvent.id))] == [
        "member_deactivated", "member_reactivated"]


def test_a_hidden_profile_stays_hidden_and_other_schemes_are_untouched(app, make):
    scheme, other = make.scheme(), make.scheme()
    admin = make.admin(scheme, email="admin@act.gov.uk")
    profile = make.mentor(scheme, email="mira@act.gov.uk", state=ProfileState.HIDDEN)
    mira = profile.user
    db.session.add(Membership(user_id=mira.id, scheme_id=other.id, role=Role.MENTEE))
    db.session.commit()
    browser = client_for(app, admin)
    assert deactivate(browser, scheme, mira).status_code == 303
    assert browser.post_form(f"/admin/schemes/{scheme.slug}/people/{mira.id}/reactivate"
                             ).status_code == 303
    assert fresh(MentorProfile, profile.id).state == ProfileState.HIDDEN
    assert fresh(type(mira), mira.id).roles_in(other.id) == {Role.MENTEE}


def test_who_may_deactivate_and_bad_input(app, make):
    scheme, other = make.scheme(), make.scheme()
    admin = make.admin(scheme, email="admin@act.gov.uk")
    outsider = make.admin(other, email="outsider@gla.gov.uk")
    mentee = make.mentee(scheme, email="mentee@act.gov.uk")
    stranger = make.mentee(other, email="stranger@gla.gov.uk")
    base = f"/admin/schemes/{scheme.slug}/people"
    for url in (f"{base}/{mentee.id}/deactivate", f"{base}/{mentee.id}/reactivate"):
        assert client_for(app, outsider).get(url).status_code == 404
        assert client_for(app, outsider).post_form(url).status_code == 404
        assert client_for(app, mentee).post_form(url).status_code == 403
    browser = client_for(app, admin)
    assert browser.get(f"{base}/{stranger.id}/deactivate").status_code == 404  # not in it
    assert browser.get(f"{base}/{admin.id}/deactivate").status_code == 404  # administrators
    long = deactivate(browser, scheme, mentee, reason="x" * 2001)
    assert long.status_code == 400 and "under 2,000 characters" in long.get_data(as_text=True)
    assert fresh(type(mentee), mentee.id).roles_in(scheme.id) == {Role.MENTEE}


def test_two_administrators_deactivating_at_once_end_the_mentoring_once(app, make, mailbox,
                                                                        monkeypatch):
    scheme = make.scheme()
    first = make.admin(scheme, email="first@act.gov.uk")
    second = make.admin(scheme, email="second@act.gov.uk")
    relationship, _ = running_pair(app, make, mailbox, scheme)
    mentee_id = relationship.mentee_id
    admins = iter([first.id, second.id])
    hold_until_both_arrive(leavers, "lock", monkeypatch)

    def press():
        actor = db.session.get(type(first), next(admins))
        try:
            leavers.deactivate(scheme.id, mentee_id, actor, reason="Moved away.")
        except DomainError as error:
            return error.message
        return "deactivated"

    results = run_twice_at_once(app, press)
    assert "deactivated" in results and len(results) == 2
    assert any("was deactivated on" in result for result in results)
    assert fresh(Relationship, relationship.id).state == RelationshipState.ENDED
    assert mailbox.count(relationship.mentor.email, "relationship_ended") == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "member_deactivated")) == 1
