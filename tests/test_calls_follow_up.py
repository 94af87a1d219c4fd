"""After the chemistry call: "How did your call go?" by email once its time has passed, one
reminder, one-tap answers that only act on their POST, "we did not meet" and a new time, the
call page once the call has passed, and one "what happens next" email each when both say yes."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
import time_machine

from portal.calls import follow_up
from portal.calls.models import CallFollowUp, CallState, Decision
from portal.extensions import db
from portal.relationships.models import Relationship
from tests.support.calls import (
    NOW,
    accept,
    answer_links,
    call,
    fresh_client,
    last_call,
    send_request,
    slot,
    uk,
)
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once

MENTOR = "mira.mentor@testborough.gov.uk"
MENTEE = "sam.mentee@testborough.gov.uk"
#: The call is at 10am on Thursday 5 March for 30 minutes (UK time, which is UTC then).
DURING = uk(3, 10, 20)
AFTER = uk(3, 10, 31)
LATER = uk(3, 12)


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


def run(runner) -> str:
    result = runner.invoke(args=["calls", "follow-up"])
    assert result.exit_code == 0, result.output
    return result.output


def asked(runner, mailbox, at=LATER) -> None:
    """Run the command at ``at``; both people have had the first email."""
    with time_machine.travel(at, tick=False):
        run(runner)
    assert mailbox.count(MENTOR, "call_follow_up") == 1
    assert mailbox.count(MENTEE, "call_follow_up") == 1


def answer_link(mailbox, to: str, answer: str, template: str = "call_follow_up") -> str:
    return mailbox.link(mailbox.last(to, template), f"answer={answer}")


def post_answer(client, link: str, decision: str, reason: str = ""):
    return client.post_form(link.split("?")[0], {"decision": decision, "reason": reason})


def world(call_id):
    """What an answer could change: the call, both answers, relationships, follow-up rows."""
    c = call(call_id)
    return (c.state, c.mentor_decision, c.mentee_decision,
            db.session.scalar(sa.select(sa.func.count(Relationship.id))),
            db.session.scalar(sa.select(sa.func.count(CallFollowUp.id))))


# --- the command ---------------------------------------------------------------------------------

def test_nothing_is_sent_before_the_call_has_ended_then_once_each(runner, mailbox, accepted):
    call_id, _, _ = accepted
    for moment in (uk(2), DURING, uk(3, 10, 29)):
        with time_machine.travel(moment, tick=False):
            assert "Asked 0 people" in run(runner)
    assert mailbox.count(template="call_follow_up") == 0
    with time_machine.travel(AFTER, tick=False):
        assert run(runner).strip() == ("Asked 2 people how their call went; reminded 0 "
                                       "people.")
        assert "Asked 0 people" in run(runner)
    for address in (MENTOR, MENTEE):
        message = mailbox.last(address, "call_follow_up")
        assert message.subject == "How did your call go?"
        for answer in ("yes", "no", "did_not_meet"):
            assert "/calls/after/" in answer_link(mailbox, address, answer)
        assert "Let's work together" in message.body_text and "We did not meet" in (
            message.body_text)
    assert "Mira Mentor" in mailbox.last(MENTEE, "call_follow_up").body_text
    assert "Sam Mentee" in mailbox.last(MENTOR, "call_follow_up").body_text
    assert call(call_id).state == CallState.ACCEPTED


def test_one_reminder_three_days_later_only_to_whoever_has_not_answered(runner, client,
                                                                       mailbox, accepted):
    call_id, _, _ = accepted
    asked(runner, mailbox)
    with time_machine.travel(LATER + dt.timedelta(hours=1), tick=False):
        assert post_answer(fresh_client(client.application),
                           answer_link(mailbox, MENTEE, "yes"), "yes").status_code == 303
    with time_machine.travel(LATER + dt.timedelta(days=2, hours=23), tick=False):
        assert "reminded 0" in run(runner)
    with time_machine.travel(LATER + dt.timedelta(days=3), tick=False):
        assert "Asked 0 people how their call went; reminded 1 person." in run(runner)
        assert "reminded 0" in run(runner)
    with time_machine.travel(LATER + dt.timedelta(days=30), tick=False):
        assert "reminded 0" in run(runner)
    assert mailbox.count(MENTOR, "call_follow_up") == 2
    assert mailbox.count(MENTEE, "call_follow_up") == 1
    reminder = mailbox.last(MENTOR, "call_follow_up")
    assert reminder.subject == "Reminder: how did your call go?"
    # The reminder's links work too.
    with time_machine.travel(LATER + dt.timedelta(days=3, hours=1), tick=False):
        assert post_answer(fresh_client(client.application),
                           answer_link(mailbox, MENTOR, "yes"), "yes").status_code == 303
    assert call(call_id).state == CallState.MATCHED


def test_two_runs_at_once_send_each_email_once(app, mailbox, accepted, monkeypatch):
    asked_at = LATER
    hold_until_both_arrive(follow_up, "lock_call", monkeypatch)
    with time_machine.travel(asked_at, tick=False):
        sweeps = run_twice_at_once(app, follow_up.send_due)
    db.session.rollback()  # a fresh read of what the two runs committed
    assert sum(s.asked for s in sweeps) == 2
    assert mailbox.count(MENTOR, "call_follow_up") == 1
    assert mailbox.count(MENTEE, "call_follow_up") == 1
    with time_machine.travel(asked_at + dt.timedelta(days=3), tick=False):
        sweeps = run_twice_at_once(app, follow_up.send_due)
    db.session.rollback()
    assert sum(s.reminded for s in sweeps) == 2
    assert mailbox.count(template="call_follow_up") == 4


# --- the one-tap answers -------------------------------------------------------------------------

@pytest.mark.parametrize("answer, button", [
    ("yes", "Confirm: let’s work together"), ("no", "Confirm: not for us"),
    ("did_not_meet", "Confirm: we did not meet")])
def test_opening_an_answer_link_changes_nothing(app, runner, mailbox, accepted, answer, button):
    call_id, _, _ = accepted
    asked(runner, mailbox)
    link = answer_link(mailbox, MENTEE, answer)
    before, sent = world(call_id), mailbox.count()
    with time_machine.travel(LATER, tick=False):
        for _ in range(2):  # a mail scanner, then the person
            page = fresh_client(app).get(link)
            assert page.status_code == 200
            assert button in page.get_data(as_text=True)
    assert world(call_id) == before and mailbox.count() == sent
    if answer == "no":
        assert "Anything you want the scheme to know" in page.get_data(as_text=True)


def test_an_answer_acts_once_and_the_link_then_says_what_happened(app, runner, mailbox,
                                                                  accepted):
    call_id, _, _ = accepted
    asked(runner, mailbox)
    link = answer_link(mailbox, MENTEE, "no")
    browser = fresh_client(app)
    with time_machine.travel(LATER, tick=False):
        done = post_answer(browser, link, "no", reason="Too far apart in our work.")
        assert done.status_code == 303 and done.headers["Location"].endswith("/done")
        assert "Thank you for letting us know" in browser.get("/done").get_data(as_text=True)
        ended = call(call_id)
        assert ended.state == CallState.NOT_TAKEN_FORWARD
        assert ended.mentee_reason == "Too far apart in our work."
        sent = mailbox.count()
        again = post_answer(fresh_client(app), link, "yes")
        shown = fresh_client(app).get(link)
    assert mailbox.count(MENTOR, "call_not_taken_forward") == 1
    for response in (again, shown):
        assert response.status_code == 410
        body = response.get_data(as_text=True)
        assert "already been used" in body and "Not for us" in body
        assert "Mira" not in body and "Sam" not in body  # whoever holds it: no names
    assert call(call_id).mentee_decision == Decision.NO and mailbox.count() == sent
    # The mentor's own link says what became of the call, and cannot act.
    mentor_link = answer_link(mailbox, MENTOR, "yes")
    with time_machine.travel(LATER, tick=False):
        late = post_answer(fresh_client(app), mentor_link, "yes")
    assert late.status_code == 410 and "without going further" in late.get_data(as_text=True)
    assert call(call_id).mentor_decision is None


def test_someone_signed_in_as_another_person_is_refused(app, make, login, client, runner,
                                                        mailbox, accepted):
    call_id, profile, mentee = accepted
    asked(runner, mailbox)
    link = answer_link(mailbox, MENTEE, "yes")
    before, sent = world(call_id), mailbox.count()
    with time_machine.travel(LATER, tick=False):
        for person in (profile.user, make.mentee(profile.scheme, email="else@testborough.gov.uk")):
            login(person)
            assert client.get(link).status_code == 403
            response = post_answer(client, link, "yes")
            assert response.status_code == 403
            assert "This link is for someone else" in response.get_data(as_text=True)
        # The person it was sent to, signed in, may use it.
        login(mentee)
        assert client.get(link).status_code == 200
    assert world(call_id) == before and mailbox.count() == sent


def test_yes_tells_the_other_and_asks_them_with_their_own_links(app, runner, mailbox, accepted):
    call_id, _, _ = accepted
    with time_machine.travel(AFTER, tick=False):
        run(runner)
    with time_machine.travel(LATER, tick=False):
        post_answer(fresh_client(app), answer_link(mailbox, MENTEE, "yes"), "yes")
    told = mailbox.last(MENTOR, "call_answered")
    assert told.subject == "Sam Mentee would like to work with you"
    assert call(call_id).state == CallState.ACCEPTED
    with time_machine.travel(LATER, tick=False):
        page = fresh_client(app).get(answer_link(mailbox, MENTOR, "yes", "call_answered"))
        assert page.status_code == 200
        assert post_answer(fresh_client(app), answer_link(mailbox, MENTOR, "yes",
                                                          "call_answered"), "yes"
                           ).status_code == 303
    assert call(call_id).state == CallState.MATCHED


def test_an_answer_given_signed_in_counts_as_the_first_email_for_the_other(client, login, runner,
                                                                          mailbox, accepted):
    """A yes during the call: the other is asked at once, and the command then asks only the
    person who has not been asked."""
    call_id, profile, mentee = accepted
    with time_machine.travel(DURING, tick=False):
        login(mentee).post_form(f"/calls/{call_id}/outcome", {"decision": "yes"})
    assert mailbox.count(MENTOR, "call_answered") == 1
    with time_machine.travel(LATER, tick=False):
        assert "Asked 0 people" in run(runner)
    with time_machine.travel(LATER + dt.timedelta(days=3), tick=False):
        assert "reminded 1 person" in run(runner)
    assert mailbox.count(MENTOR, "call_follow_up") == 1
    assert mailbox.count(MENTEE, "call_follow_up") == 0


def test_both_saying_yes_at_once_give_one_outcome_and_one_email_each(app, runner, mailbox,
                                                                     accepted):
    call_id, _, _ = accepted
    asked(runner, mailbox)
    posts = [(fresh_client(app), answer_link(mailbox, address, "yes"))
             for address in (MENTOR, MENTEE)]
    start = threading.Barrier(2)
    statuses, errors = [], []

    def say_yes(browser, link):
        try:
            data = {"decision": "yes", "reason": "", "csrf_token": browser.csrf_token()}
            start.wait(timeout=10)
            statuses.append(browser.post(link.split("?")[0], data=data).status_code)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    with time_machine.travel(LATER, tick=False):
        threads = [threading.Thread(target=say_yes, args=post) for post in posts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors
    assert statuses == [303, 303]
    db.session.rollback()  # a fresh read of what the two requests committed
    matched = call(call_id)
    assert matched.state == CallState.MATCHED
    assert db.session.scalar(sa.select(sa.func.count(Relationship.id))) == 1
    for address in (MENTOR, MENTEE):
        assert mailbox.count(address, "agreement_opened") == 1
        assert mailbox.count(address, "call_matched") == 0
        message = mailbox.last(address, "agreement_opened")
        assert "have agreed to work together: next, agree the terms" in message.subject
        assert "/agreements/" in message.body_text


# --- "we did not meet" ---------------------------------------------------------------------------

def test_did_not_meet_then_a_new_time_then_the_follow_up_again(app, client, login, runner,
                                                               mailbox, accepted):
    call_id, profile, mentee = accepted
    asked(runner, mailbox)
    browser = fresh_client(app)
    with time_machine.travel(LATER, tick=False):
        assert post_answer(browser, answer_link(mailbox, MENTEE, "did_not_meet"),
                           "did_not_meet").status_code == 303
        assert "/reschedule" in browser.get("/done").get_data(as_text=True)
    assert call(call_id).mentee_decision == Decision.DID_NOT_MEET
    told = mailbox.last(MENTOR, "call_did_not_happen")
    assert "Sam Mentee" in told.body_text and f"/calls/{call_id}/reschedule" in told.body_text
    with time_machine.travel(LATER, tick=False):
        # The mentor's own link can no longer answer; their page offers a new time.
        refused = post_answer(fresh_client(app), answer_link(mailbox, MENTOR, "yes"), "yes")
        assert refused.status_code == 410 and "did not take place" in refused.get_data(
            as_text=True)
        page = login(profile.user).get(f"/calls/{call_id}").get_data(as_text=True)
        assert "Did not happen" in page and "Propose a new time" in page
        assert "Change the time or details" not in page
        # Nobody is asked again, or reminded, about a call that did not happen.
        assert "Asked 0 people" in run(runner)
    with time_machine.travel(LATER + dt.timedelta(days=4), tick=False):
        assert "reminded 0" in run(runner)
        date, _ = slot(10)
        login(profile.user)  # days later: a new sign-in
        assert client.get(f"/calls/{call_id}/reschedule").status_code == 200
        moved = client.post_form(f"/calls/{call_id}/reschedule",
                                 {"new_date": date, "new_time": "11:00", "details": "Teams"})
        assert moved.status_code == 303
    fresh = call(call_id)
    assert (fresh.state, fresh.mentor_decision, fresh.mentee_decision) == (
        CallState.ACCEPTED, None, None)
    assert db.session.scalar(sa.select(sa.func.count(CallFollowUp.id))) == 0
    assert mailbox.count(MENTEE, "call_rescheduled") == 1
    with time_machine.travel(uk(10, 11, 15), tick=False):
        assert "Asked 0 people" in run(runner)
        page = login(mentee).get(f"/calls/{call_id}").get_data(as_text=True)
        assert "Change the time or details" in page
    with time_machine.travel(uk(10, 11, 31), tick=False):
        assert "Asked 2 people" in run(runner)
        assert post_answer(fresh_client(app), answer_link(mailbox, MENTEE, "yes"),
                           "yes").status_code == 303
        assert post_answer(fresh_client(app), answer_link(mailbox, MENTOR, "yes"),
                           "yes").status_code == 303
    assert call(call_id).state == CallState.MATCHED


def test_did_not_meet_after_the_other_said_yes_means_the_call_did_not_happen(app, client, login,
                                                                            runner, mailbox,
                                                                            accepted):
    call_id, profile, mentee = accepted
    asked(runner, mailbox)
    with time_machine.travel(LATER, tick=False):
        post_answer(fresh_client(app), answer_link(mailbox, MENTOR, "yes"), "yes")
        post_answer(fresh_client(app), answer_link(mailbox, MENTEE, "did_not_meet"),
                    "did_not_meet")
        told = mailbox.last(MENTOR, "call_did_not_happen")
        assert "put aside" in told.body_text
        assert call(call_id).state == CallState.ACCEPTED
        assert db.session.scalar(sa.select(sa.func.count(Relationship.id))) == 0
        # Signed in, the mentor cannot answer again either: the call did not happen.
        response = login(profile.user).post_form(f"/calls/{call_id}/outcome",
                                                 {"decision": "no"})
        assert response.status_code == 409
        assert "did not take place" in response.get_data(as_text=True)
        # Either may call it off instead of meeting again.
        assert client.get(f"/calls/{call_id}/cancel").status_code == 200
    assert call(call_id).mentor_decision == Decision.YES


# --- the call page once its time has passed ------------------------------------------------------

def test_a_call_that_has_passed_took_place_and_offers_no_changes(client, login, mailbox,
                                                                 accepted):
    call_id, profile, mentee = accepted
    with time_machine.travel(DURING, tick=False):
        page = login(mentee).get(f"/calls/{call_id}").get_data(as_text=True)
        assert "Withdraw and cancel the call" in page and "Took place" not in page
    with time_machine.travel(AFTER, tick=False):
        for person, gone in ((mentee, "Withdraw and cancel the call"),
                             (profile.user, "Cancel the call")):
            page = login(person).get(f"/calls/{call_id}").get_data(as_text=True)
            assert "Took place" in page and "Say how it went" in page
            assert "Change the time or details" not in page and gone not in page
        before = mailbox.count()
        date, _ = slot(9)
        for url, data in ((f"/calls/{call_id}/reschedule",
                           {"new_date": date, "new_time": "10:00", "details": "Teams"}),
                          (f"/calls/{call_id}/cancel", {})):
            response = client.post_form(url, data)
            assert response.status_code == 409, url
            assert "time has passed" in response.get_data(as_text=True)
        assert client.get(f"/calls/{call_id}/reschedule").status_code == 409
        response = login(mentee).post_form(f"/calls/{call_id}/withdraw")
        assert response.status_code == 409
    assert call(call_id).state == CallState.ACCEPTED and mailbox.count() == before


def test_an_answer_cannot_be_changed(client, login, mailbox, accepted):
    call_id, _, mentee = accepted
    with time_machine.travel(AFTER, tick=False):
        login(mentee).post_form(f"/calls/{call_id}/outcome", {"decision": "yes"})
        before = mailbox.count()
        for decision in ("no", "did_not_meet"):
            response = client.post_form(f"/calls/{call_id}/outcome", {"decision": decision})
            assert response.status_code == 409
            assert "cannot be changed" in response.get_data(as_text=True)
    assert call(call_id).mentee_decision == Decision.YES and mailbox.count() == before


def test_outsiders_cannot_answer_or_propose_a_new_time(make, client, login, runner, mailbox,
                                                       accepted):
    call_id, profile, _ = accepted
    asked(runner, mailbox)
    outsider = make.mentee(profile.scheme, email="else@testborough.gov.uk")
    before, sent = world(call_id), mailbox.count()
    with time_machine.travel(LATER, tick=False):
        login(outsider)
        for url, data in ((f"/calls/{call_id}/outcome", {"decision": "did_not_meet"}),
                          (f"/calls/{call_id}/reschedule", {})):
            assert client.get(url).status_code in (403, 404)
            assert client.post_form(url, data).status_code in (403, 404)
        assert client.get("/calls/99999/outcome").status_code == 404
    assert world(call_id) == before and mailbox.count() == sent


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    ({"decision": "maybe"}, "Choose whether you would like to work together"),
    ({"decision": "yes\x00no"}, "Choose whether you would like to work together"),
    ({"decision": "\x00"}, "Choose whether you would like to work together"),
    ({"decision": ""}, "Choose whether you would like to work together"),
    ({"decision": "no", "reason": "x" * 2001}, "2000"),
])
def test_bad_input_is_refused_clearly_and_changes_nothing(app, client, login, runner, mailbox,
                                                          accepted, data, message):
    call_id, _, mentee = accepted
    asked(runner, mailbox)
    link = answer_link(mailbox, MENTEE, "no").split("?")[0]
    before, sent = world(call_id), mailbox.count()
    with time_machine.travel(LATER, tick=False):
        for browser, url in ((fresh_client(app), link),
                             (login(mentee), f"/calls/{call_id}/outcome")):
            response = browser.post_form(url, data)
            assert response.status_code == 400, url
            assert message in response.get_data(as_text=True)
    assert world(call_id) == before and mailbox.count() == sent


def test_nul_bytes_in_a_reason_are_dropped_not_stored(app, runner, mailbox, accepted):
    call_id, _, _ = accepted
    asked(runner, mailbox)
    with time_machine.travel(LATER, tick=False):
        response = post_answer(fresh_client(app), answer_link(mailbox, MENTEE, "no"), "no",
                               reason="Not\x00 the right fit")
    assert response.status_code == 303
    assert call(call_id).mentee_reason == "Not the right fit"
