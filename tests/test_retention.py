"""`flask retention apply`: with the clock moved forward, exactly what is past its period is
deleted or blanked, and nothing else; twice at once, once."""

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
import time_machine

from portal import config
from portal.agreements.canonical import sha256
from portal.agreements.models import Agreement, AgreementSignature, AgreementVersion
from portal.audit import AuditEvent
from portal.calls.models import ApprovalState, LineManagerApproval
from portal.db import utcnow
from portal.evaluations.models import EvaluationSignature, EvaluationSignoff, EvaluationSignReminder
from portal.extensions import db
from portal.mail.models import MessageState, OutboxAttachment, OutboxMessage
from portal.relationships.models import Relationship, RelationshipState
from portal.retention import applying, queries
from portal.tokens import EmailedLink, UsedToken
from tests.support.agreements import client_for, pair, pdf_text, signed_by_both
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once

T0 = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _at_t0():
    with time_machine.travel(T0, tick=False):
        yield


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def apply(runner, at: dt.datetime) -> str:
    with time_machine.travel(at, tick=False):
        result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    return result.output


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# --- builders: the state a test starts from ------------------------------------------------

def signed_pair(app, make, mailbox, scheme, n: int):
    """A pair whose agreement both signed by emailed link (through the pages)."""
    relationship, agreement = pair(make, scheme, mentor_email=f"mentor{n}@testborough.gov.uk",
                                   mentee_email=f"mentee{n}@testborough.gov.uk")
    signed_by_both(app, mailbox, agreement)
    return relationship, db.session.get(Agreement, agreement.id)


def ended(relationship, at: dt.datetime) -> None:
    db.session.expire_all()
    row = db.session.get(Relationship, relationship.id)
    row.state, row.ended_at = RelationshipState.ENDED, at
    db.session.commit()


def signed_evaluation(relationship, n: int) -> EvaluationSignoff:
    """The evaluation both people signed, as the evaluations area records it."""
    body = f"Evaluation of pair {n}"
    signoff = EvaluationSignoff(reference=f"EV-TEST-000{n}", relationship_id=relationship.id,
                                scheme_id=relationship.scheme_id, text=body, sha256=sha256(body),
                                signed_at=utcnow(), snapshot={"parties": {
                                    party: {"name": person.full_name}
                                    for party, person in (("mentor", relationship.mentor),
                                                          ("mentee", relationship.mentee))}})
    signoff.signatures = [EvaluationSignature(user_id=person.id, party=party,
                                              typed_name=person.full_name, ip_address="192.0.2.7",
                                              user_agent="Firefox", text_sha256=sha256(body),
                                              via="email link")
                          for party, person in (("mentor", relationship.mentor),
                                                ("mentee", relationship.mentee))]
    db.session.add(signoff)
    db.session.add(AuditEvent(subject_type="evaluation_signoff", subject_id=0, action="signed"))
    db.session.flush()
    db.session.add(EvaluationSignReminder(signoff_id=signoff.id, party="mentee"))
    db.session.add(AuditEvent(subject_type="evaluation_signoff", subject_id=signoff.id,
                              action="signed", ip_address="192.0.2.7"))
    db.session.commit()
    return signoff


def verifies(app, reference: str, digest: str) -> bool:
    answer = text(client_for(app).get("/verify", query_string={"reference": reference,
                                                               "sha256": digest}))
    assert "It matches" in answer or "No match" in answer
    return "It matches" in answer


# --- signed agreements and evaluations ------------------------------------------------------

