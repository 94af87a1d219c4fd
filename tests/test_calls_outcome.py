"""After the call: "let's work together" or "not for us", no blame, reasons kept private."""

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from portal.calls.links import find_mentors_url
from portal.calls.models import CallState, Decision
from portal.extensions import db
from portal.mentors.models import MentorProfile
from portal.relationships.models import Relationship
from tests.support.calls import (
    NOW,
    accept,
    answer_links,
    call,
    fresh_client,
    last_call,
    send_request,
    uk,
)

MENTOR = "mira.mentor@testborough.gov.uk"
MENTEE = "sam.mentee@testborough.gov.uk"
AFTER_CALL = uk(3, 10, 20)


@pytest.fixture
def accepted(app, client, make, login, mailbox):
    scheme = make.scheme()
    profile = make.mentor(scheme, email=MENTOR, name="Mira Mentor", capacity=1)
    mentee = make.mentee(scheme, email=MENTEE, name="Sam Mentee")
    with time_machine.travel(NOW, tick=False):
        send_request(client, login, mentee, profile)
        client.post_form("/sign-out")
        accept(fresh_client(app), answer_links(mailbox, MENTOR)[0])
    return last_call().id, profile, mentee


def say(client, login, person, call_id, decision, reason=""):
    login(person)
    return client.post_form(f"/calls/{call_id}/outcome", {"decision": decision,
                                                          "reason": reason})


def places(profile) -> int:
    db.session.expire_all()
    return db.session.get(MentorProfile, profile.id).places_taken


def relationships() -> int:
    return db.session.scalar(sa.select(sa.func.count(Relationship.id)))


def test_nobody_can_answer_before_the_call_starts(client, login, mailbox, accepted):
    call_id, profile, mentee = accepted
    before = mailbox.count()
    with time_machine.travel(uk(3, 9, 59), tick=False):
        page = login(mentee).get(f"/calls/{call_id}/outcome").get_data(as_text=True)
        assert "You can answer once your call has started" in page
        response = say(client, login, mentee, call_id, "yes")
    assert response.status_code == 409
    assert "once the call has started" in response.get_data(as_text=True)
    assert call(call_id).mentee_decision is None and mailbox.count() == before


def test_not_for_us_ends_kindly_frees_the_place_and_keeps_the_reason(client, login, mailbox,
                                                                      accepted):
    call_id, profile, mentee = accepted
    with time_machine.travel(AFTER_CALL, tick=False):
        assert say(client, login, mentee, call_id, "yes").status_code == 303
        response = say(client, login, profile.user, call_id, "no",
                       reason="Our areas of work are too far apart.")
    assert response.status_code == 303
    ended = call(call_id)
    assert ended.state == CallState.NOT_TAKEN_FORWARD
    assert ended.mentor_decision == Decision.NO
    assert ended.mentor_reason == "Our areas of work are too far apart."
    assert places(profile) == 0
    assert relationships() == 0
    message = mailbox.last(MENTEE, "call_not_taken_forward")
    assert "nobody's fault" in message.body_text
    assert "too far apart" not in message.body_text
    assert find_mentors_url() in message.body_text
    # The mentee's page does not show the reason either.
    page = login(mentee).get(f"/calls/{call_id}").get_data(as_text=True)
    assert "too far apart" not in page and "Not taken forward" in page
    # The mentor who said no is not emailed about their own answer.
    assert mailbox.count(MENTOR, "call_not_taken_forward") == 0


def test_one_no_is_enough_and_the_other_need_not_answer(client, login, mailbox, accepted):
    call_id, profile, mentee = accepted
    with time_machine.travel(AFTER_CALL, tick=False):
        say(client, login, mentee, call_id, "no")
        late = say(client, login, profile.user, call_id, "yes")
    assert late.status_code == 409
    assert "will not be working together" in late.get_data(as_text=True)
    assert call(call_id).mentor_decision is None
    assert relationships() == 0
    message = mailbox.last(MENTOR, "call_not_taken_forward")
    assert "Your place is free again" in message.body_text


def test_a_party_cannot_answer_twice(client, login, mailbox, accepted):
    call_id, profile, mentee = accepted
    with time_machine.travel(AFTER_CALL, tick=False):
        say(client, login, mentee, call_id, "yes")
        before = mailbox.count()
        again = say(client, login, mentee, call_id, "no")
    assert again.status_code == 409
    assert "You have already said" in again.get_data(as_text=True)
    assert call(call_id).mentee_decision == Decision.YES
    assert call(call_id).state == CallState.ACCEPTED and mailbox.count() == before


def test_answer_must_be_chosen(client, login, accepted):
    call_id, _, mentee = accepted
    with time_machine.travel(AFTER_CALL, tick=False):
        response = say(client, login, mentee, call_id, "")
    assert response.status_code == 400
    assert "Choose whether you would like to work together" in response.get_data(as_text=True)


def test_until_both_say_yes_nothing_else_opens(client, login, accepted):
    call_id, profile, mentee = accepted
    with time_machine.travel(AFTER_CALL, tick=False):
        say(client, login, profile.user, call_id, "yes")
        assert relationships() == 0
        page = login(profile.user).get(f"/calls/{call_id}").get_data(as_text=True)
        assert "You said: Let&#39;s work together" in page
        say(client, login, mentee, call_id, "yes")
    assert relationships() == 1
    assert call(call_id).state == CallState.MATCHED
    # The place moved to the relationship: still one taken.
    assert places(profile) == 1


def test_dashboards_ask_both_to_say_how_it_went(client, login, accepted):
    call_id, profile, mentee = accepted
    with time_machine.travel(AFTER_CALL + dt.timedelta(hours=1), tick=False):
        for person in (mentee, profile.user):
            page = login(person).get("/dashboard").get_data(as_text=True)
            assert "Say how your call went" in page
            assert f"/calls/{call_id}/outcome" in page
