"""Sessions of a running relationship, through HTTP, emails and the command: the relationship's
page, booking (who may, when), the calendar invites in UK time, changing and cancelling (inside
the notice agreed), logging a session (signed in, from the follow-up email signed out, or one
that was never booked), and the follow-up sweep, sent once however often it runs."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from portal.audit import AuditEvent
from portal.extensions import db
from portal.relationships import follow_up, queries
from portal.relationships.models import SessionState
from tests.support.agreements import client_for
from tests.support.calls import NOW, uk
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once
from tests.support.sessions import (
    MENTEE_EMAIL,
    MENTEE_NAME,
    MENTOR_EMAIL,
    VIDEO,
    agreement_of,
    book,
    event_of,
    running,
    session_data,
    sessions,
    world,
)


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def page(client, relationship) -> str:
    response = client.get(f"/relationships/{relationship.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the relationship's page -------------------------------------------------------------------

def test_the_pair_see_their_progress_and_what_to_do_next(app, make):
    relationship = running(make)
    mentee = client_for(app, relationship.mentee)
    text = page(mentee, relationship)
    assert "0 of 5 sessions" in text
    assert "12 months left (until 2 March 2027)" in text
    assert "Book your next session with Mira Mentor." in text
    assert f"/relationships/{relationship.id}/sessions/new" in text
    assert "Lead my first planning committee report" in text  # the goals carry over
    mentor_text = page(client_for(app, relationship.mentor), relationship)
    assert "In your agreement, the mentee books your sessions." in mentor_text
    assert f"/relationships/{relationship.id}/sessions/new" not in mentor_text
    # The agreement's page links here now that sessions may start.
    agreement = agreement_of(relationship)
    assert f"/relationships/{relationship.id}" in mentee.get(
        f"/agreements/{agreement.reference}").get_data(as_text=True)


def test_before_the_agreement_is_submitted_the_page_says_why_and_nothing_can_be_booked(
        app, make):
    relationship = running(make, active=False)
    mentee = client_for(app, relationship.mentee)
    text = page(mentee, relationship)
    assert "Your sessions cannot start yet" in text
    assert f"/agreements/{agreement_of(relationship).reference}" in text
    before = world(relationship)
    url = f"/relationships/{relationship.id}/sessions/new"
    assert mentee.get(url).status_code == 409
    response = book(mentee, relationship)
    assert response.status_code == 409
    assert "once your signed agreement has been submitted" in response.get_data(as_text=True)
    assert mentee.post_form(f"/relationships/{relationship.id}/sessions/log",
                            {"held_on": "2026-03-01", "minutes": "60"}).status_code == 409
    assert world(relationship) == before


@pytest.mark.parametrize("arranges, refused, allowed", [
    ("mentee", "mentor", "mentee"), ("mentor", "mentee", "mentor")])
def test_only_whoever_the_agreement_says_books(app, make, mailbox, arranges, refused, allowed):
    relationship = running(make, arranges_meetings=arranges)
    wrong = client_for(app, getattr(relationship, refused))
    before = world(relationship)
    response = wrong.get(f"/relationships/{relationship.id}/sessions/new")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert f"In your agreement you agreed that the {allowed} books your sessions" in text
    assert book(wrong, relationship).status_code == 403
    assert world(relationship) == before
    assert book(client_for(app, getattr(relationship, allowed)), relationship).status_code == 303


def test_either_may_book_when_they_agreed_both(app, make):
    relationship = running(make, arranges_meetings="both")
    assert book(client_for(app, relationship.mentor), relationship).status_code == 303
    assert book(client_for(app, relationship.mentee), relationship, days=8).status_code == 303
    assert len(sessions(relationship)) == 2


# --- the calendar invites ---------------------------------------------------------------------

def test_booking_sends_both_a_calendar_invite_in_uk_time_even_in_summer_time(app, make, mailbox):
    relationship = running(make)
    mentee = client_for(app, relationship.mentee)
    # 1 April 2026 is after the clocks go forward (29 March): 10am in London is 9am UTC.
    response = book(mentee, relationship, days=30, hour=10)
    assert response.status_code == 303
    (session,) = sessions(relationship)
    assert session.starts_at == dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    assert session.invite_uid == f"mentoring-session-{session.id}@portal.test"
    to_mentor = mailbox.last(MENTOR_EMAIL, "session_booked")
    assert f"{MENTEE_NAME} has booked a mentoring session with you." in to_mentor.body_text
    assert "Wednesday 1 April 2026 at 10am" in to_mentor.body_text
    assert f"/relationships/{relationship.id}" in to_mentor.body_text
    assert mailbox.count(MENTEE_EMAIL, "session_booked") == 1  # their own copy for the diary
    calendar, event = event_of(to_mentor)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == session.invite_uid
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute) == (10, 0) and start.utcoffset() == dt.timedelta(hours=1)
    assert event.decoded("DTEND") - start == dt.timedelta(minutes=60)
    assert VIDEO in str(event["LOCATION"])
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    text = page(mentee, relationship)
    assert "Wednesday 1 April 2026 at 10am" in text and "Video call" in text


def test_a_change_updates_the_same_event_and_a_cancellation_removes_it(app, make, mailbox):
    relationship = running(make)
    mentee = client_for(app, relationship.mentee)
    book(mentee, relationship, days=7, hour=10)
    (session,) = sessions(relationship)
    url = f"/relationships/sessions/{session.id}/change"
    form = mentee.get(url).get_data(as_text=True)
    assert 'value="09:00"' not in form and 'value="10:00"' in form  # shown in UK time
    response = mentee.post_form(url, session_data(9, 14, 30, minutes="75"))
    assert response.status_code == 303
    changed = mailbox.last(MENTOR_EMAIL, "session_changed")
    assert "Wednesday 11 March 2026 at 2:30pm" in changed.body_text
    assert "Was: Monday 9 March 2026 at 10am" in changed.body_text
    _, event = event_of(changed)
    assert str(event["UID"]) == session.invite_uid and int(event["SEQUENCE"]) == 1
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute) == (14, 30)
    assert event.decoded("DTEND") - start == dt.timedelta(minutes=75)
    # The mentor may cancel even though only the mentee books.
    mentor = client_for(app, relationship.mentor)
    assert mentor.post_form(f"/relationships/sessions/{session.id}/cancel").status_code == 303
    cancelled = mailbox.last(MENTEE_EMAIL, "session_cancelled")
    calendar, event = event_of(cancelled)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == session.invite_uid and int(event["SEQUENCE"]) == 2
    (session,) = sessions(relationship)
    assert session.state == SessionState.CANCELLED and not session.late_notice
    assert "Cancelled by Mira Mentor" in page(mentee, relationship)
    # A cancelled session cannot change again.
    assert mentee.post_form(url, session_data(10)).status_code == 409


def test_cancelling_inside_the_notice_period_says_so_first_and_is_recorded(app, make, mailbox):
    relationship = running(make)
    mentee = client_for(app, relationship.mentee)
    book(mentee, relationship, days=1, hour=10)  # 25 hours away; they agreed 48
    (session,) = sessions(relationship)
    url = f"/relationships/sessions/{session.id}/cancel"
    warning = mentee.get(url).get_data(as_text=True)
    assert ("This is less than 48 hours&#39; notice: you agreed to give at least 48 hours"
            in warning)
    assert sessions(relationship)[0].state == SessionState.BOOKED  # the GET only asks
    assert mentee.post_form(url).status_code == 303
    (session,) = sessions(relationship)
    assert session.state == SessionState.CANCELLED and session.late_notice
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "session_cancelled")).one()
    assert event.detail["late_notice"] is True and event.actor_id == relationship.mentee_id
    for person in (relationship.mentee, relationship.mentor):
        assert "with less notice than agreed (48 hours)" in page(client_for(app, person),
                                                                   relationship)
    to_mentor = mailbox.last(MENTOR_EMAIL, "session_cancelled")
    assert "less than 48 hours' notice" in to_mentor.body_text


def test_a_session_that_has_started_cannot_be_cancelled_or_moved(app, make):
    relationship = running(make)
    mentee = client_for(app, relationship.mentee)
    book(mentee, relationship, days=1)
    (session,) = sessions(relationship)
    with time_machine.travel(uk(1, 10, 5), tick=False):
        mentee = client_for(app, relationship.mentee)
        before = world(relationship)
        assert mentee.post_form(f"/relationships/sessions/{session.id}/cancel"
                                ).status_code == 409
        assert mentee.post_form(f"/relationships/sessions/{session.id}/change",
                                session_data(5)).status_code == 409
        assert world(relationship) == before


# --- logging --------------------------------------------------------------------------------

def _after(days: int, hour: int = 12):
    return time_machine.travel(uk(days, hour), tick=False)


def test_the_follow_up_email_logs_the_session_signed_out_once(app, make, mailbox, runner):
    relationship = running(make)
    book(client_for(app, relationship.mentee), relationship, days=2, hour=10)
    (session,) = sessions(relationship)
    with _after(2, 10):  # started, not yet ended: nothing is due
        assert "Session follow-ups sent: 0" in runner.invoke(args=["relationships", "remind"]
                                                             ).output
    with _after(2, 12):
        result = runner.invoke(args=["relationships", "remind"])
        assert "Session follow-ups sent: 1; action plan reminders sent: 0." in result.output
        email = mailbox.last(MENTOR_EMAIL, "session_follow_up")
        assert email.subject == f"How was your mentoring session with {MENTEE_NAME}?"
        assert mailbox.count(MENTEE_EMAIL, "session_follow_up") == 1
        link = mailbox.link(email, "answer=met")
        assert f"/relationships/{relationship.id}/actions/new?session={session.id}" in (
            email.body_text)
        browser = client_for(app)
        before = world(relationship)
        shown = browser.get(link)
        assert shown.status_code == 200
        assert "Did your session take place?" in shown.get_data(as_text=True)
        assert world(relationship) == before  # a scanner's GET changes nothing
        # Someone else signed in cannot use it.
        outsider = client_for(app, make.mentee(relationship.scheme))
        assert outsider.get(link).status_code == 403
        response = browser.post_form(link.split("?")[0], {
            "outcome": "met", "held_on": uk(2).date().isoformat(), "minutes": "50"})
        assert response.status_code == 303 and response.headers["Location"].endswith("/done")
        assert "the session is logged" in browser.get("/done").get_data(as_text=True)
        (session,) = sessions(relationship)
        assert session.state == SessionState.HELD and session.held_minutes == 50
        assert session.logged_by_id == relationship.mentor_id
        # A second use, of this link or the other person's, says what became of it.
        for used in (link, mailbox.link(mailbox.last(MENTEE_EMAIL, "session_follow_up"),
                                        "answer=not_met")):
            again = client_for(app).get(used)
            assert again.status_code == 410
            text = again.get_data(as_text=True)
            assert "already been used" in text and "logged as having taken place" in text
            assert MENTEE_NAME not in text and "Mira" not in text
        assert client_for(app).post_form(link.split("?")[0], {
            "outcome": "not_met"}).status_code == 410
        assert sessions(relationship)[0].state == SessionState.HELD
        # Running again sends nothing more.
        assert "Session follow-ups sent: 0" in runner.invoke(args=["relationships", "remind"]
                                                             ).output
        assert mailbox.count(MENTOR_EMAIL, "session_follow_up") == 1
        assert "1 of 5 sessions" in page(client_for(app, relationship.mentee), relationship)


def test_we_did_not_meet_from_the_link(app, make, mailbox):
    relationship = running(make)
    book(client_for(app, relationship.mentee), relationship, days=2)
    with _after(3):
        follow_up.send_due()
        link = mailbox.link(mailbox.last(MENTEE_EMAIL, "session_follow_up"), "answer=not_met")
        browser = client_for(app)
        assert 'value="not_met" checked' in browser.get(link).get_data(as_text=True)
        assert browser.post_form(link.split("?")[0], {"outcome": "not_met"}).status_code == 303
        (session,) = sessions(relationship)
        assert session.state == SessionState.NOT_HELD
        assert "Did not happen" in page(client_for(app, relationship.mentor), relationship)
        assert "0 of 5 sessions" in page(client_for(app, relationship.mentor), relationship)


def test_logging_signed_in_waits_for_the_start_then_works_once(app, make):
    relationship = running(make)
    mentor = client_for(app, relationship.mentor)
    book(client_for(app, relationship.mentee), relationship, days=2)
    (session,) = sessions(relationship)
    url = f"/relationships/sessions/{session.id}/log"
    data = {"outcome": "met", "held_on": uk(2).date().isoformat(), "minutes": "60"}
    assert mentor.post_form(url, data).status_code == 409  # not started yet
    with _after(2):
        mentor = client_for(app, relationship.mentor)
        assert "Say whether your session on" in page(mentor, relationship)
        assert mentor.post_form(url, data).status_code == 303
        assert mentor.post_form(url, data).status_code == 409
        assert sessions(relationship)[0].state == SessionState.HELD


def test_a_session_that_was_not_booked_is_logged_in_one_step(app, make):
    relationship = running(make)
    with _after(10):
        mentor = client_for(app, relationship.mentor)
        url = f"/relationships/{relationship.id}/sessions/log"
        assert mentor.get(url).status_code == 200
        response = mentor.post_form(url, {"held_on": uk(9).date().isoformat(), "minutes": "45"})
        assert response.status_code == 303
        (session,) = sessions(relationship)
        assert session.state == SessionState.HELD and session.starts_at is None
        assert session.held_on == uk(9).date() and session.held_minutes == 45
        text = page(mentor, relationship)
        assert "1 of 5 sessions" in text and "Took place, 45 minutes" in text


# --- bad input --------------------------------------------------------------------------------

BAD_BOOKINGS = [
    ({"day": ""}, "Enter the date for the session"),
    ({"time": ""}, "Enter the time for the session"),
    ({"day": "", "time": ""}, "Enter the date and time of the session"),
    ({"day": "31 2 2026"}, "as a real date"),
    ({"time": "25:00"}, "in the 24-hour clock"),
    ({"minutes": "\x00"}, "Enter how long the session will last"),
    ({"day": (NOW - dt.timedelta(days=1)).date().isoformat()}, "must be in the future"),
    ({"day": "2027-03-02"}, "in the next six months"),
    ({"minutes": ""}, "Enter how long the session will last"),
    ({"minutes": "abc"}, "as a number of minutes"),
    ({"minutes": "6\u200f0"}, "as a number of minutes"),
    ({"minutes": "\u0666\u0660"}, "as a number of minutes"),
    ({"minutes": "5"}, "between 10 and 240 minutes"),
    ({"minutes": "9999999999"}, "as a number of minutes"),
    ({"format": "carrier pigeon"}, "Choose how you will meet"),
    ({"place": ""}, "Say where you will meet"),
    ({"place": "\u202e\u2066 \x00"}, "Say where you will meet"),
    ({"place": "x" * 501}, "Keep this under 500 characters"),
]


@pytest.mark.parametrize("change, message", BAD_BOOKINGS, ids=[m for _, m in BAD_BOOKINGS])
def test_a_bad_booking_is_refused_clearly_and_changes_nothing(app, make, change, message):
    relationship = running(make)
    mentee = client_for(app, relationship.mentee)
    before = world(relationship)
    response = mentee.post_form(f"/relationships/{relationship.id}/sessions/new",
                                {**session_data(7), **change})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "There is a problem" in text and message in text
    assert world(relationship) == before


BAD_LOGS = [
    ({"outcome": ""}, "Choose whether you met"),
    ({"outcome": "maybe"}, "Choose whether you met"),
    ({"held_on": ""}, "Enter the date you met"),
    ({"held_on": "30 2 2026"}, "Enter the date you met as a real date"),
    ({"held_on": "2026-03-20"}, "must be today or in the past"),
    ({"minutes": ""}, "Enter how long you met for"),
    ({"minutes": "\x00\x00"}, "Enter how long you met for"),
    ({"minutes": "\u200f60"}, "as a number of minutes"),
    ({"minutes": "500"}, "between 10 and 240 minutes"),
]


@pytest.mark.parametrize("change, message", BAD_LOGS, ids=[m for _, m in BAD_LOGS])
def test_a_bad_log_is_refused_clearly_and_changes_nothing(app, make, change, message):
    relationship = running(make)
    book(client_for(app, relationship.mentee), relationship, days=2)
    (session,) = sessions(relationship)
    with _after(3):
        mentor = client_for(app, relationship.mentor)
        before = world(relationship)
        data = {"outcome": "met", "held_on": uk(2).date().isoformat(), "minutes": "60", **change}
        response = mentor.post_form(f"/relationships/sessions/{session.id}/log", data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        unbooked = {k: v for k, v in data.items() if k != "outcome"}
        if "outcome" not in change:
            response = mentor.post_form(f"/relationships/{relationship.id}/sessions/log",
                                        unbooked)
            assert response.status_code == 400
            assert message in response.get_data(as_text=True)
        assert world(relationship) == before


# --- outsiders ------------------------------------------------------------------------------

def test_someone_outside_the_pair_gets_404_on_every_session_page(app, make, mailbox):
    relationship = running(make, arranges_meetings="both")
    mentee = client_for(app, relationship.mentee)
    book(mentee, relationship, days=1)
    book(mentee, relationship, days=2)
    first, second = sessions(relationship)
    with _after(1, 12):
        follow_up.send_due()
    outsiders = [make.mentee(relationship.scheme), make.mentor(relationship.scheme).user,
                 make.admin(relationship.scheme)]
    urls = [f"/relationships/{relationship.id}", f"/relationships/{relationship.id}/sessions/new",
            f"/relationships/{relationship.id}/sessions/log",
            f"/relationships/sessions/{second.id}/change",
            f"/relationships/sessions/{second.id}/cancel",
            f"/relationships/sessions/{first.id}/log"]
    before = world(relationship)
    for person in outsiders:
        browser = client_for(app, person)
        for url in urls:
            methods = ("GET",) if url.endswith(f"/{relationship.id}") else ("GET", "POST")
            for method in methods:
                response = browser.open(url, method=method, data={
                    "csrf_token": browser.csrf_token(), **session_data(3)})
                assert response.status_code == 404, (person.email, method, url)
                assert MENTEE_NAME not in response.get_data(as_text=True)
    assert world(relationship) == before


# --- the sweep ------------------------------------------------------------------------------

def test_two_sweeps_at_once_send_each_follow_up_once(app, make, mailbox, monkeypatch):
    relationship = running(make, arranges_meetings="both")
    mentee = client_for(app, relationship.mentee)
    for days in (1, 2):
        book(mentee, relationship, days=days)
    hold_until_both_arrive(queries, "lock", monkeypatch)
    later = uk(3, 9)
    sweeps = run_twice_at_once(app, lambda: follow_up.send_due(later))
    assert sum(sweep.followed_up for sweep in sweeps) == 2
    assert mailbox.count(MENTOR_EMAIL, "session_follow_up") == 2
    assert mailbox.count(MENTEE_EMAIL, "session_follow_up") == 2


def test_an_action_plan_reminder_is_sent_once_where_the_pack_asks_for_one(app, make, mailbox,
                                                                          runner):
    scheme = make.scheme(running={"action_plan_each_session": True, "actions_by": "mentee"})
    relationship = running(make, scheme)
    mentee = client_for(app, relationship.mentee)
    book(mentee, relationship, days=1)
    (session,) = sessions(relationship)
    with _after(1, 12):
        mentee = client_for(app, relationship.mentee)
        follow_up.send_due()
        to_mentee = mailbox.last(MENTEE_EMAIL, "session_follow_up")
        assert "Your scheme asks for an action plan after each session" in to_mentee.body_text
        assert "You record it." in to_mentee.body_text
        to_mentor = mailbox.last(MENTOR_EMAIL, "session_follow_up")
        assert f"{MENTEE_NAME} records it" in to_mentor.body_text
        mentee.post_form(f"/relationships/sessions/{session.id}/log",
                         {"outcome": "met", "held_on": uk(1).date().isoformat(),
                          "minutes": "60"})
    with _after(3, 12):  # not yet 3 days
        assert "action plan reminders sent: 0" in runner.invoke(
            args=["relationships", "remind"]).output
    with _after(5, 12):
        assert "action plan reminders sent: 1" in runner.invoke(
            args=["relationships", "remind"]).output
        assert "action plan reminders sent: 0" in runner.invoke(
            args=["relationships", "remind"]).output
    reminder = mailbox.last(MENTEE_EMAIL, "session_action_plan")
    assert mailbox.count(MENTEE_EMAIL, "session_action_plan") == 1
    assert mailbox.count(MENTOR_EMAIL, "session_action_plan") == 0
    assert f"/relationships/{relationship.id}/actions/new?session={session.id}" in (
        reminder.body_text)


def test_no_action_plan_reminder_when_one_was_recorded_or_the_pack_does_not_ask(app, make,
                                                                                mailbox):
    """One pair in a scheme that asks, who record an action; one in a scheme that does not."""
    first = running(make, make.scheme(running={"action_plan_each_session": True}))
    second = running(make, make.scheme(), mentor_email="other.mentor@testborough.gov.uk",
                     mentee_email="other.mentee@testborough.gov.uk")
    with _after(2):
        client_for(app, second.mentee).post_form(
            f"/relationships/{second.id}/sessions/log",
            {"held_on": uk(1).date().isoformat(), "minutes": "60"})
        mentee = client_for(app, first.mentee)
        mentee.post_form(f"/relationships/{first.id}/sessions/log",
                         {"held_on": uk(1).date().isoformat(), "minutes": "60"})
        (session,) = sessions(first)
        response = mentee.post_form(f"/relationships/{first.id}/actions/new", {
            "goal": "1", "what": "Draft the committee report", "owner": "mentee",
            "session": str(session.id)})
        assert response.status_code == 303, response.get_data(as_text=True)
    with _after(9):
        assert follow_up.send_due().plan_reminders == 0
    assert mailbox.count(template="session_action_plan") == 0