def test_signed_records_go_their_schemes_years_after_the_end_and_nothing_else(
        app, make, mailbox, runner):
    scheme = make.scheme(retention_years=2)
    longer = make.scheme(retention_years=6)
    due, due_agreement = signed_pair(app, make, mailbox, scheme, 1)
    later, later_agreement = signed_pair(app, make, mailbox, scheme, 2)
    running, running_agreement = signed_pair(app, make, mailbox, scheme, 3)
    kept_longer, longer_agreement = signed_pair(app, make, mailbox, longer, 4)
    ended(due, T0)
    ended(later, T0 + 300 * DAY)
    ended(kept_longer, T0)
    due_signoff, later_signoff = signed_evaluation(due, 1), signed_evaluation(later, 2)
    due_id, due_signoff_id = due_agreement.id, due_signoff.id
    due_reference, due_signoff_reference = due_agreement.reference, due_signoff.reference
    due_signoff_hash = due_signoff.sha256
    hashes = {a.id: a.signed_version.sha256 for a in
              (due_agreement, later_agreement, running_agreement, longer_agreement)}
    about_later = count(AuditEvent, AuditEvent.subject_type == "agreement",
                        AuditEvent.subject_id == later_agreement.id)
    assert about_later > 0

    # A day before the period ends, nothing goes.
    before = apply(runner, T0 + 2 * 365 * DAY - DAY)
    assert "Signed agreements deleted: 0" in before and "signed evaluations deleted: 0" in before
    assert verifies(app, due_reference, hashes[due_id])
    assert verifies(app, due_signoff_reference, due_signoff_hash)

    run_at = T0 + 732 * DAY  # two years (2028 has 29 February) and a day
    output = apply(runner, run_at)
    assert "Signed agreements deleted: 1 (1 versions, 2 signatures)" in output
    assert "signed evaluations deleted: 1 (2 signatures)" in output
    # The pair's agreement, its versions and signatures, and the audit trail about them: gone.
    assert count(Agreement, Agreement.id == due_id) == 0
    assert count(AgreementVersion, AgreementVersion.agreement_id == due_id) == 0
    assert count(AuditEvent, AuditEvent.subject_type == "agreement",
                 AuditEvent.subject_id == due_id) == 0
    assert count(EvaluationSignoff, EvaluationSignoff.id == due_signoff_id) == 0
    assert count(EvaluationSignReminder,
                 EvaluationSignReminder.signoff_id == due_signoff_id) == 0
    assert count(AuditEvent, AuditEvent.subject_type == "evaluation_signoff",
                 AuditEvent.subject_id == due_signoff_id) == 0
    assert not verifies(app, due_reference, hashes[due_id])
    assert not verifies(app, due_signoff_reference, due_signoff_hash)
    # Ended later, still running, or in a scheme that keeps them longer: untouched.
    for agreement in (later_agreement, running_agreement, longer_agreement):
        assert verifies(app, agreement.reference, hashes[agreement.id])
    assert verifies(app, later_signoff.reference, later_signoff.sha256)
    assert count(AuditEvent, AuditEvent.subject_type == "agreement",
                 AuditEvent.subject_id == later_agreement.id) == about_later
    assert count(AuditEvent, AuditEvent.subject_type == "evaluation_signoff",
                 AuditEvent.subject_id == 0) == 2  # events about other records stay
    # The relationship itself stays, and its page still opens for the pair.
    assert count(Relationship, Relationship.id == due.id) == 1
    with time_machine.travel(run_at, tick=False):
        page = client_for(app, due.mentee).get(f"/relationships/{due.id}")
        assert page.status_code == 200, text(page)[:300]
        assert client_for(app, later.mentor).get(f"/relationships/{later.id}").status_code == 200
        # Nor does any page that lists the pair's records fail for want of an agreement.
        for person in (due.mentee, due.mentor):
            assert client_for(app, person).get("/dashboard").status_code == 200
        desk = client_for(app, make.admin(scheme))
        for page in ("agreements", "people", "reports", "evaluations"):
            assert desk.get(f"/admin/schemes/{scheme.slug}/{page}").status_code == 200, page
        assert desk.get(f"/admin/agreements/{due_reference}").status_code == 404

    # The run's audit event holds counts, never content.
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_type == "retention").order_by(AuditEvent.id.desc())).first()
    assert event.action == "applied" and event.detail["agreements"] == 1
    assert event.detail["signed_evaluations"] == 1 and event.ip_address is None
    assert all(isinstance(value, int) for value in event.detail.values())

    again = apply(runner, run_at)
    assert "Signed agreements deleted: 0" in again and "signed evaluations deleted: 0" in again


# --- IP addresses and browser strings ---------------------------------------------------------

