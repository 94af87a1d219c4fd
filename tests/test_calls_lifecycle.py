"""After the request: withdraw, withdraw the others, cancel, reschedule with updated invites,
the reminder and expiry command, and the place count through all of it."""

import datetime as dt

import icalendar
import pytest
import sqlalchemy as sa
import time_machine

from portal.audit import AuditEvent
from portal.calls.models import CallState, ChemistryCall
from portal.extensions import db
from portal.mentors.models import MentorProfile
from tests.support.calls import (
    LONDON,
    NOW,
    accept,
    answer_links,
    call,
    fresh_client,
    last_call,
    send_request,
    slot,
)

MENTOR = "mira.mentor@testborough.gov.uk"
MENTEE = "sam.mentee@testborough.gov.uk"


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pair(make):
    scheme = make.scheme(name="Planning mentoring")
    profile = make.mentor(scheme, email=MENTOR, name="Mira Mentor", capacity=2)
    mentee = make.mentee(scheme, email=MENTEE, name="Sam Mentee")
    return profile, mentee


@pytest.fixture
def accepted(app, client, login, mailbox, pair):
    """Sam's request, accepted by Mira from the email; returns the call id."""
    profile, mentee = pair
    send_request(client, login, mentee, profile)
    client.post_form("/sign-out")
    accept_link, _ = answer_links(mailbox, MENTOR)
    assert accept(fresh_client(app), accept_link, details="Teams").status_code == 303
    return last_call().id


def places(profile) -> int:
    db.session.expire_all()
    return db.session.get(MentorProfile, profile.id).places_taken


def calendar_of(message) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(message.attachments[0].data)


def test_mentee_withdraws_an_unanswered_request(client, login, mailbox, pair):
    profile, mentee = pair
    send_request(client, login, mentee, profile)
    call_id = last_call().id
    page = client.get(f"/calls/{call_id}/withdraw")
    assert page.status_code == 200 and call(call_id).state == CallState.REQUESTED
    assert client.post_form(f"/calls/{call_id}/withdraw").status_code == 303
    assert call(call_id).state == CallState.WITHDRAWN
    message = mailbox.last(MENTOR, "call_withdrawn")
    assert "do not need to do anything" in message.body_text
    assert not message.attachments
    assert places(profile) == 0
    # Withdrawing twice is a clear refusal.
    again = client.post_form(f"/calls/{call_id}/withdraw")
    assert again.status_code == 409 and "You withdrew this request" in again.get_data(
        as_text=True)


def test_only_the_mentee_can_withdraw(client, login, mailbox, make, pair):
    profile, mentee = pair
    send_request(client, login, mentee, profile)
    call_id = last_call().id
    before = mailbox.count()
    for person in (profile.user, make.mentee(profile.scheme)):
        login(person)
        assert client.get(f"/calls/{call_id}/withdraw").status_code == 403
        assert client.post_form(f"/calls/{call_id}/withdraw").status_code == 403
    assert call(call_id).state == CallState.REQUESTED and mailbox.count() == before


def test_withdrawing_after_acceptance_frees_the_place_and_cancels_the_invite(
        client, login, mailbox, pair, accepted):
    profile, mentee = pair
    assert places(profile) == 1
    login(mentee)
    assert client.post_form(f"/calls/{accepted}/withdraw").status_code == 303
    assert call(accepted).state == CallState.WITHDRAWN
    assert places(profile) == 0
    original = calendar_of(mailbox.last(MENTEE, "call_accepted_mentee")).events[0]
    for address in (MENTEE, MENTOR):
        message = mailbox.last(address, "call_cancelled")
        calendar = calendar_of(message)
        assert calendar["METHOD"] == "CANCEL"
        event = calendar.events[0]
        assert event["UID"] == original["UID"]
        assert event["SEQUENCE"] == 1
        assert event["STATUS"] == "CANCELLED"
    assert "You have cancelled" in mailbox.last(MENTEE, "call_cancelled").body_text
    assert "Sam Mentee has cancelled" in mailbox.last(MENTOR, "call_cancelled").body_text


