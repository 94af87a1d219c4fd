"""The whole chemistry call journey through HTTP and the outbox: request, accept from the
emailed link, the invites, both say yes, and the pair is ready for its agreement."""

import datetime as dt

import icalendar
import sqlalchemy as sa
import time_machine

from portal.calls.models import CallState
from portal.extensions import db
from portal.mentors.models import MentorProfile
from portal.relationships.models import Relationship, RelationshipState
from tests.support.calls import (
    LONDON,
    NOW,
    accept,
    answer_links,
    call,
    fresh_client,
    last_call,
    send_request,
    uk,
)


def invite_of(message) -> icalendar.Event:
    (attachment,) = message.attachments
    assert attachment.filename.endswith(".ics")
    assert attachment.content_type.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(attachment.data)
    assert calendar["METHOD"] == "REQUEST"
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/London"
    (event,) = calendar.events
    return event


def test_request_accept_from_email_and_both_say_yes(app, client, make, mailbox, login):
    scheme = make.scheme(name="Planning mentoring")
    profile = make.mentor(scheme, email="mira.mentor@testborough.gov.uk", name="Mira Mentor",
                          capacity=2)
    mentee = make.mentee(scheme, email="sam.mentee@testborough.gov.uk", name="Sam Mentee")

    with time_machine.travel(NOW, tick=False):
        # The mentee requests a call from the mentor's profile.
        form = login(mentee).get(f"/calls/new/{profile.id}")
        assert form.status_code == 200
        assert "Request a chemistry call with Mira Mentor" in form.get_data(as_text=True)
        response = send_request(client, login, mentee, profile)
        assert response.status_code == 303
        request_id = last_call().id
        assert response.headers["Location"].endswith(f"/calls/{request_id}")
        assert call(request_id).state == CallState.REQUESTED

        sent = mailbox.last("sam.mentee@testborough.gov.uk", "call_request_sent")
        assert "Mira Mentor" in sent.body_text
        request_email = mailbox.last("mira.mentor@testborough.gov.uk", "call_requested")
        assert "Sam Mentee would like a chemistry call" in request_email.subject
        assert "grow in confidence" in request_email.body_text
        # Before acceptance, the mentor does not see the mentee's address.
        assert "sam.mentee@testborough.gov.uk" not in request_email.body_text
        accept_link, _ = answer_links(mailbox, "mira.mentor@testborough.gov.uk")

        # The mentor follows the link on a phone, not signed in. A GET changes nothing.
        phone = fresh_client(app)
        emails_before = mailbox.count()
        assert phone.get(accept_link).status_code == 200
        assert phone.head(accept_link).status_code == 200
        assert call(request_id).state == CallState.REQUESTED
        assert mailbox.count() == emails_before

        # The POST accepts, choosing the first proposed time.
        response = accept(phone, accept_link, details="Teams link: https://teams.example.net/x")
        assert response.status_code == 303
        accepted = call(request_id)
        assert accepted.state == CallState.ACCEPTED
        assert accepted.scheduled_at == uk(3, 10)
        assert db.session.get(MentorProfile, profile.id).places_taken == 1
        # The link now shows what happened instead of the form.
        shown = phone.get(accept_link, follow_redirects=True).get_data(as_text=True)
        assert "was accepted on" in shown

    # Both invites parse and carry the chosen time in Europe/London, with one stable UID.
    to_mentee = mailbox.last("sam.mentee@testborough.gov.uk", "call_accepted_mentee")
    to_mentor = mailbox.last("mira.mentor@testborough.gov.uk", "call_accepted_mentor")
    uids = set()
    for message in (to_mentee, to_mentor):
        event = invite_of(message)
        start = event.start
        assert start.tzinfo.key == "Europe/London"
        assert start == dt.datetime(2026, 3, 5, 10, 0, tzinfo=LONDON)
        assert event["SEQUENCE"] == 0
        assert "https://teams.example.net/x" in str(event["DESCRIPTION"])
        uids.add(str(event["UID"]))
    assert len(uids) == 1
    # From acceptance each sees the other's address.
    assert "mira.mentor@testborough.gov.uk" in to_mentee.body_text
    assert "sam.mentee@testborough.gov.uk" in to_mentor.body_text
    assert "Thursday 5 March 2026 at 10am" in to_mentee.body_text

    # After the call, both say "let's work together".
    with time_machine.travel(uk(3, 10, 30), tick=False):
        page = login(mentee).get(f"/calls/{request_id}/outcome")
        assert "Let&#39;s work together" in page.get_data(as_text=True)
        assert client.post_form(f"/calls/{request_id}/outcome",
                                {"decision": "yes", "reason": ""}).status_code == 303
        assert call(request_id).state == CallState.ACCEPTED  # one yes is not enough
        assert db.session.scalar(sa.select(sa.func.count(Relationship.id))) == 0

        login(profile.user)
        assert client.post_form(f"/calls/{request_id}/outcome",
                                {"decision": "yes", "reason": ""}).status_code == 303

    done = call(request_id)
    assert done.state == CallState.MATCHED
    relationship = db.session.get(Relationship, done.relationship_id)
    assert relationship.state == RelationshipState.AGREEING
    assert (relationship.mentor_id, relationship.mentee_id, relationship.profile_id) == (
        profile.user_id, mentee.id, profile.id)
    # The place passes to the relationship.
    assert db.session.get(MentorProfile, profile.id).places_taken == 1
    for address in ("sam.mentee@testborough.gov.uk", "mira.mentor@testborough.gov.uk"):
        # One email each about what happens next (the agreement's), not two.
        assert mailbox.count(address, "agreement_opened") == 1
        matched = mailbox.last(address, "agreement_opened")
        assert "agreed to work together" in matched.subject
        assert "/agreements/" in matched.body_text