def approval(make, scheme, decided_at) -> LineManagerApproval:
    mentee = make.mentee(scheme)
    row = LineManagerApproval(scheme_id=scheme.id, mentee_id=mentee.id, manager_name="Manager",
                              manager_email="manager@testborough.gov.uk",
                              state=ApprovalState.APPROVED, decided_at=decided_at,
                              decided_ip="198.51.100.4")
    db.session.add(row)
    db.session.commit()
    return row


def test_addresses_and_browsers_are_blanked_after_the_setting_and_the_rows_stay(
        app, make, mailbox, runner):
    app.config["IP_RETENTION_MONTHS"] = 3
    scheme = make.scheme()
    relationship, agreement = signed_pair(app, make, mailbox, scheme, 1)
    signed_evaluation(relationship, 1)
    answered = approval(make, scheme, T0)
    with time_machine.travel(T0 + 60 * DAY, tick=False):
        _, newer = signed_pair(app, make, mailbox, scheme, 2)
        recent = approval(make, scheme, utcnow())
    old_events = count(AuditEvent, AuditEvent.ip_address.is_not(None), AuditEvent.at <= T0)
    new_events = count(AuditEvent, AuditEvent.ip_address.is_not(None), AuditEvent.at > T0)
    assert old_events > 0 and new_events > 0
    signatures = count(AgreementSignature)
    assert {s.ip_address for s in agreement.signed_version.signatures} == {"127.0.0.1"}

    before = apply(runner, T0 + 91 * DAY - dt.timedelta(hours=12))
    assert "audit events 0, agreement signatures 0, evaluation signatures 0, line manager " \
           "answers 0" in before

    output = apply(runner, T0 + 92 * DAY)
    assert (f"audit events {old_events}, agreement signatures 2, evaluation signatures 2, "
            "line manager answers 1") in output
    db.session.expire_all()
    old = db.session.get(Agreement, agreement.id).signed_version.signatures
    assert [(s.ip_address, s.user_agent) for s in old] == [("", ""), ("", "")]
    assert all(s.typed_name and s.signed_at for s in old)  # the signature itself stays
    assert all(s.ip_address for s in db.session.get(Agreement, newer.id).signed_version.signatures)
    assert count(AgreementSignature) == signatures
    assert count(EvaluationSignature, EvaluationSignature.ip_address != "") == 0
    assert db.session.get(LineManagerApproval, answered.id).decided_ip is None
    assert db.session.get(LineManagerApproval, recent.id).decided_ip == "198.51.100.4"
    assert count(AuditEvent, AuditEvent.ip_address.is_not(None), AuditEvent.at <= T0) == 0
    assert count(AuditEvent, AuditEvent.ip_address.is_not(None), AuditEvent.at > T0) == new_events
    # The agreement still verifies, and its PDF says the address is no longer kept.
    assert verifies(app, agreement.reference, agreement.signed_version.sha256)
    with time_machine.travel(T0 + 92 * DAY, tick=False):
        pdf = client_for(app, agreement.mentee).get(f"/agreements/{agreement.reference}/pdf")
    assert pdf.status_code == 200 and "no longer kept" in pdf_text(pdf.data)
    assert "192.0.2" not in pdf_text(pdf.data) and "127.0.0.1" not in pdf_text(pdf.data)

    assert "audit events 0, agreement signatures 0" in apply(runner, T0 + 92 * DAY)


def test_the_periods_must_be_whole_months(tmp_path):
    with pytest.raises(config.ConfigError) as error:
        config.load(tmp_path, {"PORTAL_ENV": "development", "IP_RETENTION_MONTHS": "0",
                               "INACTIVE_ACCOUNT_MONTHS": "two years"})
    assert "INACTIVE_ACCOUNT_MONTHS must be a whole number" in str(error.value)
    with pytest.raises(config.ConfigError) as error:
        config.load(tmp_path, {"PORTAL_ENV": "development", "IP_RETENTION_MONTHS": "0"})
    assert "IP_RETENTION_MONTHS must be at least 1" in str(error.value)


# --- sent emails -------------------------------------------------------------------------------

