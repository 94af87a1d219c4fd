"""Ending a mentoring relationship without blame: by either person at any stage, by an
administrator, or as completed when the agreed time runs out; the mentor's place comes back
exactly once, whatever races it."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
import sqlalchemy as sa
import time_machine

from portal.agreements.models import Agreement, AgreementState
from portal.extensions import db
from portal.mentors.models import MentorProfile
from portal.relationships import ending
from portal.relationships.models import EndCategory, EndKind, Relationship, RelationshipState
from tests.support.agreements import client_for
from tests.support.calls import NOW, fresh_client, send_request, time_values
from tests.support.overlap import hold_until_both_arrive, post_at_once, run_twice_at_once

ADMIN_MAILBOX = "mentoring@testborough.gov.uk"
REASON = "We found our diaries never lined up after the restructure."


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def holding_a_place(relationship: Relationship, capacity: int = 2) -> MentorProfile:
    """The relationship holds one of its mentor's places, as one made by a call does."""
    profile = db.session.get(MentorProfile, relationship.profile_id)
    profile.capacity, profile.places_taken = capacity, 1
    db.session.commit()
    return profile


def fresh(relationship_id: int) -> tuple[Relationship, Agreement, MentorProfile]:
    db.session.rollback()
    db.session.expire_all()
    relationship = db.session.get(Relationship, relationship_id)
    agreement = db.session.scalar(sa.select(Agreement).where(
        Agreement.relationship_id == relationship_id))
    return relationship, agreement, db.session.get(MentorProfile, relationship.profile_id)


def end_form(client, relationship_id: int, **data):
    return client.post_form(f"/relationships/{relationship_id}/end", data)


@pytest.fixture
def scheme(make):
    return make.scheme(admin_email=ADMIN_MAILBOX)


# --- by either person -----------------------------------------------------------------------------

def test_the_mentee_ends_before_signing(app, make, mailbox, scheme):
    relationship = make.relationship(scheme, mentor_name="Mira Mentor", mentee_name="Ted Mentee")
    holding_a_place(relationship)
    mentee = client_for(app, relationship.mentee)
    page = mentee.get(f"/relationships/{relationship.id}/end").get_data(as_text=True)
    assert "End your mentoring with Mira Mentor" in page
    assert "Only the scheme&#39;s administrators see this" in page

    response = end_form(mentee, relationship.id, category="not_working", reason=REASON)
    assert response.status_code == 303
    relationship, agreement, profile = fresh(relationship.id)
    assert relationship.state == RelationshipState.ENDED
    assert relationship.end_kind == EndKind.ENDED_EARLY
    assert relationship.end_category == EndCategory.NOT_WORKING
    assert relationship.ended_by_id == relationship.mentee_id
    assert agreement.state == AgreementState.WITHDRAWN
    assert profile.places_taken == 0

    to_mentor = mailbox.last(relationship.mentor.email, "relationship_ended")
    assert "Ted Mentee has ended your mentoring" in to_mentor.body_text
    assert "free again" in to_mentor.body_text
    to_mentee = mailbox.last(relationship.mentee.email, "relationship_ended")
    assert "Look for another mentor" in to_mentee.body_text
    for message in (to_mentor, to_mentee):  # no blame, no reason
        assert REASON not in message.body_text and REASON not in message.body_html
        assert EndCategory.NOT_WORKING.label not in message.body_text
    to_admins = mailbox.last(ADMIN_MAILBOX, "relationship_ended_admin")
    assert REASON in to_admins.body_text and EndCategory.NOT_WORKING.label in to_admins.body_text


