"""The evaluation both people sign, where the pack says so (signed_together, as West Suffolk's
paper form): made when the second person sends their answers, signed by each through an emailed
link (or the portal) with the exact text hashed, the PDF with its audit page sent to both and to
the scheme's mailbox, checkable at /verify; either may take their answers back to change them
until both have signed, which cancels the version and its signatures."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
import time_machine

from portal.agreements import canonical
from portal.evaluations import reminders
from portal.evaluations.models import (
    Evaluation,
    EvaluationSignature,
    EvaluationSignoff,
    EvaluationSignReminder,
)
from portal.extensions import db
from portal.relationships import queries as relationship_queries
from tests.support.agreements import client_for, pdf_attachment, pdf_text
from tests.support.overlap import hold_until_both_arrive, post_at_once, run_twice_at_once

T0 = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
MENTOR_Q = ["Which needs did you agree at the start, and how were they met?",
            "What worked well in your partnership?"]
MENTEE_Q = ["Which needs did you and your mentor agree, and how were they met?",
            "What could have worked better?"]
FORM = {"mentor": MENTOR_Q, "mentee": MENTEE_Q, "window_days": 28, "anonymous": False,
        "at_midpoint": False, "follow_up_months": 0, "signed_together": True}
MENTOR_A = ["Confidence chairing meetings; we practised it\u00a0together.", ""]
MENTEE_A = ["Chairing\u200f meetings \u2014 met, mostly.\n\nAnd a second paragraph.",
            "More time between sessions."]


@pytest.fixture(autouse=True)
def _at_t0():
    with time_machine.travel(T0, tick=False):
        yield


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def ended_pair(app, make, **settings):
    scheme = make.scheme(evaluation_form={**FORM, **settings})
    relationship = make.active_relationship(scheme)
    done = client_for(app, relationship.mentee).post_form(
        f"/relationships/{relationship.id}/end", {"category": "", "reason": ""})
    assert done.status_code == 303, text(done)[:500]
    return relationship


def evaluation_of(relationship, party: str) -> Evaluation:
    db.session.expire_all()
    return db.session.scalar(sa.select(Evaluation).where(
        Evaluation.relationship_id == relationship.id, Evaluation.party == party))


def answer(app, person, evaluation: Evaluation, answers: list[str]):
    fields = {f"answer_{n}": given for n, given in enumerate(answers, 1)}
    return client_for(app, person).post_form(f"/evaluations/{evaluation.id}", fields)


def both_answered(app, relationship):
    for party, person, answers in (("mentor", relationship.mentor, MENTOR_A),
                                   ("mentee", relationship.mentee, MENTEE_A)):
        assert answer(app, person, evaluation_of(relationship, party), answers).status_code == 303


def signoffs(relationship) -> list[EvaluationSignoff]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EvaluationSignoff).where(
        EvaluationSignoff.relationship_id == relationship.id).order_by(EvaluationSignoff.number)))


def sign_link(mailbox, person) -> str:
    return mailbox.link(mailbox.last(person.email, "evaluation_sign"), "/evaluations/sign/")


def sign_fields(page, name: str, confirm: bool = True) -> dict:
    sha = re.search(r'name="sha256" type="hidden" value="([0-9a-f]{64})"',
                    page.get_data(as_text=True)).group(1)
    return {"full_name": name, "sha256": sha, **({"confirm": "y"} if confirm else {})}


def sign_by_link(app, mailbox, person, client=None):
    client = client or client_for(app)
    url = sign_link(mailbox, person)
    page = client.get(url)
    assert page.status_code == 200, text(page)[:500]
    return client.post_form(url, sign_fields(page, person.full_name)), url


def world() -> tuple:
    db.session.expire_all()
    rows = [(s.number, s.voided_at, s.signed_at, len(s.signatures)) for s in
            db.session.scalars(sa.select(EvaluationSignoff).order_by(EvaluationSignoff.id))]
    states = [(e.state, e.answers) for e in db.session.scalars(
        sa.select(Evaluation).order_by(Evaluation.id))]
    return rows, states


# --- the version both sign -------------------------------------------------------------------

def test_the_second_answers_make_one_version_and_email_both_a_link(app, make, mailbox):
    relationship = ended_pair(app, make)
    opened = mailbox.last(relationship.mentee.email, "evaluation_opened").body_text
    assert "sign it together" in opened

    mentor_eval = evaluation_of(relationship, "mentor")
    assert answer(app, relationship.mentor, mentor_eval, MENTOR_A).status_code == 303
    assert signoffs(relationship) == []
    waiting = text(client_for(app, relationship.mentor).get(f"/evaluations/{mentor_eval.id}"))
    assert f"When {relationship.mentee.full_name} has sent their answers" in waiting
    assert "Change my answers" in waiting

    mentee_eval = evaluation_of(relationship, "mentee")
    assert answer(app, relationship.mentee, mentee_eval, MENTEE_A).status_code == 303
    [signoff] = signoffs(relationship)
    assert re.fullmatch(r"EV-[0-9A-Z]{4}-[0-9A-Z]{4}", signoff.reference)
    assert signoff.number == 1 and signoff.sha256 == canonical.sha256(signoff.text)
    # Both sets of answers, exactly as the pack asked and as sent (pasted odd spaces tidied).
    for question in MENTOR_Q + MENTEE_Q:
        assert question in signoff.text
    assert "Confidence chairing meetings; we practised it together." in signoff.text
    assert "And a second paragraph." in signoff.text and "\u200f" not in signoff.text
    assert "No answer given." in signoff.text
    for person in (relationship.mentor, relationship.mentee):
        assert mailbox.count(person.email, "evaluation_sign") == 1
    page = client_for(app).get(sign_link(mailbox, relationship.mentee))
    shown = text(page)
    assert page.status_code == 200 and "Sign your mentoring evaluation" in shown
    assert "Confidence chairing meetings" in shown and "More time between sessions." in shown


def test_both_sign_by_link_and_the_pdf_goes_to_both_and_the_mailbox(app, make, mailbox):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    done, _ = sign_by_link(app, mailbox, relationship.mentor)
    assert done.status_code == 303 and done.headers["Location"].endswith("/done")
    assert mailbox.count(relationship.mentor.email, "evaluation_signed") == 0
    done, _ = sign_by_link(app, mailbox, relationship.mentee)
    assert done.status_code == 303

    [signoff] = signoffs(relationship)
    assert signoff.signed_at is not None and signoff.signed_by_both
    assert {s.via for s in signoff.signatures} == {"email link"}
    assert all(s.text_sha256 == signoff.sha256 for s in signoff.signatures)
    scheme = relationship.scheme
    to_mailbox = mailbox.last(scheme.admin_email, "evaluation_signed_admin")
    for message in (to_mailbox, mailbox.last(relationship.mentor.email, "evaluation_signed"),
                    mailbox.last(relationship.mentee.email, "evaluation_signed")):
        printed = " ".join(pdf_text(pdf_attachment(message)).split())
        assert signoff.reference in printed and signoff.sha256 in printed
        assert "Audit page" in printed and "Confidence chairing meetings" in printed
        assert "More time between sessions." in printed
    assert mailbox.count(scheme.admin_email, "evaluation_signed_admin") == 1

    # /verify: the reference as people type it, and the hash; anything else does not match.
    browser = client_for(app)
    ok = browser.get("/verify", query_string={
        "reference": signoff.reference.replace("-", "").lower(), "sha256": signoff.sha256})
    assert ok.status_code == 200 and "It matches" in text(ok) and "Evaluation" in text(ok)
    assert relationship.mentee.full_name not in text(ok)
    other = browser.get("/verify", query_string={
        "reference": signoff.reference, "sha256": canonical.sha256(signoff.text + " ")})
    assert "No match" in text(other)

    # The pair and the scheme's administrators download it; nobody else.
    pdf_url = f"/evaluations/signed/{signoff.reference}/pdf"
    for person in (relationship.mentor, relationship.mentee, make.admin(scheme)):
        got = client_for(app, person).get(pdf_url)
        assert got.status_code == 200 and got.data.startswith(b"%PDF")
    for outsider in (make.user(), make.admin(make.scheme())):
        assert client_for(app, outsider).get(pdf_url).status_code == 404
    results = text(client_for(app, make.admin(scheme)).get(
        f"/admin/schemes/{scheme.slug}/evaluations"))
    assert "Evaluations signed by both" in results and signoff.reference in results


def test_signing_in_the_portal_and_signing_twice(app, make, mailbox):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    mentee = client_for(app, relationship.mentee)
    url = f"/evaluations/{evaluation_of(relationship, 'mentee').id}/sign"
    page = mentee.get(url)
    assert page.status_code == 200
    fields = sign_fields(page, relationship.mentee.full_name)
    assert mentee.post_form(url, fields).status_code == 303
    again = mentee.get(url)
    assert "You have already signed" in text(again)
    before = world()
    assert mentee.post_form(url, fields).status_code == 303
    assert world() == before
    # The emailed link, once used, says so and changes nothing.
    assert client_for(app).get(sign_link(mailbox, relationship.mentee)).status_code == 410


@pytest.mark.parametrize("case", ["wrong name", "no confirm", "changed text"])
def test_a_bad_signature_is_refused_and_changes_nothing(app, make, mailbox, case):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    client = client_for(app)
    url = sign_link(mailbox, relationship.mentor)
    page = client.get(url)
    fields = sign_fields(page, relationship.mentor.full_name)
    if case == "wrong name":
        fields["full_name"] = "Someone Else"
    elif case == "no confirm":
        del fields["confirm"]
    else:
        fields["sha256"] = "0" * 64
    before = world()
    refused = client.post_form(url, fields)
    assert refused.status_code == (409 if case == "changed text" else 400)
    assert ("changed while you were reading" in text(refused) if case == "changed text"
            else "There is a problem" in text(refused))
    assert world() == before


# --- changing answers before both sign -----------------------------------------------------------

def test_changing_answers_cancels_the_version_and_a_new_one_is_signed(app, make, mailbox):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    sign_by_link(app, mailbox, relationship.mentor)
    old_link = sign_link(mailbox, relationship.mentee)
    mentee_eval = evaluation_of(relationship, "mentee")
    mentee = client_for(app, relationship.mentee)
    changed = mentee.post_form(f"/evaluations/{mentee_eval.id}/change", {})
    assert changed.status_code == 303
    form = mentee.get(f"/evaluations/{mentee_eval.id}")
    assert "More time between sessions." in form.get_data(as_text=True)  # starts from what was sent
    [first] = signoffs(relationship)
    assert first.voided_at is not None and first.signed_at is None
    told = mailbox.last(relationship.mentor.email, "evaluation_answers_changed").body_text
    assert "no longer counts" in told
    assert client_for(app).get(old_link).status_code == 410
    assert client_for(app).get(sign_link(mailbox, relationship.mentor)).status_code == 410

    assert answer(app, relationship.mentee, mentee_eval,
                  [MENTEE_A[0], "Nothing: it worked well."]).status_code == 303
    first, second = signoffs(relationship)
    assert second.number == 2 and second.reference == first.reference
    assert "Nothing: it worked well." in second.text and second.signatures == []
    for person in (relationship.mentor, relationship.mentee):
        assert mailbox.count(person.email, "evaluation_sign") == 2
        sign_by_link(app, mailbox, person)
    first, second = signoffs(relationship)
    assert second.signed_by_both and first.signed_at is None
    # Only the version both signed verifies.
    for signoff, verdict in ((first, "No match"), (second, "It matches")):
        page = client_for(app).get("/verify", query_string={"reference": signoff.reference,
                                                            "sha256": signoff.sha256})
        assert verdict in text(page)


def test_answers_cannot_be_changed_once_both_signed_or_after_the_window(app, make, mailbox):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    url = f"/evaluations/{evaluation_of(relationship, 'mentor').id}/change"
    with time_machine.travel(T0 + dt.timedelta(days=29), tick=False):
        before = world()
        late = client_for(app, relationship.mentor).post_form(url, {})
        assert late.status_code == 409 and "closed" in text(late)
        assert world() == before
    for person in (relationship.mentor, relationship.mentee):
        sign_by_link(app, mailbox, person)
    before = world()
    refused = client_for(app, relationship.mentor).post_form(url, {})
    assert refused.status_code == 409 and "both signed" in text(refused)
    assert world() == before


def test_without_signed_together_answers_stay_as_sent(app, make):
    relationship = ended_pair(app, make, signed_together=False)
    evaluation = evaluation_of(relationship, "mentor")
    answer(app, relationship.mentor, evaluation, MENTOR_A)
    answer(app, relationship.mentee, evaluation_of(relationship, "mentee"), MENTEE_A)
    assert signoffs(relationship) == []
    mentor = client_for(app, relationship.mentor)
    assert "Change my answers" not in text(mentor.get(f"/evaluations/{evaluation.id}"))
    before = world()
    refused = mentor.post_form(f"/evaluations/{evaluation.id}/change", {})
    assert refused.status_code == 409 and "cannot be changed" in text(refused)
    assert mentor.get(f"/evaluations/{evaluation.id}/sign").status_code == 404
    assert world() == before


# --- who may ---------------------------------------------------------------------------------

def test_only_the_evaluations_own_person_signs_or_changes_it(app, make, mailbox):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    mentee_eval = evaluation_of(relationship, "mentee")
    before = world()
    for someone in (relationship.mentor, make.user(), make.admin(relationship.scheme)):
        client = client_for(app, someone)
        assert client.get(f"/evaluations/{mentee_eval.id}/sign").status_code == 404
        assert client.post_form(f"/evaluations/{mentee_eval.id}/change", {}).status_code == 404
    # The mentee's emailed link, opened by the mentor signed in, is refused.
    mentor = client_for(app, relationship.mentor)
    assert mentor.get(sign_link(mailbox, relationship.mentee)).status_code == 403
    assert world() == before


# --- at the same moment ----------------------------------------------------------------------


def test_both_sending_answers_at_once_make_one_version(app, make, mailbox, monkeypatch):
    relationship = ended_pair(app, make)
    posts = []
    for party, person, answers in (("mentor", relationship.mentor, MENTOR_A),
                                   ("mentee", relationship.mentee, MENTEE_A)):
        client = client_for(app, person)
        fields = {f"answer_{n}": given for n, given in enumerate(answers, 1)}
        posts.append((client, f"/evaluations/{evaluation_of(relationship, party).id}",
                      {**fields, "csrf_token": client.csrf_token()}))
    hold_until_both_arrive(relationship_queries, "lock", monkeypatch)
    assert post_at_once(posts) == [303, 303]
    assert len(signoffs(relationship)) == 1
    assert mailbox.count(relationship.mentor.email, "evaluation_sign") == 1


def test_both_signing_at_once_send_the_pdf_once(app, make, mailbox, monkeypatch):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    posts = []
    for person in (relationship.mentor, relationship.mentee):
        client = client_for(app)
        url = sign_link(mailbox, person)
        fields = sign_fields(client.get(url), person.full_name)
        posts.append((client, url, {**fields, "csrf_token": client.csrf_token()}))
    hold_until_both_arrive(relationship_queries, "lock", monkeypatch)
    assert post_at_once(posts) == [303, 303]
    [signoff] = signoffs(relationship)
    assert signoff.signed_by_both
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationSignature)) == 2
    assert mailbox.count(relationship.scheme.admin_email, "evaluation_signed_admin") == 1
    assert mailbox.count(relationship.mentor.email, "evaluation_signed") == 1


def test_the_dashboard_asks_each_person_to_sign_until_they_have(app, make, mailbox):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    task = f"Sign the evaluation of your mentoring with {relationship.mentor.full_name}"
    mentee = client_for(app, relationship.mentee)
    assert task in text(mentee.get("/dashboard"))
    sign_by_link(app, mailbox, relationship.mentee)
    assert task not in text(mentee.get("/dashboard"))
    mentor_task = f"Sign the evaluation of your mentoring with {relationship.mentee.full_name}"
    assert mentor_task in text(client_for(app, relationship.mentor).get("/dashboard"))


# --- the one reminder to sign ----------------------------------------------------------------

def remind(runner, when: dt.datetime) -> str:
    with time_machine.travel(when, tick=False):
        result = runner.invoke(args=["evaluations", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def test_one_reminder_to_sign_a_week_later_to_whoever_has_not_signed(app, make, mailbox,
                                                                     runner):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    sign_by_link(app, mailbox, relationship.mentor)
    first_link = sign_link(mailbox, relationship.mentee)
    assert "we will remind you once" in mailbox.last(relationship.mentee.email,
                                                     "evaluation_sign").body_text
    assert "reminders to sign sent: 0" in remind(runner, T0 + dt.timedelta(days=6, hours=23))
    assert "reminders to sign sent: 1" in remind(runner, T0 + dt.timedelta(days=7, hours=1))
    assert "reminders to sign sent: 0" in remind(runner, T0 + dt.timedelta(days=8))
    assert mailbox.count(relationship.mentor.email, "evaluation_sign") == 1  # signed: none
    assert mailbox.count(relationship.mentee.email, "evaluation_sign") == 2
    reminder = mailbox.last(relationship.mentee.email, "evaluation_sign")
    assert reminder.subject.startswith("Reminder: ")
    assert "This is the only reminder we will send." in reminder.body_text
    # The reminder's own link signs, and the first one still works as well.
    assert sign_link(mailbox, relationship.mentee) != first_link
    with time_machine.travel(T0 + dt.timedelta(days=8), tick=False):
        signed, _ = sign_by_link(app, mailbox, relationship.mentee)
    assert signed.status_code == 303
    [signoff] = signoffs(relationship)
    assert signoff.signed_by_both
    assert "reminders to sign sent: 0" in remind(runner, T0 + dt.timedelta(days=30))


def test_a_changed_version_is_not_reminded_and_the_new_one_waits_its_own_week(
        app, make, mailbox, runner):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    mentee_eval = evaluation_of(relationship, "mentee")
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        assert client_for(app, relationship.mentee).post_form(
            f"/evaluations/{mentee_eval.id}/change", {}).status_code == 303
    # Version 1 is void and version 2 not made yet: nobody is asked to sign anything.
    assert "reminders to sign sent: 0" in remind(runner, T0 + dt.timedelta(days=7, hours=1))
    with time_machine.travel(T0 + dt.timedelta(days=4), tick=False):
        assert answer(app, relationship.mentee, mentee_eval, MENTEE_A).status_code == 303
    assert "reminders to sign sent: 0" in remind(runner, T0 + dt.timedelta(days=10, hours=23))
    assert "reminders to sign sent: 2" in remind(runner, T0 + dt.timedelta(days=11, hours=1))
    for person in (relationship.mentor, relationship.mentee):
        reminder = mailbox.last(person.email, "evaluation_sign")
        assert reminder.subject.startswith("Reminder: ") and "version 2" in reminder.body_text


def test_no_reminder_once_the_link_has_run_out(app, make, mailbox, runner):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    # The sweep did not run for a long while: a link that no longer works is not chased.
    assert "reminders to sign sent: 0" in remind(runner, T0 + dt.timedelta(days=45))
    assert mailbox.count(relationship.mentee.email, "evaluation_sign") == 1


def test_two_runs_at_once_remind_each_person_to_sign_once(app, make, mailbox, monkeypatch):
    relationship = ended_pair(app, make)
    both_answered(app, relationship)
    hold_until_both_arrive(reminders, "lock", monkeypatch)
    sweeps = run_twice_at_once(app, lambda: reminders.send_due(T0 + dt.timedelta(days=7, hours=1)))
    assert sum(sweep.reminded_to_sign for sweep in sweeps) == 2
    for person in (relationship.mentor, relationship.mentee):
        assert mailbox.count(person.email, "evaluation_sign") == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationSignReminder)) == 2