def test_mentor_cancels_an_accepted_call(client, login, mailbox, pair, accepted):
    profile, mentee = pair
    login(mentee)
    assert client.post_form(f"/calls/{accepted}/cancel").status_code == 403
    login(profile.user)
    assert client.get(f"/calls/{accepted}/cancel").status_code == 200
    assert client.post_form(f"/calls/{accepted}/cancel").status_code == 303
    assert call(accepted).state == CallState.CANCELLED
    assert places(profile) == 0
    assert calendar_of(mailbox.last(MENTEE, "call_cancelled"))["METHOD"] == "CANCEL"
    assert "not a judgement on you" in mailbox.last(MENTEE, "call_cancelled").body_text
    assert client.post_form(f"/calls/{accepted}/cancel").status_code == 409
    assert places(profile) == 0


def test_reschedule_sends_an_updated_invite_with_the_same_uid(client, login, mailbox, pair,
                                                              accepted):
    profile, mentee = pair
    original = calendar_of(mailbox.last(MENTOR, "call_accepted_mentor")).events[0]
    login(mentee)
    date, _ = slot(8)
    response = client.post_form(f"/calls/{accepted}/reschedule",
                                {"new_date": date, "new_time": "15:15",
                                 "details": "Teams, new link: https://teams.example.net/y"})
    assert response.status_code == 303
    moved = call(accepted)
    assert moved.scheduled_at.astimezone(LONDON).strftime("%H:%M") == "15:15"
    assert moved.invite_sequence == 1
    for address in (MENTEE, MENTOR):
        message = mailbox.last(address, "call_rescheduled")
        calendar = calendar_of(message)
        assert calendar["METHOD"] == "REQUEST"
        event = calendar.events[0]
        assert event["UID"] == original["UID"] and event["SEQUENCE"] == 1
        assert event.start == moved.scheduled_at.astimezone(LONDON)
        # The wall-clock time in the UK zone, not the same instant in another zone.
        assert event.start.tzinfo.key == "Europe/London"
        assert event.start.strftime("%H:%M") == "15:15"
    assert "Sam Mentee has changed" in mailbox.last(MENTOR, "call_rescheduled").body_text
    assert places(profile) == 1


