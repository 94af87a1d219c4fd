"""Evaluations: opened for both people when a relationship ends (and on the review date, and
months after the end, where the pack asks), each with their role's questions exactly as the pack
wrote them; answered once, kept as a draft while typed; one reminder a week later, even when two
runs overlap; closed after the pack's window; and what the scheme's administrators see, without
names (and only from 5 answers) where the pack promises anonymity."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
import time_machine

from portal.audit import AuditEvent
from portal.drafts import FormDraft
from portal.evaluations import queries, reminders
from portal.evaluations.models import Evaluation, EvaluationKind, EvaluationReminder
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.relationships import ending
from tests.support.agreements import client_for
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once

T0 = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
MENTOR_Q = ["What did your mentee\u2019s goals turn out to be, and were they met?",
            "What would you tell a new mentor in this scheme? <Be honest> & brief."]
MENTEE_Q = ["What\u2019s changed for you since the first session \u2014 and \u201cwhy\u201d?",
            "How easy was it to arrange sessions?",
            "Would you recommend the scheme to a colleague?"]
FORM = {"mentor": MENTOR_Q, "mentee": MENTEE_Q, "window_days": 28, "anonymous": True,
        "at_midpoint": False, "follow_up_months": 0}


@pytest.fixture(autouse=True)
def _at_t0():
    with time_machine.travel(T0, tick=False):
        yield


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def scheme_with(make, **settings):
    return make.scheme(evaluation_form={**FORM, **settings})


def ended_pair(app, make, scheme=None, **kwargs):
    """A running pair, ended by the mentee through the portal."""
    relationship = make.active_relationship(scheme or scheme_with(make), **kwargs)
    done = client_for(app, relationship.mentee).post_form(
        f"/relationships/{relationship.id}/end", {"category": "", "reason": ""})
    assert done.status_code == 303, text(done)[:500]
    return relationship


def evaluation_of(relationship, party: str, kind=EvaluationKind.END) -> Evaluation:
    db.session.expire_all()
    return db.session.scalar(sa.select(Evaluation).where(
        Evaluation.relationship_id == relationship.id, Evaluation.party == party,
        Evaluation.kind == kind))


def answers_of(relationship, party: str):
    return evaluation_of(relationship, party).answers


def link(mailbox, person, template="evaluation_opened") -> str:
    return mailbox.link(mailbox.last(person.email, template), "/evaluations/")


def remind(runner, when: dt.datetime) -> str:
    with time_machine.travel(when, tick=False):
        result = runner.invoke(args=["evaluations", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def world() -> tuple:
    db.session.expire_all()
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    rows = [(e.state, e.answers, e.submitted_at) for e in db.session.scalars(
        sa.select(Evaluation).order_by(Evaluation.id))]
    return rows, count(OutboxMessage), count(AuditEvent), count(FormDraft)


# --- opening -------------------------------------------------------------------------------------

def test_an_ending_opens_each_persons_evaluation_with_their_roles_questions(app, make, mailbox):
    relationship = ended_pair(app, make)

    mentor, mentee = evaluation_of(relationship, "mentor"), evaluation_of(relationship, "mentee")
    assert mentor.questions == MENTOR_Q and mentee.questions == MENTEE_Q
    assert mentor.user_id == relationship.mentor_id and mentee.user_id == relationship.mentee_id
    assert mentee.closes_at == T0 + dt.timedelta(days=28)
    for person, evaluation, mine, theirs in (
            (relationship.mentor, mentor, MENTOR_Q, MENTEE_Q),
            (relationship.mentee, mentee, MENTEE_Q, MENTOR_Q)):
        assert mailbox.count(person.email, "evaluation_opened") == 1
        url = link(mailbox, person)
        assert url == f"/evaluations/{evaluation.id}"
        page = client_for(app, person).get(url)
        assert page.status_code == 200
        shown = text(page)
        for question in mine:
            assert question in shown  # exactly as written in the pack
        assert not any(question in shown for question in theirs)
        assert "without your name" in shown


def test_a_completed_relationship_opens_them_too(app, make, mailbox):
    relationship = make.active_relationship(scheme_with(make), start_date=dt.date(2026, 1, 5),
                                            duration_months=6)
    ending.complete_due(T0)
    assert evaluation_of(relationship, "mentee").questions == MENTEE_Q
    assert mailbox.count(relationship.mentor.email, "evaluation_opened") == 1


def test_a_scheme_whose_pack_asks_no_questions_opens_none(app, make, mailbox):
    relationship = ended_pair(app, make, make.scheme())
    assert evaluation_of(relationship, "mentee") is None
    assert mailbox.count(template="evaluation_opened") == 0


# --- answering -----------------------------------------------------------------------------------

def test_answers_are_sent_once_and_the_page_then_says_when(app, make):
    relationship = ended_pair(app, make)
    url = f"/evaluations/{evaluation_of(relationship, 'mentee').id}"
    mentee = client_for(app, relationship.mentee)

    sent = mentee.post_form(url, {"answer_1": "I chair meetings now.", "answer_2": "",
                                  "answer_3": "Yes. <b>Really</b>"})
    assert sent.status_code == 303
    assert answers_of(relationship, "mentee") == ["I chair meetings now.", "",
                                                  "Yes. <b>Really</b>"]
    page = mentee.get(url)
    assert "&lt;b&gt;Really&lt;/b&gt;" in page.get_data(as_text=True)
    assert "You have sent your answers" in text(page) and "1 September 2026" in text(page)
    before = world()

    again = mentee.post_form(url, {"answer_1": "Changed my mind.", "answer_2": "x",
                                   "answer_3": "No."})
    assert again.status_code == 409
    assert "You sent your answers on 1 September 2026" in text(again)
    assert mentee.post_form(url + "/draft", {"answer_1": "x"}).status_code == 409
    assert world() == before


def test_what_is_typed_is_kept_as_a_draft_until_sent(app, make):
    relationship = ended_pair(app, make)
    url = f"/evaluations/{evaluation_of(relationship, 'mentor').id}"
    mentor = client_for(app, relationship.mentor)
    page = mentor.get(url).get_data(as_text=True)
    assert f'hx-post="{url}/draft"' in page and 'hx-trigger="input delay:2s"' in page

    kept = mentor.post_form(url + "/draft", {"answer_1": "Half a thought about goals"})
    assert kept.status_code == 200 and "Draft saved" in text(kept)
    later = client_for(app, relationship.mentor).get(url)  # a new session, after a timeout
    assert "Half a thought about goals" in later.get_data(as_text=True)
    assert "We kept what you typed" in text(later)
    # The other person's form knows nothing of it.
    assert "Half a thought" not in client_for(app, relationship.mentee).get(
        f"/evaluations/{evaluation_of(relationship, 'mentee').id}").get_data(as_text=True)

    assert mentor.post_form(url, {"answer_1": "Goals were met.", "answer_2": ""}
                            ).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormDraft)) == 0


@pytest.mark.parametrize("answers, error", [
    ({"answer_1": "", "answer_2": "  ", "answer_3": ""}, "Answer at least one question"),
    ({"answer_1": "x" * 5001, "answer_2": "", "answer_3": ""},
     "Answer 1 must be 5,000 characters or fewer"),
    ({"answer_1": "ok", "answer_2": "", "answer_3": "y" * 6000},
     "Answer 3 must be 5,000 characters or fewer"),
])
def test_bad_answers_are_refused_clearly_and_change_nothing(app, make, answers, error):
    relationship = ended_pair(app, make)
    url = f"/evaluations/{evaluation_of(relationship, 'mentee').id}"
    before = world()
    refused = client_for(app, relationship.mentee).post_form(url, answers)
    assert refused.status_code == 400
    assert error in text(refused) and "There is a problem" in text(refused)
    assert world() == before


def test_nul_bytes_and_right_to_left_text_are_taken_safely(app, make):
    relationship = ended_pair(app, make)
    url = f"/evaluations/{evaluation_of(relationship, 'mentee').id}"
    mentee = client_for(app, relationship.mentee)
    assert mentee.post_form(url + "/draft", {"answer_1": "x" * 5001}).status_code == 400
    sent = mentee.post_form(url, {"answer_1": "nul\x00here \u0645\u0631\u062d\u0628\u0627\u200f "
                                              "\u202eevil\u202c", "answer_2": "", "answer_3": ""})
    assert sent.status_code == 303
    assert answers_of(relationship, "mentee")[0] == (
        "nulhere \u0645\u0631\u062d\u0628\u0627\u200f evil")


def test_nobody_but_its_person_reaches_an_evaluation(app, make):
    scheme = scheme_with(make)
    relationship = ended_pair(app, make, scheme)
    evaluation = evaluation_of(relationship, "mentee")
    url = f"/evaluations/{evaluation.id}"
    outsiders = [relationship.mentor, make.admin(scheme, email="admin@testborough.gov.uk"),
                 make.mentee(scheme, email="someone.else@testborough.gov.uk")]
    before = world()
    for person in outsiders:
        browser = client_for(app, person)
        for method, path in (("GET", url), ("POST", url), ("POST", url + "/draft")):
            response = browser.open(path, method=method,
                                    data={"csrf_token": browser.csrf_token(), "answer_1": "x"})
            assert response.status_code == 404, (person.email, method, path)
            assert relationship.mentee.full_name not in response.get_data(as_text=True)
    signed_out = client_for(app).get(url)
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.headers["Location"]
    assert world() == before


def test_the_dashboard_lists_evaluations_waiting_for_answers(app, make):
    relationship = ended_pair(app, make)
    mentee = client_for(app, relationship.mentee)
    url = f"/evaluations/{evaluation_of(relationship, 'mentee').id}"
    board = mentee.get("/dashboard").get_data(as_text=True)
    assert "Evaluations waiting for your answers" in board and f'href="{url}"' in board
    mentee.post_form(url, {"answer_1": "Good.", "answer_2": "", "answer_3": ""})
    assert "Evaluations waiting for your answers" not in mentee.get("/dashboard").get_data(
        as_text=True)


# --- reminders and the window --------------------------------------------------------------------

def test_one_reminder_a_week_later_to_whoever_has_not_answered(app, make, runner, mailbox):
    relationship = ended_pair(app, make)
    client_for(app, relationship.mentor).post_form(
        f"/evaluations/{evaluation_of(relationship, 'mentor').id}",
        {"answer_1": "Met.", "answer_2": ""})

    assert "evaluation reminders sent: 0" in remind(runner, T0 + dt.timedelta(days=6, hours=23))
    assert "evaluation reminders sent: 1" in remind(runner, T0 + dt.timedelta(days=7, hours=1))
    assert "evaluation reminders sent: 0" in remind(runner, T0 + dt.timedelta(days=8))
    assert mailbox.count(relationship.mentee.email, "evaluation_reminder") == 1
    assert mailbox.count(relationship.mentor.email, "evaluation_reminder") == 0
    reminder = mailbox.last(relationship.mentee.email, "evaluation_reminder")
    assert mailbox.link(reminder, "/evaluations/") == link(mailbox, relationship.mentee)


def test_two_runs_at_once_remind_each_person_once(app, make, mailbox, monkeypatch):
    relationship = ended_pair(app, make)
    hold_until_both_arrive(queries, "lock", monkeypatch)
    sweeps = run_twice_at_once(app, lambda: reminders.send_due(T0 + dt.timedelta(days=7, hours=1)))
    assert sum(sweep.reminded for sweep in sweeps) == 2
    assert mailbox.count(relationship.mentee.email, "evaluation_reminder") == 1
    assert mailbox.count(relationship.mentor.email, "evaluation_reminder") == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationReminder)) == 2


def test_an_evaluation_closes_after_the_packs_window(app, make, runner, mailbox):
    relationship = ended_pair(app, make, scheme_with(make, window_days=7))
    url = f"/evaluations/{evaluation_of(relationship, 'mentee').id}"
    with time_machine.travel(T0 + dt.timedelta(days=7, minutes=1), tick=False):
        mentee = client_for(app, relationship.mentee)
        page = mentee.get(url)
        assert page.status_code == 200
        assert "This evaluation has closed" in text(page) and "8 September 2026" in text(page)
        before = world()
        late = mentee.post_form(url, {"answer_1": "Late", "answer_2": "", "answer_3": ""})
        assert late.status_code == 409 and "closed on 8 September 2026" in text(late)
        assert mentee.post_form(url + "/draft", {"answer_1": "Late"}).status_code == 409
        assert "Evaluations waiting" not in mentee.get("/dashboard").get_data(as_text=True)
        assert world() == before
    # The window closed before the week was out: no reminder about it.
    assert "evaluation reminders sent: 0" in remind(runner, T0 + dt.timedelta(days=7, hours=1))
    assert mailbox.count(template="evaluation_reminder") == 0


# --- along the way, and after the end ------------------------------------------------------------

def test_the_review_date_opens_a_midpoint_evaluation_once_where_the_pack_asks(
        app, make, runner, mailbox, monkeypatch):
    review = dt.date(2026, 10, 5)
    asks = make.active_relationship(scheme_with(make, at_midpoint=True),
                                    start_date=dt.date(2026, 7, 6), review_date=review)
    quiet = make.active_relationship(scheme_with(make), start_date=dt.date(2026, 7, 6),
                                     review_date=review)
    on_review = dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC)

    assert "Evaluations opened: 0" in remind(runner, on_review - dt.timedelta(days=1))
    hold_until_both_arrive(reminders, "lock", monkeypatch)
    with time_machine.travel(on_review, tick=False):
        sweeps = run_twice_at_once(app, reminders.send_due)
    assert sum(sweep.opened for sweep in sweeps) == 2  # one for each person, once
    assert evaluation_of(asks, "mentor", EvaluationKind.MIDPOINT).questions == MENTOR_Q
    assert evaluation_of(quiet, "mentor", EvaluationKind.MIDPOINT) is None
    assert mailbox.count(asks.mentee.email, "evaluation_opened") == 1
    assert "review date" in mailbox.last(asks.mentee.email, "evaluation_opened").body_text
    assert "Evaluations opened: 0" in remind(runner, on_review + dt.timedelta(days=1))


def test_a_follow_up_evaluation_opens_the_packs_months_after_the_end(app, make, runner, mailbox):
    relationship = ended_pair(app, make, scheme_with(make, follow_up_months=6))
    assert "Evaluations opened: 0" in remind(runner, T0 + dt.timedelta(days=180))
    assert "Evaluations opened: 2" in remind(runner, dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC))
    assert "Evaluations opened: 0" in remind(runner, dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC))
    follow_up = evaluation_of(relationship, "mentee", EvaluationKind.FOLLOW_UP)
    assert follow_up.questions == MENTEE_Q
    assert mailbox.count(relationship.mentee.email, "evaluation_opened") == 2


# --- what administrators see ---------------------------------------------------------------------

def answered_pairs(app, make, scheme, count: int, first: int = 0) -> list:
    """``count`` pairs that ended, each mentee having answered (the mentors have not)."""
    pairs = []
    for n in range(first, first + count):
        relationship = ended_pair(app, make, scheme, mentee_name=f"Mentee Quillon{n}",
                                  mentor_name=f"Mentor Quillon{n}")
        client_for(app, relationship.mentee).post_form(
            f"/evaluations/{evaluation_of(relationship, 'mentee').id}",
            {"answer_1": f"Answer from mentee {n}", "answer_2": "", "answer_3": f"Yes {n}"})
        pairs.append(relationship)
    return pairs


def test_anonymous_answers_are_hidden_below_five_and_shown_without_names_at_five(app, make):
    scheme = scheme_with(make)
    admin = client_for(app, make.admin(scheme, email="admin@testborough.gov.uk"))
    url = f"/admin/schemes/{scheme.slug}/evaluations"
    answered_pairs(app, make, scheme, 4)

    page = text(admin.get(url))
    assert "Answer from mentee" not in page
    assert "shown once at least 5 mentees have answered" in page and "4 answered so far" in page
    assert re.search(r"At the end Mentees 4 4 100%", page)
    assert re.search(r"At the end Mentors 4 0 0%", page)

    answered_pairs(app, make, scheme, 1, first=4)
    response = admin.get(url)
    assert response.status_code == 200
    page = text(response)
    assert all(f"Answer from mentee {n}" in page for n in range(5))
    assert MENTEE_Q[0] in page
    assert "Quillon" not in page  # nobody's name, mentee or mentor
    # In a random order, not the order people answered in (or their names').
    orders = {tuple(re.findall(r"Answer from mentee (\d)", text(admin.get(url))))
              for _ in range(8)}
    assert len(orders) > 1


def test_answers_are_attributed_where_the_pack_says_they_are_not_anonymous(app, make):
    scheme = scheme_with(make, anonymous=False)
    admin = client_for(app, make.admin(scheme, email="admin@testborough.gov.uk"))
    answered_pairs(app, make, scheme, 2)
    page = text(admin.get(f"/admin/schemes/{scheme.slug}/evaluations"))
    assert "Answer from mentee 0 (Mentee Quillon0)" in page
    assert "Answer from mentee 1 (Mentee Quillon1)" in page


def test_the_evaluations_page_is_for_the_schemes_administrators_only(app, make):
    scheme, other = scheme_with(make), scheme_with(make)
    answered_pairs(app, make, scheme, 1)
    url = f"/admin/schemes/{scheme.slug}/evaluations"
    assert client_for(app, make.admin(other, email="other.admin@else.gov.uk")).get(
        url).status_code == 404
    assert client_for(app, make.mentee(scheme)).get(url).status_code == 403
    agreements = client_for(app, make.admin(scheme, email="admin@testborough.gov.uk")).get(
        f"/admin/schemes/{scheme.slug}/agreements").get_data(as_text=True)
    assert f'href="{url}"' in agreements