def test_the_mentor_ends_a_running_relationship_and_can_take_a_new_mentee(
        app, client, make, login, mailbox, scheme):
    relationship = make.active_relationship(scheme)
    profile = holding_a_place(relationship, capacity=1)
    mentor = client_for(app, relationship.mentor)
    assert end_form(mentor, relationship.id).status_code == 303  # no reason: allowed
    relationship, agreement, profile = fresh(relationship.id)
    assert relationship.state == RelationshipState.ENDED and relationship.end_category is None
    assert agreement.state == AgreementState.SUBMITTED  # kept for the scheme's records
    assert profile.places_taken == 0
    assert "No reason chosen" in mailbox.last(ADMIN_MAILBOX).body_text

    # Capacity 1: the freed place takes a new mentee.
    newcomer = make.mentee(scheme, email="new.mentee@testborough.gov.uk")
    assert send_request(client, login, newcomer, profile).status_code == 303
    link = mailbox.link(mailbox.last(relationship.mentor.email, "call_requested"), "/accept")
    browser = fresh_client(app)
    page = browser.get(link).get_data(as_text=True)
    assert browser.post_form(link, {"time": time_values(page)[0],
                                    "details": "Teams"}).status_code == 303
    assert fresh(relationship.id)[2].places_taken == 1


def test_a_signing_link_of_a_withdrawn_agreement_says_why(app, make, mailbox, scheme):
    from tests.support.agreements import ready_to_sign

    relationship = make.relationship(scheme)
    holding_a_place(relationship)
    agreement = fresh(relationship.id)[1]
    ready_to_sign(app, agreement)
    link = mailbox.link(mailbox.last(relationship.mentor.email, "agreement_sign"), "/sign/")
    assert end_form(client_for(app, relationship.mentee), relationship.id).status_code == 303
    page = client_for(app).get(link)
    assert page.status_code in (409, 410)
    assert "ended" in page.get_data(as_text=True)


def test_ending_twice_is_refused_and_gives_the_place_back_once(app, make, mailbox, scheme):
    relationship = make.relationship(scheme)
    holding_a_place(relationship)
    assert end_form(client_for(app, relationship.mentee), relationship.id).status_code == 303
    again = end_form(client_for(app, relationship.mentor), relationship.id)
    assert again.status_code == 409
    assert "ended on" in again.get_data(as_text=True)
    assert fresh(relationship.id)[2].places_taken == 0
    assert mailbox.count(template="relationship_ended") == 2


def test_both_ending_at_the_same_moment_end_it_once(app, make, mailbox, scheme, monkeypatch):
    relationship = make.relationship(scheme)
    holding_a_place(relationship, capacity=3)
    browsers = [client_for(app, relationship.mentee), client_for(app, relationship.mentor)]
    url = f"/relationships/{relationship.id}/end"
    posts = [(browser, url, {"csrf_token": browser.csrf_token()}) for browser in browsers]
    hold_until_both_arrive(ending, "lock_profile", monkeypatch)
    assert post_at_once(posts) == [303, 409]
    assert fresh(relationship.id)[2].places_taken == 0
    assert mailbox.count(template="relationship_ended") == 2
    assert mailbox.count(template="relationship_ended_admin") == 1