def test_sent_email_bodies_and_attachments_go_after_30_days(app, make, mailbox, runner,
                                                            monkeypatch):
    monkeypatch.setattr(applying, "BATCH", 2)  # several batches, each its own transaction
    _, agreement = signed_pair(app, make, mailbox, make.scheme(), 1)
    sent = mailbox.all()
    assert sent and all(m.state == MessageState.SENT for m in sent)
    with_pdf = [m for m in sent if m.attachments]
    assert with_pdf
    dead = OutboxMessage(message_id="<dead@portal.local>", template="sign_in",
                         to_address="gone@testborough.gov.uk", subject="Sign in",
                         body_text="A link", body_html="<p>A link</p>", state=MessageState.DEAD)
    db.session.add(dead)
    db.session.commit()
    attachments = sum(len(m.attachments) for m in with_pdf)
    headers = {m.id: (m.subject, m.to_address, m.template, m.state, m.sent_at, m.message_id)
               for m in sent}

    assert "Sent email bodies emptied: 0; attachments deleted: 0" in apply(
        runner, T0 + 30 * DAY - dt.timedelta(minutes=1))
    with time_machine.travel(T0 + 10 * DAY, tick=False):
        newer = client_for(app).post_form("/sign-in", {"email": agreement.mentee.email})
        assert newer.status_code in (200, 303)
    output = apply(runner, T0 + 30 * DAY + dt.timedelta(minutes=1))
    assert f"Sent email bodies emptied: {len(sent)}; attachments deleted: {attachments}" in output
    for message in mailbox.all():
        if message.id in headers:
            assert (message.body_text, message.body_html, message.attachments) == ("", "", [])
            assert headers[message.id] == (message.subject, message.to_address, message.template,
                                           message.state, message.sent_at, message.message_id)
        else:  # the dead letter, and the email sent ten days later
            assert message.body_text
    assert count(OutboxAttachment) == 0
    assert "Sent email bodies emptied: 0" in apply(runner, T0 + 30 * DAY + dt.timedelta(minutes=1))


# --- emailed links -----------------------------------------------------------------------------

def test_link_records_go_once_no_link_could_use_them(app, make, mailbox, runner):
    signed_pair(app, make, mailbox, make.scheme(), 1)
    person = make.user()
    client_for(app).post_form("/sign-in", {"email": person.email})
    db.session.add_all([UsedToken(nonce="a" * 43, purpose="sign-in", used_at=T0),
                        UsedToken(nonce="b" * 43, purpose="sign-agreement", used_at=T0)])
    db.session.commit()
    signing = count(EmailedLink, EmailedLink.purpose == "sign-agreement")
    assert count(EmailedLink, EmailedLink.purpose == "sign-in") == 1 and signing == 2

    assert "Emailed link records deleted: 0" in apply(runner, T0 + dt.timedelta(minutes=14))
    output = apply(runner, T0 + dt.timedelta(minutes=16))  # SIGN_IN_LINK_MINUTES is 15
    assert "Emailed link records deleted: 1; used links of the earlier format deleted: 1" in output
    assert count(EmailedLink, EmailedLink.purpose == "sign-in") == 0
    assert count(EmailedLink, EmailedLink.purpose == "sign-agreement") == signing
    assert count(UsedToken, UsedToken.purpose == "sign-agreement") == 1

    apply(runner, T0 + 31 * DAY)  # a signing link lives 30 days
    assert count(EmailedLink, EmailedLink.purpose == "sign-agreement") == 0
    assert count(UsedToken) == 0


# --- accounts nobody uses ----------------------------------------------------------------------

