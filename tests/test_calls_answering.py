"""The mentor answers: from the emailed links without signing in, or from the dashboard (htmx
inline or plain forms). Wrong people, second answers and stale links change nothing."""

import datetime as dt

import icalendar
import pytest
import time_machine

from portal.calls.links import find_mentors_url
from portal.calls.models import CallState, DeclineReason
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
    time_values,
)

MENTOR = "mira.mentor@testborough.gov.uk"
MENTEE = "sam.mentee@testborough.gov.uk"
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def requested(client, make, login, mailbox):
    """A request from Sam to Mira, waiting for an answer; returns (call id, profile, mentee)."""
    scheme = make.scheme(name="Planning mentoring")
    profile = make.mentor(scheme, email=MENTOR, name="Mira Mentor", capacity=2)
    mentee = make.mentee(scheme, email=MENTEE, name="Sam Mentee")
    assert send_request(client, login, mentee, profile).status_code == 303
    client.post_form("/sign-out")
    return last_call().id, profile, mentee


def places(profile) -> int:
    db.session.expire_all()
    return db.session.get(MentorProfile, profile.id).places_taken


def unchanged(call_id, mailbox, emails_before, state=CallState.REQUESTED, taken=0, profile=None):
    assert call(call_id).state == state
    assert mailbox.count() == emails_before
    if profile is not None:
        assert places(profile) == taken


def test_mentor_can_propose_another_time_from_the_email(app, requested, mailbox):
    call_id, profile, _ = requested
    accept_link, _ = answer_links(mailbox, MENTOR)
    date, _ = slot(6)
    response = accept(fresh_client(app), accept_link, time="other", other_date=date,
                      other_time="16:45", details="Room 3, County Hall")
    assert response.status_code == 303
    accepted = call(call_id)
    assert accepted.scheduled_at.astimezone(LONDON).replace(tzinfo=None) == dt.datetime.combine(
        dt.date.fromisoformat(date), dt.time(16, 45))
    message = mailbox.last(MENTEE, "call_accepted_mentee")
    event = icalendar.Calendar.from_ical(message.attachments[0].data).events[0]
    assert event.start == accepted.scheduled_at.astimezone(LONDON)
    assert str(event["LOCATION"]) == "Room 3, County Hall"


def test_mentor_declines_from_the_email_and_the_reason_stays_private(app, requested, mailbox):
    call_id, profile, _ = requested
    _, decline_link = answer_links(mailbox, MENTOR)
    phone = fresh_client(app)
    before = mailbox.count()
    page = phone.get(decline_link)
    assert page.status_code == 200 and "Decline the request from Sam Mentee" in page.get_data(
        as_text=True)
    unchanged(call_id, mailbox, before)

    response = phone.post_form(decline_link, {"reason": "no_time",
                                              "note": "Busy with the local plan until June."})
    assert response.status_code == 303
    declined = call(call_id)
    assert declined.state == CallState.DECLINED
    assert declined.decline_reason == DeclineReason.NO_TIME
    assert declined.decline_note == "Busy with the local plan until June."
    message = mailbox.last(MENTEE, "call_declined")
    assert "not a judgement on you" in message.body_text
    assert find_mentors_url() in message.body_text
    assert "local plan" not in message.body_text
    assert "do not have time" not in message.body_text
    assert places(profile) == 0
    # The links now say what happened, and the mentee's page never shows the reason.
    assert "was declined on" in phone.get(decline_link, follow_redirects=True).get_data(
        as_text=True)


def test_decline_without_a_reason(app, requested, mailbox):
    call_id, _, _ = requested
    _, decline_link = answer_links(mailbox, MENTOR)
    assert fresh_client(app).post_form(decline_link, {"note": ""}).status_code == 303
    assert call(call_id).decline_reason is None


def test_mentee_page_never_shows_the_decline_reason(app, client, requested, mailbox, login):
    call_id, _, mentee = requested
    _, decline_link = answer_links(mailbox, MENTOR)
    fresh_client(app).post_form(decline_link, {"reason": "not_a_match", "note": "Wrong field"})
    page = login(mentee).get(f"/calls/{call_id}").get_data(as_text=True)
    assert "Declined" in page
    assert "Wrong field" not in page and "does not fit" not in page