def test_an_ending_racing_an_acceptance_of_the_last_place(app, client, make, login, mailbox,
                                                          scheme, monkeypatch):
    """Capacity 1, held by the relationship; another mentee's request is accepted while the
    relationship ends. Whichever goes first, the count matches what holds a place."""
    relationship = make.active_relationship(scheme)
    newcomer = make.mentee(scheme, email="racing.mentee@testborough.gov.uk")
    profile = db.session.get(MentorProfile, relationship.profile_id)
    assert send_request(client, login, newcomer, profile).status_code == 303  # while free
    holding_a_place(relationship, capacity=1)
    rid = relationship.id
    link = mailbox.link(mailbox.last(relationship.mentor.email, "call_requested"), "/accept")
    acceptor = fresh_client(app)
    page = acceptor.get(link).get_data(as_text=True)
    accept_data = {"time": time_values(page)[0], "details": "Teams",
                   "csrf_token": acceptor.csrf_token()}
    ender = client_for(app, relationship.mentee)
    end_data = {"csrf_token": ender.csrf_token()}

    from portal.calls import queries as call_queries
    barrier = threading.Barrier(2)
    real = call_queries.lock_profile

    def held(profile_id):  # both requests reach the profile lock together
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return real(profile_id)

    monkeypatch.setattr(call_queries, "lock_profile", held)
    monkeypatch.setattr(ending, "lock_profile", held)
    results: dict[str, int] = {}

    def run(name, browser, url, data):
        results[name] = browser.post(url, data=data).status_code

    threads = [threading.Thread(target=run, args=("accept", acceptor, link, accept_data)),
               threading.Thread(target=run, args=("end", ender, f"/relationships/{rid}/end",
                                                  end_data))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results["end"] == 303
    assert results["accept"] in (303, 409)
    places = fresh(rid)[2].places_taken
    assert places == (1 if results["accept"] == 303 else 0)


# --- by an administrator --------------------------------------------------------------------------

def test_an_administrator_ends_one_with_a_reason(app, make, mailbox, scheme):
    relationship = make.active_relationship(scheme, mentee_name="Ted Mentee")
    holding_a_place(relationship)
    reference = fresh(relationship.id)[1].reference
    admin = client_for(app, make.admin(scheme))
    desk = admin.get(f"/admin/agreements/{reference}").get_data(as_text=True)
    assert f'href="/relationships/{relationship.id}/end"' in desk
    page = admin.get(f"/relationships/{relationship.id}/end").get_data(as_text=True)
    assert "End this mentoring relationship" in page

    refused = end_form(admin, relationship.id, category="", reason="")
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "Choose why the scheme is ending" in body
    assert "Enter the reason the scheme is ending" in body
    assert "govuk-error-summary" in body  # the form comes back with its errors, not lost
    assert fresh(relationship.id)[0].state == RelationshipState.ACTIVE

    assert end_form(admin, relationship.id, category="leaving", reason=REASON).status_code == 303
    relationship, _, profile = fresh(relationship.id)
    assert relationship.end_reason == REASON and profile.places_taken == 0
    message = mailbox.last(relationship.mentee.email, "relationship_ended")
    assert "team has ended your mentoring" in message.body_text
    assert REASON not in message.body_text
    assert mailbox.count(ADMIN_MAILBOX, "relationship_ended_admin") == 0  # they know already
    desk = admin.get(f"/admin/agreements/{reference}").get_data(as_text=True)
    assert REASON in desk and EndCategory.LEAVING.label in desk
    assert f'href="/relationships/{relationship.id}/end"' not in desk


def test_the_pair_see_the_reason_nowhere_and_find_the_way_to_end(app, make, mailbox, scheme):
    relationship = make.relationship(scheme)
    holding_a_place(relationship)
    reference = fresh(relationship.id)[1].reference
    mentor = client_for(app, relationship.mentor)
    page = mentor.get(f"/agreements/{reference}").get_data(as_text=True)
    assert f'href="/relationships/{relationship.id}/end"' in page
    end_form(client_for(app, relationship.mentee), relationship.id, category="not_working",
             reason=REASON)
    page = mentor.get(f"/agreements/{reference}").get_data(as_text=True)
    assert "Withdrawn" in page and REASON not in page
    assert f'href="/relationships/{relationship.id}/end"' not in page
    assert REASON not in mentor.get("/dashboard").get_data(as_text=True)


def test_an_administrator_of_another_scheme_cannot(app, make, scheme):
    relationship = make.relationship(scheme)
    other_admin = client_for(app, make.admin(make.scheme()))
    assert other_admin.get(f"/relationships/{relationship.id}/end").status_code == 404


# --- who may, and bad input ----------------------------------------------------------------------

def test_someone_outside_the_pair_gets_404_and_nothing_changes(app, make, scheme):
    relationship = make.relationship(scheme)
    holding_a_place(relationship)
    stranger = client_for(app, make.mentee(scheme, email="stranger@testborough.gov.uk"))
    assert stranger.get(f"/relationships/{relationship.id}/end").status_code == 404
    assert end_form(stranger, relationship.id).status_code == 404
    assert stranger.get("/relationships/999999/end").status_code == 404
    anonymous = client_for(app)
    assert anonymous.get(f"/relationships/{relationship.id}/end").status_code == 302
    relationship, _, profile = fresh(relationship.id)
    assert relationship.state == RelationshipState.AGREEING and profile.places_taken == 1


@pytest.mark.parametrize("data, message", [
    ({"category": "bored"}, "Choose one of the reasons"),
    ({"reason": "x" * 2001}, "2000"),
])
def test_bad_input_is_refused_and_changes_nothing(app, make, mailbox, scheme, data, message):
    relationship = make.relationship(scheme)
    holding_a_place(relationship)
    response = end_form(client_for(app, relationship.mentee), relationship.id, **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert fresh(relationship.id)[0].state == RelationshipState.AGREEING
    assert mailbox.count(template="relationship_ended") == 0


def test_text_pasted_from_a_document_is_kept_clean(app, make, mailbox, scheme):
    relationship = make.relationship(scheme)
    holding_a_place(relationship)
    pasted = "Diaries\x00 clash\u00a0every week\u202e."
    assert end_form(client_for(app, relationship.mentee), relationship.id,
                    reason=pasted).status_code == 303
    assert "\x00" not in fresh(relationship.id)[0].end_reason


# --- completed: the agreed time runs out ---------------------------------------------------------

def test_completion_reminds_a_week_before_then_ends_once(app, make, mailbox, scheme, monkeypatch):
    start = NOW.date()
    relationship = make.active_relationship(scheme, start_date=start, duration_months=6)
    holding_a_place(relationship)

    with time_machine.travel(dt.datetime(2026, 8, 25, 9, 0, tzinfo=dt.UTC), tick=False):
        assert ending.complete_due() == (0, 0)  # eight days before: nothing yet
    with time_machine.travel(dt.datetime(2026, 8, 26, 9, 0, tzinfo=dt.UTC), tick=False):
        hold_until_both_arrive(ending.queries, "lock", monkeypatch)
        runs = run_twice_at_once(app, ending.complete_due)
        assert sorted(runs) == [(0, 0), (1, 0)]
    message = mailbox.last(relationship.mentee.email, "relationship_ending_soon")
    assert "2 September 2026" in message.body_text
    with time_machine.travel(dt.datetime(2026, 9, 2, 6, 0, tzinfo=dt.UTC), tick=False):
        runs = run_twice_at_once(app, ending.complete_due)
        assert sorted(runs) == [(0, 0), (0, 1)]
    relationship, agreement, profile = fresh(relationship.id)
    assert relationship.state == RelationshipState.ENDED
    assert relationship.end_kind == EndKind.COMPLETED and profile.places_taken == 0
    assert agreement.state == AgreementState.SUBMITTED
    assert mailbox.count(template="relationship_completed") == 2
    assert mailbox.count(template="relationship_ending_soon") == 2


def test_the_command_runs_from_cron(app, make, mailbox, scheme, runner):
    relationship = make.active_relationship(scheme, start_date=NOW.date(), duration_months=1)
    holding_a_place(relationship)
    with time_machine.travel(dt.datetime(2026, 4, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        result = runner.invoke(args=["relationships", "remind"])
    assert result.exit_code == 0, result.output
    assert "completed 1" in result.output
    assert fresh(relationship.id)[0].state == RelationshipState.ENDED


# --- a new match ----------------------------------------------------------------------------------

def test_after_an_early_ending_the_shortlist_marks_the_earlier_mentor(app, make, mailbox, scheme):
    relationship = make.relationship(scheme, mentor_name="Mira Mentor")
    holding_a_place(relationship)
    mentee = client_for(app, relationship.mentee)
    assert mentee.post_form(f"/shortlist/{relationship.profile_id}/add").status_code == 303
    assert "Your earlier mentor" not in mentee.get("/shortlist").get_data(as_text=True)
    assert end_form(mentee, relationship.id).status_code == 303
    page = mentee.get("/shortlist").get_data(as_text=True)
    assert "Your earlier mentor" in page and "ended on 2 March 2026" in page


def test_a_mentee_working_with_a_mentor_is_warned_before_asking_another(app, client, make, login,
                                                                         scheme):
    relationship = make.relationship(scheme, mentor_name="Mira Mentor")
    second = make.mentor(scheme, name="Sam Second")
    login(relationship.mentee)
    page = client.get(f"/calls/new/{second.id}").get_data(as_text=True)
    assert "You are already working with Mira Mentor in this scheme" in page
    assert send_request(client, login, relationship.mentee, second).status_code == 303

    # After the ending, no warning.
    other = make.mentor(scheme, name="Olu Other")
    assert end_form(client_for(app, relationship.mentee), relationship.id).status_code == 303
    assert "already working with" not in client.get(f"/calls/new/{other.id}").get_data(
        as_text=True)


def test_a_scheme_with_one_mentor_at_a_time_refuses_a_second(app, client, make, login, mailbox):
    scheme = make.scheme(running={"one_mentor_at_a_time": True})
    relationship = make.relationship(scheme)
    second = make.mentor(scheme, name="Sam Second")
    response = send_request(client, login, relationship.mentee, second)
    assert response.status_code == 409
    assert "one mentor at a time" in response.get_data(as_text=True)
    assert mailbox.count(template="call_requested") == 0


def test_sessions_still_to_come_are_cancelled_in_both_calendars(app, make, mailbox, scheme):
    from icalendar import Calendar

    from portal.relationships.models import MentoringSession, SessionState

    relationship = make.active_relationship(scheme)
    holding_a_place(relationship)
    mentee = client_for(app, relationship.mentee)
    later = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)
    db.session.add(MentoringSession(relationship_id=relationship.id, starts_at=later,
                                    invite_uid="mentoring-session-x@portal.test",
                                    place="Room 4"))
    db.session.commit()
    assert end_form(mentee, relationship.id).status_code == 303
    db.session.rollback()
    session = db.session.scalars(sa.select(MentoringSession)).one()
    assert session.state == SessionState.CANCELLED and not session.late_notice
    for person in (relationship.mentor, relationship.mentee):
        message = mailbox.last(person.email, "session_cancelled")
        assert "because your mentoring has ended" in message.body_text
        assert "Book another session" not in message.body_text
        (attachment,) = message.attachments
        event = Calendar.from_ical(attachment.data).walk("VEVENT")[0]
        assert str(Calendar.from_ical(attachment.data)["METHOD"]) == "CANCEL"
        assert str(event["UID"]) == "mentoring-session-x@portal.test"
        assert event["SEQUENCE"] == 1
    ended = mailbox.last(relationship.mentee.email, "relationship_ended")
    assert "The session you had booked is cancelled" in ended.body_text


def test_the_mentoring_page_after_the_end_keeps_the_record_and_offers_no_booking(
        app, make, mailbox, scheme):
    from portal.relationships.models import MentoringSession, SessionState

    relationship = make.active_relationship(scheme, mentor_name="Mira Mentor")
    holding_a_place(relationship)
    db.session.add(MentoringSession(relationship_id=relationship.id, state=SessionState.HELD,
                                    held_on=dt.date(2026, 2, 20), held_minutes=55))
    db.session.commit()
    mentee = client_for(app, relationship.mentee)
    page = mentee.get(f"/relationships/{relationship.id}").get_data(as_text=True)
    assert "Book a session" in page and f"/relationships/{relationship.id}/end" in page
    assert end_form(mentee, relationship.id).status_code == 303
    page = mentee.get(f"/relationships/{relationship.id}").get_data(as_text=True)
    assert "Your mentoring with Mira Mentor ended on 2 March 2026" in page
    assert "Took place, 55 minutes" in page and "Look for another mentor" in page
    assert "Book a session" not in page and f"/relationships/{relationship.id}/end" not in page
    assert "Log a session you did not book" not in page


def test_the_dashboards_tell_the_truth_after_the_end(app, make, mailbox, scheme):
    relationship = make.relationship(scheme, mentor_name="Mira Mentor", mentee_name="Ted Mentee")
    holding_a_place(relationship)
    mentee = client_for(app, relationship.mentee)
    assert end_form(mentee, relationship.id).status_code == 303
    page = mentee.get("/dashboard").get_data(as_text=True)
    assert "Find another mentor and ask them for a chemistry call" in page or \
        "Find a mentor and ask them for a chemistry call" in page
    assert "Mentored by Mira Mentor" in page and "Ended on 2 March 2026" in page
    assert "Did not happen" in page
    mentor_page = client_for(app, relationship.mentor).get("/dashboard").get_data(as_text=True)
    assert "Mentoring Ted Mentee" in mentor_page and "Ended on 2 March 2026" in mentor_page
    reference = fresh(relationship.id)[1].reference
    agreement_page = mentee.get(f"/agreements/{reference}").get_data(as_text=True)
    assert "Your mentoring with Mira Mentor ended on 2 March 2026" in agreement_page
    assert "withdrawn before it was submitted" in agreement_page