def test_an_unused_account_is_warned_then_deleted_unless_used_again(
        app, make, mailbox, runner):
    quiet = make.user(name="Quiet Person")
    returns = make.user(name="Comes Back")
    signed_in = make.user()
    acted = make.user()
    staff = make.admin(make.scheme(), email="quiet.admin@testborough.gov.uk")
    with time_machine.travel(T0 + 300 * DAY, tick=False):
        db.session.get(type(signed_in), signed_in.id).last_signed_in_at = utcnow()
        db.session.add(AuditEvent(subject_type="shortlist", subject_id=1, action="added",
                                  actor_id=acted.id))
        db.session.commit()
    two_years = T0 + 732 * DAY  # past 24 months: 2028 has 29 February
    User = type(quiet)

    assert "Inactive accounts warned: 0; deleted: 0" in apply(runner, two_years - 2 * DAY)
    assert "Inactive accounts warned: 3; deleted: 0" in apply(runner, two_years)
    warning = mailbox.last(quiet.email, "inactive_account")
    assert "since 1 September 2026" in warning.body_text and "24 months" in warning.body_text
    assert "deleted on or after" in warning.body_text
    assert mailbox.link(warning, "/sign-in")
    assert mailbox.count(signed_in.email) == 0 and mailbox.count(acted.email) == 0
    assert "Inactive accounts warned: 0; deleted: 0" in apply(runner, two_years + 20 * DAY)

    # One comes back within the 30 days; the other does not, and goes; staff are kept.
    with time_machine.travel(two_years + 10 * DAY, tick=False):
        db.session.get(User, returns.id).last_signed_in_at = utcnow()
        db.session.commit()
    quiet_email = quiet.email
    assert "Inactive accounts warned: 0; deleted: 1" in apply(runner, two_years + 31 * DAY)
    db.session.expire_all()
    assert db.session.get(User, quiet.id).erased_at is not None
    assert db.session.get(User, returns.id).erased_at is None
    assert db.session.get(User, staff.id).erased_at is None
    assert mailbox.all(quiet_email) == []  # its emails went with it, the warning too
    assert "Inactive accounts warned: 0; deleted: 0" in apply(runner, two_years + 60 * DAY)

    # Back, then quiet again for the period: a second warning (and by then the two who were
    # active in the first year have been quiet for the period too; staff were warned already).
    assert "Inactive accounts warned: 3" in apply(runner, two_years + 10 * DAY + 732 * DAY)
    assert mailbox.count(returns.email, "inactive_account") == 2
    assert mailbox.count(staff.email, "inactive_account") == 1


# --- two runs at once --------------------------------------------------------------------------

def test_two_runs_at_once_destroy_and_warn_once(app, make, mailbox, monkeypatch):
    scheme = make.scheme(retention_years=1)
    due, agreement = signed_pair(app, make, mailbox, scheme, 1)
    ended(due, T0)
    quiet = make.user()
    emails = len(mailbox.all())
    links = count(EmailedLink)
    hold_until_both_arrive(queries, "claim", monkeypatch)
    hold_until_both_arrive(queries, "lock_user", monkeypatch)
    with time_machine.travel(T0 + 800 * DAY, tick=False):
        tallies = run_twice_at_once(app, applying.apply)
    db.session.rollback()  # read what the two runs committed, not this session's snapshot
    assert sum(t.agreements for t in tallies) == 1
    assert sum(t.agreement_signatures for t in tallies) == 2
    assert sum(t.email_bodies for t in tallies) == emails
    assert sum(t.emailed_links for t in tallies) == links
    # Everyone is past 24 months without activity: the pair and the quiet person.
    assert sum(t.inactive_warned for t in tallies) == 3
    assert mailbox.count(quiet.email, "inactive_account") == 1
    assert mailbox.count(due.mentee.email, "inactive_account") == 1
    assert count(Agreement) == 0
    assert count(AuditEvent, AuditEvent.subject_type == "retention") == 2


def test_two_runs_at_once_delete_an_unused_account_once(app, make, mailbox, runner,
                                                        monkeypatch):
    from portal.personal_data import erasure

    quiet = make.user(name="Quiet Person")
    two_years = T0 + 732 * DAY
    apply(runner, two_years)
    quiet_email = quiet.email
    hold_until_both_arrive(erasure, "erase", monkeypatch)
    with time_machine.travel(two_years + 31 * DAY, tick=False):
        tallies = run_twice_at_once(app, applying.apply)
    db.session.rollback()
    assert sum(t.inactive_deleted for t in tallies) == 1
    assert mailbox.all(quiet_email) == []
    assert count(AuditEvent, AuditEvent.action == "erased") == 1