def test_someone_else_signed_in_cannot_use_the_mentors_link(client, requested, mailbox, login,
                                                            make):
    call_id, profile, mentee = requested
    accept_link, decline_link = answer_links(mailbox, MENTOR)
    before = mailbox.count()
    for person in (mentee, make.mentor(profile.scheme, name="Other Mentor").user):
        login(person)
        for link in (accept_link, decline_link):
            assert client.get(link).status_code == 403
            response = accept(client, link) if link == accept_link else client.post_form(
                link, {})
            assert response.status_code == 403
            assert "This link was sent to the mentor, Mira Mentor" in response.get_data(
                as_text=True)
    unchanged(call_id, mailbox, before, profile=profile)


def test_a_tampered_or_expired_link_does_nothing(app, requested, mailbox):
    call_id, profile, _ = requested
    accept_link, _ = answer_links(mailbox, MENTOR)
    phone = fresh_client(app)
    before = mailbox.count()
    tampered = accept_link.replace("/accept", "x/accept")
    assert phone.get(tampered).status_code == 400
    assert phone.post_form(tampered, {"details": "x", "time": "other"}).status_code == 400
    with time_machine.travel(NOW + dt.timedelta(days=15), tick=False):
        response = phone.get(accept_link)
        assert response.status_code == 410
        assert "expired" in response.get_data(as_text=True)
    unchanged(call_id, mailbox, before, profile=profile)


def test_a_second_accept_of_the_same_request_is_refused(app, requested, mailbox):
    call_id, profile, _ = requested
    accept_link, decline_link = answer_links(mailbox, MENTOR)
    phone, laptop = fresh_client(app), fresh_client(app)
    # Both devices open the form before either submits.
    form_page = laptop.get(accept_link).get_data(as_text=True)
    assert accept(phone, accept_link).status_code == 303
    before = mailbox.count()
    second = laptop.post_form(accept_link, {"time": time_values(form_page)[1],
                                            "details": "Phone me", "other_date": "",
                                            "other_time": ""})
    assert second.status_code == 409
    assert "already been answered" in second.get_data(as_text=True)
    late_decline = laptop.post_form(decline_link, {})
    assert late_decline.status_code == 409
    unchanged(call_id, mailbox, before, state=CallState.ACCEPTED, taken=1, profile=profile)
    assert call(call_id).scheduled_at == call(call_id).proposed_times[0].starts_at


def test_accept_after_withdrawal_is_refused(app, client, requested, mailbox, login):
    call_id, profile, mentee = requested
    accept_link, _ = answer_links(mailbox, MENTOR)
    laptop = fresh_client(app)
    form_page = laptop.get(accept_link).get_data(as_text=True)
    assert login(mentee).post_form(f"/calls/{call_id}/withdraw").status_code == 303
    assert mailbox.last(MENTOR, "call_withdrawn")
    before = mailbox.count()
    response = laptop.post_form(accept_link, {"time": time_values(form_page)[0],
                                              "details": "Teams", "other_date": "",
                                              "other_time": ""})
    assert response.status_code == 409
    assert "Sam Mentee withdrew this request" in response.get_data(as_text=True)
    unchanged(call_id, mailbox, before, state=CallState.WITHDRAWN, taken=0, profile=profile)
    # The link itself now says what happened, and names nobody: it may have been forwarded.
    page = laptop.get(accept_link, follow_redirects=True).get_data(as_text=True)
    assert "the request was withdrawn on" in page and "Accept and send" not in page
    assert "Sam Mentee" not in page


def test_accept_when_the_last_place_has_gone_is_refused(app, client, make, requested, mailbox,
                                                        login):
    call_id, profile, _ = requested
    profile = db.session.get(MentorProfile, profile.id)
    profile.places_taken = profile.capacity
    db.session.commit()
    accept_link, _ = answer_links(mailbox, MENTOR)
    before = mailbox.count()
    response = accept(fresh_client(app), accept_link)
    assert response.status_code == 409
    assert "You have no free places: 2 of 2 are taken" in response.get_data(as_text=True)
    unchanged(call_id, mailbox, before, taken=2, profile=profile)


