"""Review check-ins: sent by `flask relationships remind` on the agreement's review date (and at
the midpoint where the pack asks), once, even when two runs overlap; answered with one tap from
the email (GET shows, POST acts, signed out or in as the right person) or on the check-in's
page; "we need help" and "I want to end" reach the scheme's mailbox at once."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
import time_machine

from portal.audit import AuditEvent
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.relationships import check_ins
from portal.relationships.models import CheckIn, CheckInAnswer, RelationshipState
from tests.conftest import PACK_DEFAULTS
from tests.support.agreements import client_for
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once

MAILBOX = PACK_DEFAULTS["admin_email"]
MENTOR, MENTEE = "Zoë Ó Súilleabháin", "Łukasz Nowak"
MENTOR_EMAIL, MENTEE_EMAIL = "zoe.mentor@testborough.gov.uk", "lukasz.mentee@testborough.gov.uk"
START = dt.date(2026, 3, 2)
REVIEW = dt.date(2026, 6, 2)
#: 9am in London on a day (BST in summer).
BEFORE_REVIEW = dt.datetime(2026, 6, 1, 21, 0, tzinfo=dt.UTC)  # 10pm on 1 June in London
ON_REVIEW = dt.datetime(2026, 6, 2, 8, 0, tzinfo=dt.UTC)
ANSWER_TIME = dt.datetime(2026, 6, 3, 9, 0, tzinfo=dt.UTC)


def pair(make, *, scheme=None, **terms):
    terms = {"start_date": START, "review_date": REVIEW, "duration_months": 12,
             "activated_at": dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),
             "mentor_name": MENTOR, "mentor_email": MENTOR_EMAIL, "mentee_name": MENTEE,
             "mentee_email": MENTEE_EMAIL, **terms}
    return make.active_relationship(scheme, **terms)


@pytest.fixture(autouse=True)
def _the_day_after_the_review():
    """People answer the day after the check-in goes (each run of the command travels to its
    own moment)."""
    with time_machine.travel(ANSWER_TIME, tick=False):
        yield


def remind(runner, when: dt.datetime) -> str:
    with time_machine.travel(when, tick=False):
        result = runner.invoke(args=["relationships", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def check_ins_of(relationship) -> list[CheckIn]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CheckIn).where(
        CheckIn.relationship_id == relationship.id).order_by(CheckIn.due_on)))


def link(mailbox, to: str, answer: str = "on_track") -> str:
    found = [url for url in mailbox.links(mailbox.last(to, "check_in"))
             if url.startswith("/relationships/check-in/") and f"answer={answer}" in url]
    assert found, mailbox.last(to, "check_in").body_text
    return html.unescape(found[0])


def world() -> tuple:
    """Everything a GET or a refused POST must leave alone."""
    db.session.expire_all()
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    answers = [(c.mentor_answer, c.mentee_answer) for c in db.session.scalars(sa.select(CheckIn))]
    return answers, count(OutboxMessage), count(AuditEvent)


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


@pytest.fixture
def sent(make, runner, mailbox):
    """A running pair whose review check-in has just been sent."""
    relationship = pair(make)
    remind(runner, ON_REVIEW)
    return relationship


# --- sending -----------------------------------------------------------------------------------

def test_the_check_in_goes_to_both_on_the_review_date_once_and_not_before(make, runner,
                                                                         mailbox):
    relationship = pair(make)

    output = remind(runner, BEFORE_REVIEW)
    assert "Check-ins sent: 0" in output
    assert mailbox.count(template="check_in") == 0

    output = remind(runner, ON_REVIEW)
    assert "Check-ins sent: 1" in output
    for to, other in ((MENTOR_EMAIL, MENTEE), (MENTEE_EMAIL, MENTOR)):
        message = mailbox.last(to, "check_in")
        assert other in message.subject
        for answer in ("on_track", "need_help", "want_to_end"):
            assert link(mailbox, to, answer)
        for words in ("We are on track", "We need help", "I want to end the mentoring"):
            assert words in message.body_text
    [check_in] = check_ins_of(relationship)
    assert (check_in.kind, check_in.due_on) == ("review", REVIEW)

    assert "Check-ins sent: 0" in remind(runner, ON_REVIEW + dt.timedelta(hours=1))
    assert mailbox.count(template="check_in") == 2


def test_the_midpoint_check_in_comes_too_where_the_pack_asks(make, runner, mailbox):
    asks = pair(make, scheme=make.scheme(running={"midpoint_check_in": True}))
    plain = make.active_relationship(make.scheme(), start_date=START, review_date=REVIEW,
                                     duration_months=12)

    remind(runner, ON_REVIEW)
    assert [c.kind for c in check_ins_of(asks)] == ["review"]
    midpoint = dt.date(2026, 8, 31)  # 182 of the 365 days from 2 March 2026 to 2 March 2027
    remind(runner, dt.datetime(2026, 8, 30, 12, 0, tzinfo=dt.UTC))
    assert [c.kind for c in check_ins_of(asks)] == ["review"]

    remind(runner, dt.datetime(2026, 8, 31, 7, 0, tzinfo=dt.UTC))
    assert [(c.kind, c.due_on) for c in check_ins_of(asks)] == [("review", REVIEW),
                                                               ("midpoint", midpoint)]
    assert "half way" in mailbox.last(MENTEE_EMAIL, "check_in").body_text
    asked = [m for m in mailbox.all(MENTEE_EMAIL, "check_in")
             if not m.subject.startswith("Reminder")]
    assert len(asked) == 2
    # Without the pack's setting there is only the review.
    assert [c.kind for c in check_ins_of(plain)] == ["review"]


def test_without_a_review_date_the_check_in_comes_half_way(make, runner, mailbox):
    relationship = pair(make, scheme=make.scheme(running={"midpoint_check_in": True}),
                        review_date=None, duration_months=6)
    remind(runner, dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    assert check_ins_of(relationship) == []
    remind(runner, dt.datetime(2026, 6, 2, 12, 0, tzinfo=dt.UTC))  # 2 March + 3 of 6 months
    # The midpoint is the review date then: one check-in, not two.
    assert [(c.kind, c.due_on) for c in check_ins_of(relationship)] == [
        ("review", dt.date(2026, 6, 2))]
    remind(runner, dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.UTC))
    assert len(check_ins_of(relationship)) == 1
    assert len([m for m in mailbox.all(MENTEE_EMAIL, "check_in")
                if not m.subject.startswith("Reminder")]) == 1


def test_a_pair_not_yet_running_or_ended_gets_no_check_in(make, runner, mailbox):
    agreeing = make.relationship()
    ended = pair(make)
    ended.state = RelationshipState.ENDED
    db.session.commit()
    remind(runner, ON_REVIEW)
    assert check_ins_of(agreeing) == [] and check_ins_of(ended) == []
    assert mailbox.count(template="check_in") == 0


def test_two_runs_at_once_send_each_check_in_once(app, make, mailbox, monkeypatch):
    relationship = pair(make)
    hold_until_both_arrive(check_ins, "lock", monkeypatch)
    sweeps = run_twice_at_once(app, lambda: check_ins.send_due(ON_REVIEW))
    assert sum(sweep.sent for sweep in sweeps) == 1
    assert len(check_ins_of(relationship)) == 1
    assert mailbox.count(MENTOR_EMAIL, "check_in") == 1
    assert mailbox.count(MENTEE_EMAIL, "check_in") == 1


def test_one_reminder_a_week_later_to_whoever_has_not_answered(sent, client, runner, mailbox):
    with time_machine.travel(ANSWER_TIME, tick=False):
        page = client_for(client.application).get(link(mailbox, MENTOR_EMAIL))
        assert page.status_code == 200
        client.post_form(link(mailbox, MENTOR_EMAIL), {"answer": "on_track"})

    assert "check-in reminders sent: 0" in remind(runner, ON_REVIEW + dt.timedelta(days=6))
    output = remind(runner, ON_REVIEW + dt.timedelta(days=7, hours=1))
    assert "check-in reminders sent: 1" in output
    assert mailbox.count(MENTEE_EMAIL, "check_in") == 2
    assert mailbox.last(MENTEE_EMAIL, "check_in").subject.startswith("Reminder")
    assert mailbox.count(MENTOR_EMAIL, "check_in") == 1
    assert "check-in reminders sent: 0" in remind(runner, ON_REVIEW + dt.timedelta(days=20))
    assert mailbox.count(MENTEE_EMAIL, "check_in") == 2


# --- answering from the email ------------------------------------------------------------------

def test_the_link_shows_first_and_answers_once_signed_out(sent, client, mailbox):
    url = link(mailbox, MENTEE_EMAIL, "on_track")
    with time_machine.travel(ANSWER_TIME, tick=False):
        before = world()
        page = client.get(url)
        assert page.status_code == 200
        assert re.search(r'value="on_track"\s+checked|checked[^>]*value="on_track"',
                         page.get_data(as_text=True))
        assert page.get_data(as_text=True).count('type="submit"') == 1
        assert world() == before, "a GET (a mail scanner) changes nothing"

        done = client.post_form(url, {"answer": "on_track"})
        assert done.status_code == 303 and done.headers["Location"].endswith("/done")
        assert "You said: We are on track" in text(client.get("/done"))
        [check_in] = check_ins_of(sent)
        assert check_in.mentee_answer == CheckInAnswer.ON_TRACK
        assert check_in.mentor_answer is None
        assert mailbox.count(MAILBOX) == 0

        # A second use says what happened, naming nobody.
        for again in (client_for(client.application).get(url),
                      client.post_form(url, {"answer": "want_to_end"})):
            body = text(again)
            assert again.status_code == 410
            assert "This link has already been used: the answer “We are on track” was given " \
                   "on 3 June 2026" in body
            assert MENTOR not in body and MENTEE not in body
        assert check_ins_of(sent)[0].mentee_answer == CheckInAnswer.ON_TRACK


def test_need_help_reaches_the_mailbox_at_once(sent, client, mailbox):
    with time_machine.travel(ANSWER_TIME, tick=False):
        done = client.post_form(link(mailbox, MENTOR_EMAIL, "need_help"), {"answer": "need_help"})
    assert done.status_code == 303
    message = mailbox.last(MAILBOX, "check_in_need_help")
    for words in (MENTOR, MENTEE, sent.scheme.name, "3 June 2026", "We need help",
                  "the mentor"):
        assert words in message.body_text, words
    assert mailbox.links(message) == [""], "the mailbox's email links to nothing private"
    page = text(client.get("/done"))
    assert "will contact you" in page


def test_want_to_end_tells_the_mailbox_and_says_truly_what_happens_next(sent, client, mailbox):
    with time_machine.travel(ANSWER_TIME, tick=False):
        client.post_form(link(mailbox, MENTEE_EMAIL, "want_to_end"), {"answer": "want_to_end"})
    message = mailbox.last(MAILBOX, "check_in_want_to_end")
    assert MENTOR in message.body_text and MENTEE in message.body_text
    page = client.get("/done")
    body = text(page)
    assert "in case you would like to talk it through" in body
    assert "You can end the mentoring yourself" in body
    # The way on is the ending page, which asks to confirm: nothing has ended yet.
    assert f'href="/relationships/{sent.id}/end"' in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(sent), sent.id).state == RelationshipState.ACTIVE


def test_a_link_opened_by_someone_else_signed_in_is_refused(sent, client, make, login, mailbox):
    url = link(mailbox, MENTEE_EMAIL)
    login(make.user(name="Someone Else"))
    before = world()
    for response in (client.get(url), client.post_form(url, {"answer": "on_track"})):
        assert response.status_code == 403
        assert "This link is for someone else" in text(response)
    assert world() == before


def test_the_links_own_person_signed_in_may_use_it(sent, client, login, mailbox):
    login(sent.mentor)
    url = link(mailbox, MENTOR_EMAIL, "need_help")
    assert client.get(url).status_code == 200
    assert client.post_form(url, {"answer": "need_help"}).status_code == 303
    # Used: their own link now takes them to the check-in's page.
    again = client.get(url)
    assert again.status_code == 303
    assert f"/relationships/{sent.id}/check-ins/" in again.headers["Location"]


#: NUL bytes are cleaned out of every posted field (portal.forms), so one inside a valid answer
#: leaves the answer; NULs alone, or in the wrong place, leave no answer we know.
@pytest.mark.parametrize("value", ["maybe", "\x00", "need\x00 help", "on_track" * 500, ""])
def test_a_bad_answer_is_refused_clearly_and_changes_nothing(sent, client, login, mailbox, value):
    url = link(mailbox, MENTEE_EMAIL)
    [check_in] = check_ins_of(sent)
    before = world()
    response = client.post_form(url, {"answer": value})
    assert response.status_code == 400
    assert "Choose how the mentoring is going" in text(response)
    login(sent.mentor)
    response = client.post_form(f"/relationships/{sent.id}/check-ins/{check_in.id}",
                                {"answer": value})
    assert response.status_code == 400
    assert "Choose how the mentoring is going" in text(response)
    assert world() == before


def test_a_tampered_link_is_refused(sent, client, mailbox):
    url = link(mailbox, MENTEE_EMAIL)
    token = url.split("/check-in/")[1].split("?")[0]
    broken = url.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
    assert client.get(broken).status_code == 400
    assert client.post_form(broken, {"answer": "on_track"}).status_code == 400


# --- the check-in's page, signed in ------------------------------------------------------------

def test_the_pair_answer_on_the_page_and_see_each_others_answer(sent, client, login, mailbox):
    [check_in] = check_ins_of(sent)
    url = f"/relationships/{sent.id}/check-ins/{check_in.id}"
    login(sent.mentor)
    page = client.get(url)
    assert page.status_code == 200
    assert "How is your mentoring with Łukasz Nowak going?" in text(page)
    before = world()
    client.get(url)
    assert world() == before

    answered = client.post_form(url, {"answer": "on_track"})
    assert answered.status_code == 303
    assert "You said: We are on track." in text(client.get(url))
    again = client.post_form(url, {"answer": "need_help"})
    assert again.status_code == 409
    assert "You have already answered this check-in" in text(again)
    assert mailbox.count(MAILBOX) == 0

    login(sent.mentee)
    body = text(client.get(url))
    assert f"{MENTOR} We are on track" in body
    assert "You Not answered yet" in body


def test_someone_outside_the_pair_gets_404(sent, client, make, login, mailbox):
    [check_in] = check_ins_of(sent)
    other = pair(make, mentor_email="other.mentor@testborough.gov.uk",
                 mentee_email="other.mentee@testborough.gov.uk")
    url = f"/relationships/{sent.id}/check-ins/{check_in.id}"
    before = world()
    login(make.user(name="Nosy Parker"))
    assert client.get(url).status_code == 404
    assert client.post_form(url, {"answer": "on_track"}).status_code == 404
    # The other pair's people, and this check-in under the other pair's id.
    login(other.mentor)
    assert client.get(url).status_code == 404
    assert client.get(f"/relationships/{other.id}/check-ins/{check_in.id}").status_code == 404
    assert client.get(f"/relationships/{sent.id}/check-ins/999999").status_code == 404
    assert world() == before


def test_signed_out_the_page_asks_to_sign_in(sent, client):
    [check_in] = check_ins_of(sent)
    response = client.get(f"/relationships/{sent.id}/check-ins/{check_in.id}")
    assert response.status_code in (302, 303)
    assert "/sign-in" in response.headers["Location"]


def test_the_dashboard_reads_sessions_and_check_ins_in_a_fixed_number_of_queries(
        sent, client, login, count_queries):
    from portal.relationships.models import MentoringSession, SessionState

    login(sent.mentee)
    client.get("/dashboard")
    with count_queries() as few:
        assert client.get("/dashboard").status_code == 200
    for n in range(4):
        db.session.add(MentoringSession(relationship_id=sent.id, state=SessionState.HELD,
                                        held_on=START + dt.timedelta(days=n + 1), held_minutes=60,
                                        logged_at=ANSWER_TIME))
    db.session.add(CheckIn(relationship_id=sent.id, kind="midpoint", due_on=REVIEW,
                           sent_at=ANSWER_TIME))
    db.session.commit()
    with count_queries() as many:
        page = client.get("/dashboard")
    assert "4 of 6 sessions" in text(page)
    assert many.count == few.count