@pytest.mark.parametrize("data, message", [
    ({"new_date": "", "new_time": "", "details": "Teams"}, "Enter the new date and time"),
    ({"new_date": slot(-1)[0], "new_time": "10:00", "details": "Teams"}, "must be in the future"),
    ({"new_date": slot(8)[0], "new_time": "10:00", "details": ""}, "Say where to meet"),
])
def test_reschedule_mistakes_change_nothing(client, login, mailbox, pair, accepted, data,
                                            message):
    _, mentee = pair
    before = (call(accepted).scheduled_at, mailbox.count())
    response = login(mentee).post_form(f"/calls/{accepted}/reschedule", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert (call(accepted).scheduled_at, mailbox.count()) == before


def test_outsider_cannot_see_or_change_a_call(client, login, make, mailbox, pair, accepted):
    profile, _ = pair
    outsider = make.mentee(profile.scheme)
    login(outsider)
    before = mailbox.count()
    assert client.get(f"/calls/{accepted}").status_code == 403
    assert client.post_form(f"/calls/{accepted}/reschedule",
                            {"new_date": slot(8)[0], "new_time": "10:00",
                             "details": "x"}).status_code == 403
    assert client.post_form(f"/calls/{accepted}/outcome", {"decision": "no"}).status_code == 403
    assert call(accepted).state == CallState.ACCEPTED and mailbox.count() == before
    assert client.get("/calls/99999").status_code == 404


def test_contacts_are_shared_from_acceptance_not_before(client, login, make, mailbox, pair):
    profile, mentee = pair
    send_request(client, login, mentee, profile)
    call_id = last_call().id
    page = client.get(f"/calls/{call_id}").get_data(as_text=True)
    assert MENTOR not in page
    login(profile.user)
    assert MENTEE not in client.get(f"/calls/{call_id}").get_data(as_text=True)
    client.post_form(f"/calls/{call_id}/accept", {"time": str(last_call().proposed_times[0].id),
                                                  "details": "Teams"})
    assert MENTEE in client.get(f"/calls/{call_id}").get_data(as_text=True)
    assert MENTOR in login(mentee).get(f"/calls/{call_id}").get_data(as_text=True)


def test_after_one_acceptance_the_mentee_may_withdraw_the_others(app, client, login, make,
                                                                 mailbox, pair):
    profile, mentee = pair
    others = [make.mentor(profile.scheme, email=f"other{n}@testborough.gov.uk")
              for n in (1, 2)]
    for target in (profile, *others):
        send_request(client, login, mentee, target)
    client.post_form("/sign-out")
    accept(fresh_client(app), answer_links(mailbox, MENTOR)[0])
    accepted_id = db.session.scalar(sa.select(sa.func.min(ChemistryCall.id)))
    message = mailbox.last(MENTEE, "call_accepted_mentee")
    assert "You have 2 other requests waiting" in message.body_text
    link = mailbox.link(message, "/withdraw-others")

    # The mentor of the accepted call cannot see or use the mentee's page.
    login(profile.user)
    assert client.get(link).status_code == 403
    assert client.post_form(link).status_code == 403
    assert all(call(c).state == CallState.REQUESTED for c in (accepted_id + 1, accepted_id + 2))
    client.post_form("/sign-out")

    login(mentee)
    page = client.get(link).get_data(as_text=True)
    assert "Withdraw these requests" in page
    assert all(call(c).state == CallState.REQUESTED for c in (accepted_id + 1, accepted_id + 2))
    assert client.post_form(link).status_code == 303
    assert [call(accepted_id + n).state for n in (0, 1, 2)] == [
        CallState.ACCEPTED, CallState.WITHDRAWN, CallState.WITHDRAWN]
    for n in (1, 2):
        assert mailbox.last(f"other{n}@testborough.gov.uk", "call_withdrawn")
    assert places(profile) == 1


def test_reminder_and_expiry_command_is_safe_to_run_twice(app, runner, client, login, mailbox,
                                                          pair, _fixed_time):
    profile, mentee = pair
    send_request(client, login, mentee, profile)
    call_id = last_call().id

    _fixed_time.move_to(NOW + dt.timedelta(days=2, hours=23))
    assert "Reminded 0 mentors; expired 0 requests" in runner.invoke(args=["calls",
                                                                           "remind"]).output
    assert mailbox.count(MENTOR, "call_reminder") == 0

    _fixed_time.move_to(NOW + dt.timedelta(days=3, hours=1))
    first = runner.invoke(args=["calls", "remind"])
    second = runner.invoke(args=["calls", "remind"])
    assert first.exit_code == second.exit_code == 0
    assert "Reminded 1 mentor; expired 0 requests" in first.output
    assert "Reminded 0 mentors; expired 0 requests" in second.output
    reminder = mailbox.last(MENTOR, "call_reminder")
    assert mailbox.count(MENTOR, "call_reminder") == 1
    assert "Sam Mentee is waiting for your answer" in reminder.subject
    # The reminder's own links work.
    assert fresh_client(app).get(mailbox.link(reminder, "/accept")).status_code == 200

    _fixed_time.move_to(NOW + dt.timedelta(days=7, hours=1))
    first = runner.invoke(args=["calls", "remind"])
    second = runner.invoke(args=["calls", "remind"])
    assert "expired 1 request." in first.output
    assert "Reminded 0 mentors; expired 0 requests" in second.output
    assert call(call_id).state == CallState.EXPIRED
    assert mailbox.count(MENTEE, "call_expired") == 1
    assert mailbox.count(MENTOR, "call_reminder") == 1
    assert "not a judgement on you" in mailbox.last(MENTEE, "call_expired").body_text
    # The mentor's link now explains.
    page = fresh_client(app).get(mailbox.link(reminder, "/accept"), follow_redirects=True)
    assert "expired on" in page.get_data(as_text=True)
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject_type == "chemistry_call", AuditEvent.subject_id == call_id)))
    assert actions == ["requested", "reminded", "expired"]


def test_expiry_follows_the_schemes_own_settings(runner, client, login, mailbox, make,
                                                 _fixed_time):
    scheme = make.scheme(request_reminder_days=1, request_expiry_days=2)
    profile = make.mentor(scheme, email=MENTOR)
    mentee = make.mentee(scheme, email=MENTEE)
    send_request(client, login, mentee, profile)
    # Days late: expired without a reminder first.
    _fixed_time.move_to(NOW + dt.timedelta(days=2, minutes=1))
    assert "Reminded 0 mentors; expired 1 request." in runner.invoke(
        args=["calls", "remind"]).output
    assert mailbox.count(MENTOR, "call_reminder") == 0


def test_answered_requests_are_neither_reminded_nor_expired(runner, mailbox, accepted,
                                                            _fixed_time):
    _fixed_time.move_to(NOW + dt.timedelta(days=30))
    assert "Reminded 0 mentors; expired 0 requests" in runner.invoke(
        args=["calls", "remind"]).output
    assert call(accepted).state == CallState.ACCEPTED