@pytest.mark.parametrize("overrides, message", [
    ({"details": ""}, "Say where to meet, or give the video link or phone number"),
    ({"time": ""}, "Choose a time for the call"),
    ({"time": "999999"}, "Choose a time for the call"),
    ({"time": "other", "other_date": "", "other_time": ""}, "Enter the date and time"),
    ({"time": "other", "other_date": slot(-2)[0], "other_time": "10:00"}, "must be in the future"),
])
def test_accept_form_mistakes_are_explained(app, requested, mailbox, overrides, message):
    call_id, profile, _ = requested
    accept_link, _ = answer_links(mailbox, MENTOR)
    before = mailbox.count()
    response = accept(fresh_client(app), accept_link, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    unchanged(call_id, mailbox, before, profile=profile)


def test_proposed_times_that_have_passed_are_not_offered(app, requested, mailbox):
    accept_link, _ = answer_links(mailbox, MENTOR)
    # The first proposed time was three days after the request; answer on day 3 at noon.
    with time_machine.travel(NOW + dt.timedelta(days=3, hours=3), tick=False):
        page = fresh_client(app).get(accept_link).get_data(as_text=True)
    assert time_values(page) == [str(call(requested[0]).proposed_times[1].id), "other"]


def test_mentor_answers_inline_on_the_dashboard_with_htmx(client, requested, mailbox, login):
    call_id, profile, _ = requested
    login(profile.user)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f'id="call-{call_id}"' in dashboard
    assert f'hx-get="/calls/{call_id}/accept"' in dashboard

    fragment = client.get(f"/calls/{call_id}/accept", headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert f'hx-post="/calls/{call_id}/accept"' in html
    assert "HX-Request" in fragment.headers["Vary"]

    bad = client.post_form(f"/calls/{call_id}/accept", {"time": "", "details": ""}, headers=HX)
    assert bad.status_code == 400 and "<html" not in bad.get_data(as_text=True)
    assert "There is a problem" in bad.get_data(as_text=True)

    done = client.post_form(f"/calls/{call_id}/accept",
                            {"time": time_values(html)[0], "details": "Teams",
                             "other_date": "", "other_time": ""}, headers=HX)
    assert done.status_code == 200
    row = done.get_data(as_text=True)
    assert "<html" not in row and f'id="call-{call_id}"' not in row  # the row's new inside
    assert "You accepted" in row
    assert call(call_id).state == CallState.ACCEPTED
    assert mailbox.last(MENTEE, "call_accepted_mentee")
    # A dashboard left open in another tab: its Decline now shows what happened, in place.
    stale = client.get(f"/calls/{call_id}/decline", headers=HX)
    assert stale.status_code == 200 and "<html" not in stale.get_data(as_text=True)
    assert "was accepted on" in stale.get_data(as_text=True)


def test_mentor_declines_on_the_dashboard_without_javascript(client, requested, mailbox, login):
    call_id, profile, _ = requested
    login(profile.user)
    page = client.get(f"/calls/{call_id}/decline")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    response = client.post_form(f"/calls/{call_id}/decline", {"reason": "full", "note": ""})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/calls/{call_id}")
    assert call(call_id).state == CallState.DECLINED
    assert mailbox.last(MENTEE, "call_declined")
    # A second answer from the dashboard is refused.
    assert client.post_form(f"/calls/{call_id}/accept",
                            {"time": "other", "details": "x"}).status_code == 409


def test_only_the_mentor_of_the_request_can_answer_on_the_dashboard(client, make, requested,
                                                                     mailbox, login):
    call_id, profile, mentee = requested
    other_mentor = make.mentor(profile.scheme)
    before = mailbox.count()
    login(other_mentor.user)
    assert client.get(f"/calls/{call_id}/accept").status_code == 403
    assert client.post_form(f"/calls/{call_id}/decline", {}).status_code == 403
    login(mentee)  # a mentee without a mentor role
    assert client.get(f"/calls/{call_id}/accept").status_code == 403
    client.post_form("/sign-out")
    assert client.post_form(f"/calls/{call_id}/accept", {}).status_code == 302
    unchanged(call_id, mailbox, before, profile=profile)
