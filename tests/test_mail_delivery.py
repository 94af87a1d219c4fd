"""Email delivery against a real SMTP server on loopback: what arrives, and what happens when
the server is down, refuses a message, or the worker dies half way through a batch."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import signal
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from portal import mail
from portal.audit import AuditEvent
from portal.db import utcnow
from portal.extensions import db
from portal.mail import delivery
from portal.mail import worker as mail_worker
from portal.mail.models import MessageState, OutboxAttachment, OutboxMessage
from tests.support.mail import outbox, worker_process
from tests.support.mail_sink import SMTPSink

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sink(app, request):
    """The SMTP server on loopback. It offers PIPELINING, which the worker uses where offered;
    tests marked ``with_and_without_pipelining`` run against both kinds of server."""
    server = SMTPSink(pipelining=getattr(request, "param", "pipelining") == "pipelining").start()
    app.config.update(server.config())
    yield server
    server.stop()


with_and_without_pipelining = pytest.mark.parametrize(
    "sink", ["pipelining", "one command at a time"], indirect=True)


def queue_messages(app, count: int, *, scheme=None, prefix: str = "person") -> list[OutboxMessage]:
    """Queue ``count`` emails in one transaction, leaving them for the worker."""
    app.config["MAIL_DELIVERY"] = "worker"
    messages = [mail.queue(f"{prefix}{n}@testborough.gov.uk", "no_account", scheme=scheme,
                           email=f"{prefix}{n}@testborough.gov.uk") for n in range(count)]
    db.session.commit()
    return messages


@with_and_without_pipelining
def test_sign_in_link_is_delivered_once_with_text_html_and_stable_message_id(
        app, client, make, sink, runner):
    make.user(email="ada@testborough.gov.uk", name="Ada Lovelace")

    response = client.post_form("/sign-in", {"email": "ada@testborough.gov.uk"})

    assert response.status_code == 303
    assert sink.count() == 1
    received = sink.messages[0]
    [queued] = outbox()
    assert queued.state == MessageState.SENT and queued.attempts == 1
    assert received["Message-ID"] == queued.message_id
    assert received["To"] == "ada@testborough.gov.uk"
    assert received["Subject"] == "Your sign-in link for the mentoring portal"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "Hello Ada Lovelace" in text and "/sign-in/" in text
    assert '<a href="http://portal.test/sign-in/' in html
    assert sink.envelopes[0] == ("no-reply@localhost", ["ada@testborough.gov.uk"])

    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert sink.count() == 1  # delivered once: nothing left to send


def test_scheme_email_has_the_scheme_reply_to_and_its_attachments(app, make, sink, runner):
    scheme = make.scheme(reply_to="mentoring@testborough.gov.uk")
    other = make.scheme(admin_email="scheme-team@testborough.gov.uk")
    app.config["MAIL_DELIVERY"] = "worker"
    mail.queue("grace@testborough.gov.uk", "no_account", scheme=scheme,
               email="grace@testborough.gov.uk",
               attachments=[mail.Attachment("invite.ics", "text/calendar", b"BEGIN:VCALENDAR")])
    mail.queue("alan@testborough.gov.uk", "no_account", scheme=other,
               email="alan@testborough.gov.uk")
    db.session.commit()

    assert runner.invoke(args=["mail", "deliver"]).exit_code == 0

    with_reply_to, with_admin_mailbox = sink.messages
    assert with_reply_to["Reply-To"] == "mentoring@testborough.gov.uk"
    assert with_admin_mailbox["Reply-To"] == "scheme-team@testborough.gov.uk"
    [attachment] = list(with_reply_to.iter_attachments())
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_content() in ("BEGIN:VCALENDAR", b"BEGIN:VCALENDAR")
    assert with_reply_to.get_body(preferencelist=("plain",)) is not None


@with_and_without_pipelining
def test_non_ascii_text_long_lines_and_leading_dots_arrive_intact(app, sink, runner):
    app.config["MAIL_DEFAULT_SENDER"] = "Mentoring – Testborough <mentoring@testborough.gov.uk>"
    [message] = queue_messages(app, 1)
    body = ("Dear Zoë,\n.\n..a line that starts with dots\n" + "long words " * 120 + "\n"
            "Café at 2pm – bring your action plan.\n")
    message.subject = "Your mentor’s reply – next steps for Zoë " + "and more " * 20
    message.body_text = body
    message.body_html = "<p>Café ✓</p>"
    message.attachments.append(OutboxAttachment(filename="Résumé notes.txt",
                                                content_type="text/plain",
                                                data="naïve\r\n".encode()))
    db.session.commit()

    assert runner.invoke(args=["mail", "deliver"]).exit_code == 0

    [received] = sink.messages
    assert received["Subject"] == message.subject
    assert received["From"].addresses[0].display_name == "Mentoring – Testborough"
    assert received.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n") == body
    assert received.get_body(preferencelist=("html",)).get_content().strip() == "<p>Café ✓</p>"
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "Résumé notes.txt"
    assert attachment.get_payload(decode=True) == "naïve\r\n".encode()
    assert max(len(line) for line in sink.raw[0].split(b"\r\n")) <= 78  # RFC 5322 line length


NAMES = {
    "Greek": "Αλέξανδρος Παπαδόπουλος",
    "Polish": "Zażółć Gęślą",
    "Irish": "Seán Ó Ceallaigh",
    "Chinese": "王秀英",
}


@pytest.mark.parametrize("language", NAMES)
def test_names_in_any_language_come_through_in_from_to_and_subject(app, sink, runner, language):
    name = NAMES[language]
    app.config["MAIL_DEFAULT_SENDER"] = f"{name} <mentoring@testborough.gov.uk>"
    [message] = queue_messages(app, 1)
    message.to_address = f"{name} <mentee@testborough.gov.uk>"
    message.subject = f"{name} has sent you a message"
    db.session.commit()

    assert runner.invoke(args=["mail", "deliver"]).exit_code == 0

    [raw] = sink.raw
    assert raw.isascii()  # encoded words (RFC 2047): no relay needs SMTPUTF8 or 8BITMIME
    received = email.message_from_bytes(raw, policy=email.policy.default)
    [sender] = received["From"].addresses
    [recipient] = received["To"].addresses
    assert (sender.display_name, sender.addr_spec) == (name, "mentoring@testborough.gov.uk")
    assert (recipient.display_name, recipient.addr_spec) == (name, "mentee@testborough.gov.uk")
    assert received["Subject"] == f"{name} has sent you a message"
    assert sink.envelopes == [("mentoring@testborough.gov.uk", ["mentee@testborough.gov.uk"])]
    assert outbox()[0].state == MessageState.SENT


def test_server_down_keeps_the_change_and_the_message_waits_until_it_returns(
        app, client, make, sink, runner):
    sink.stop()
    user = make.user(email="wait@testborough.gov.uk")

    response = client.post_form("/sign-in", {"email": user.email})

    assert response.status_code == 303  # the person is told to check their email
    [waiting] = outbox()
    assert waiting.state == MessageState.QUEUED
    assert waiting.attempts == 0  # an unreachable server is not the message's fault
    assert "cannot reach the mail server" in waiting.last_error
    assert waiting.claimed_until is None

    failed = runner.invoke(args=["mail", "deliver"])
    assert failed.exit_code == 1
    assert "wait in the outbox" in failed.output
    assert outbox(MessageState.QUEUED) == [waiting]

    sink.start()
    # For a while after a failure, requests do not wait on the server again: the worker or
    # `flask mail deliver` sends what is waiting.
    client.post_form("/sign-in", {"email": user.email})
    assert sink.count() == 0
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    assert sorted(sink.message_ids.values()) == [1, 1]
    assert {m.state for m in outbox()} == {MessageState.SENT}


def test_a_change_and_its_email_commit_together_when_the_server_is_down(app, make, sink):
    sink.stop()
    app.config["MAIL_DELIVERY"] = "inline"
    user = make.user(email="kept@testborough.gov.uk", name="Before")

    user.full_name = "After"
    mail.queue(user.email, "no_account", email=user.email)
    db.session.commit()  # inline delivery fails after the commit, and is not an error

    db.session.rollback()
    assert user.full_name == "After"
    assert [m.state for m in outbox()] == [MessageState.QUEUED]


@with_and_without_pipelining
def test_temporary_refusal_is_tried_again_later_with_backoff(app, sink, runner):
    [message] = queue_messages(app, 1)
    sink.data_reply = "451 4.3.0 Mailbox busy, try again later"
    start = utcnow()

    with time_machine.travel(start, tick=False):
        assert runner.invoke(args=["mail", "deliver"]).exit_code == 0
        [waiting] = outbox()
        assert waiting.state == MessageState.QUEUED and waiting.attempts == 1
        assert waiting.last_error.startswith("451 4.3.0 Mailbox busy")
        wait = waiting.next_attempt_at - start
        assert dt.timedelta(seconds=15) <= wait <= dt.timedelta(seconds=30)
        runner.invoke(args=["mail", "deliver"])  # not due yet: not tried
        assert outbox()[0].attempts == 1

    sink.data_reply = None
    with time_machine.travel(start + dt.timedelta(seconds=31), tick=False):
        assert runner.invoke(args=["mail", "deliver"]).exit_code == 0
    [sent] = outbox()
    assert sent.state == MessageState.SENT and sent.attempts == 2 and sent.last_error is None
    assert sink.message_ids == {message.message_id: 1}


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    for attempts, ceiling in ((1, 30), (2, 60), (3, 120), (6, 960), (30, 6 * 3600)):
        waits = {delivery.backoff(attempts).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 1  # jitter: retries that failed together spread out


def test_message_out_of_attempts_becomes_a_dead_letter(app, sink, runner):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    queue_messages(app, 1)
    sink.data_reply = "451 4.3.0 Mailbox busy, try again later"
    start = utcnow()
    for minutes in (0, 5):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            runner.invoke(args=["mail", "deliver"])
    [dead] = outbox()
    assert dead.state == MessageState.DEAD and dead.attempts == 2
    listing = runner.invoke(args=["mail", "dead"])
    assert "could not be delivered after 2 tries" in listing.output
    assert "451 4.3.0" in listing.output


@with_and_without_pipelining
def test_permanent_refusal_becomes_a_dead_letter_that_can_be_sent_again(app, sink, runner):
    good, refused = queue_messages(app, 2)
    sink.refuse_recipient[refused.to_address] = "550 5.1.1 No such mailbox here"

    result = runner.invoke(args=["mail", "deliver"])

    assert result.exit_code == 0 and "1 sent" in result.output and "1 dead" in result.output
    db.session.rollback()
    assert (good.state, refused.state) == (MessageState.SENT, MessageState.DEAD)
    assert refused.attempts == 1  # a 5xx is not tried again
    assert refused.last_error == "550 5.1.1 No such mailbox here"
    listing = runner.invoke(args=["mail", "dead"]).output
    assert f"{refused.id}\t" in listing and refused.to_address in listing
    assert "refused it" in listing and "550 5.1.1 No such mailbox here" in listing

    del sink.refuse_recipient[refused.to_address]
    resent = runner.invoke(args=["mail", "resend", str(refused.id)])
    assert resent.exit_code == 0, resent.output
    assert runner.invoke(args=["mail", "deliver"]).exit_code == 0
    db.session.rollback()
    assert refused.state == MessageState.SENT
    assert sink.message_ids == {good.message_id: 1, refused.message_id: 1}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "resent"))
    assert (event.subject_id, event.actor_id) == (refused.id, None)
    assert event.detail["reason"] == "550 5.1.1 No such mailbox here"


def test_resend_refuses_a_message_that_is_not_a_dead_letter(app, sink, runner):
    [message] = queue_messages(app, 1)
    result = runner.invoke(args=["mail", "resend", str(message.id)])
    assert result.exit_code == 1
    assert "already waiting to be sent" in result.output
    assert runner.invoke(args=["mail", "resend", "999"]).exit_code == 1
    assert runner.invoke(args=["mail", "resend"]).exit_code == 2  # an ID or --all-dead
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_resend_all_dead(app, sink, runner):
    messages = queue_messages(app, 3)
    for message in messages:
        sink.refuse_recipient[message.to_address] = "554 5.7.1 Rejected"
    runner.invoke(args=["mail", "deliver"])
    assert len(outbox(MessageState.DEAD)) == 3
    sink.refuse_recipient.clear()

    result = runner.invoke(args=["mail", "resend", "--all-dead"])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["mail", "deliver"])
    assert len(outbox(MessageState.SENT)) == 3
    assert runner.invoke(args=["mail", "dead"]).output.strip() == "There are no dead letters."


def test_a_message_that_cannot_be_built_becomes_a_dead_letter_without_stopping_the_rest(
        app, sink, runner):
    broken, fine = queue_messages(app, 2)
    broken.subject = "Line one\r\nBcc: everyone@testborough.gov.uk"  # header injection
    db.session.commit()

    assert runner.invoke(args=["mail", "deliver"]).exit_code == 0

    db.session.rollback()
    assert broken.state == MessageState.DEAD
    assert broken.last_error.startswith("the message could not be built")
    assert fine.state == MessageState.SENT
    assert sink.message_ids == {fine.message_id: 1}


def test_worker_sends_each_batch_over_one_connection(app, sink, runner):
    queue_messages(app, 5)
    result = runner.invoke(args=["mail", "worker", "--once", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "5 sent" in result.output
    assert sink.count() == 5
    assert sink.connections == 3


def test_crash_after_sending_before_marking_sends_again_with_the_same_message_id(
        app, sink, runner, monkeypatch):
    messages = queue_messages(app, 4)
    real_mark_sent = delivery._mark_sent
    marked = []

    def crash_on_the_third(executor, ids):
        if len(marked) == 2:
            raise SystemExit("the worker died")  # sent, but not yet recorded as sent
        marked.extend(ids)
        real_mark_sent(executor, ids)

    monkeypatch.setattr(delivery, "_mark_sent", crash_on_the_third)
    start = utcnow()
    with time_machine.travel(start, tick=False), pytest.raises(SystemExit):
        mail_worker.run(app, once=True)
    monkeypatch.setattr(delivery, "_mark_sent", real_mark_sent)

    # The rest are still claimed by the dead worker: nobody takes them before the lease ends.
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
        runner.invoke(args=["mail", "deliver"])
    assert len(outbox(MessageState.SENT)) == 2
    with time_machine.travel(start + dt.timedelta(seconds=301), tick=False):
        result = runner.invoke(args=["mail", "deliver"])
    assert "2 sent" in result.output

    assert {m.state for m in outbox()} == {MessageState.SENT}
    received = sink.message_ids
    assert set(received) == {m.message_id for m in messages}
    assert received[messages[2].message_id] == 2  # the one in flight, recognisable by its ID
    assert sum(received.values()) == 5


def test_worker_killed_mid_batch_loses_nothing_when_another_starts(app, tmp_path, runner):
    sink = SMTPSink(delay=0.05).start()
    try:
        app.config.update(sink.config())
        messages = queue_messages(app, 20)
        worker = worker_process(app, tmp_path, sink, "--batch-size", "20")
        try:
            assert sink.wait_for(5)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=10)
        assert worker.returncode == -signal.SIGKILL
        left = outbox(MessageState.QUEUED)
        assert left and all(m.claimed_until is not None for m in left)  # still leased

        # A new worker takes over the messages once the dead worker's lease runs out.
        with time_machine.travel(utcnow() + dt.timedelta(seconds=301), tick=False):
            result = runner.invoke(args=["mail", "worker", "--once"])
        assert result.exit_code == 0, result.output
        assert {m.state for m in outbox()} == {MessageState.SENT}
        received = sink.message_ids
        assert set(received) == {m.message_id for m in messages}
        assert sum(received.values()) - len(messages) <= 1  # at most the one in flight again
    finally:
        sink.stop()


def test_worker_stops_cleanly_on_sigterm_after_the_message_in_flight(app, tmp_path):
    sink = SMTPSink(delay=0.1).start()
    try:
        app.config.update(sink.config())
        queue_messages(app, 30)
        worker = worker_process(app, tmp_path, sink)
        assert sink.wait_for(2, timeout=20)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
        assert worker.returncode == 0, err
        assert "stopping after the message in flight" in err
        assert "stopped:" in out

        sent = outbox(MessageState.SENT)
        left = outbox(MessageState.QUEUED)
        assert len(sent) == sink.count() < 30  # every message received is recorded as sent
        assert left and all(m.claimed_until is None for m in left)  # handed back at once
        assert all(m.attempts == 0 for m in left)
    finally:
        sink.stop()


def test_worker_waits_for_work_and_delivers_what_is_queued_later(app, tmp_path, sink):
    worker = worker_process(app, tmp_path, sink)
    try:
        assert "started" in worker.stdout.readline()
        time.sleep(0.2)  # idle: it keeps polling without error
        messages = queue_messages(app, 3)
        assert sink.wait_for(3)
    finally:
        worker.send_signal(signal.SIGINT)
        out, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err
    assert "3 sent" in out
    assert set(sink.message_ids) == {m.message_id for m in messages}


def test_local_transport_keeps_messages_in_the_outbox(app, client, make, mailbox):
    make.user(email="local@testborough.gov.uk")
    client.post_form("/sign-in", {"email": "local@testborough.gov.uk"})
    message = mailbox.last("local@testborough.gov.uk")
    assert message.state == MessageState.SENT and message.sent_at is not None


def test_worker_rides_out_a_database_that_does_not_answer(app, sink, monkeypatch):
    messages = queue_messages(app, 2)
    real_round = mail_worker.deliver_round
    failures, waits = [], []

    def database_restarting(*args, **kwargs):
        if len(failures) < 3:
            failures.append(1)
            raise sa.exc.OperationalError("SELECT", {}, Exception("the database is starting up"))
        return real_round(*args, **kwargs)

    monkeypatch.setattr(mail_worker, "deliver_round", database_restarting)
    report = mail_worker.run(app, poll_interval=0.5, sleep=waits.append,
                             should_stop=lambda: sink.count() == 2)

    assert report.sent == 2
    assert waits == [0.5, 1.0, 2.0]  # waiting longer each time
    assert set(sink.message_ids) == {m.message_id for m in messages}


# --- TLS and login, as a council's mail relay asks for them ----------------------------------

@pytest.fixture
def authority(monkeypatch, tmp_path):
    """A certificate authority the portal trusts, as an organisation's own CA would be
    (OpenSSL reads SSL_CERT_FILE when the portal makes its TLS context)."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    return ca


def relay(app, ca, security: str, login=("portal-mailer", "correct horse")) -> SMTPSink:
    server = SMTPSink(tls=security, certificate=ca.issue_cert("127.0.0.1", "localhost"),
                      login=("portal-mailer", "correct horse")).start()
    app.config.update(server.config(), MAIL_USE_TLS=security == "starttls",
                      MAIL_USE_SSL=security == "ssl", MAIL_USERNAME=login[0],
                      MAIL_PASSWORD=login[1])
    return server


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_delivery_over_tls_with_a_login(app, runner, authority, security):
    server = relay(app, authority, security)
    try:
        queue_messages(app, 3)
        result = runner.invoke(args=["mail", "worker", "--once"])
        assert result.exit_code == 0, result.output
        assert sink_ids(server) == 3
        assert server.logins == ["portal-mailer"]  # one connection, one login, for the batch
        assert {m.state for m in outbox()} == {MessageState.SENT}
    finally:
        server.stop()


@pytest.mark.parametrize("problem", ["wrong password", "untrusted certificate"])
def test_a_relay_that_refuses_the_login_or_cannot_be_trusted_keeps_the_mail(
        app, runner, authority, monkeypatch, problem):
    login = ("portal-mailer", "wrong" if problem == "wrong password" else "correct horse")
    server = relay(app, authority, "starttls", login=login)
    if problem == "untrusted certificate":
        monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")  # the CA is not trusted
    try:
        queue_messages(app, 2)
        result = runner.invoke(args=["mail", "worker", "--once"])
        assert result.exit_code == 1 and "The messages wait in the outbox" in result.output
        assert server.count() == 0 and server.logins == []
        waiting = outbox()
        assert {m.state for m in waiting} == {MessageState.QUEUED}
        assert all(m.attempts == 0 for m in waiting)  # not the messages' fault
        expected = "535" if problem == "wrong password" else "CERTIFICATE_VERIFY_FAILED"
        assert all(expected in m.last_error for m in waiting), waiting[0].last_error
    finally:
        server.stop()


def sink_ids(server: SMTPSink) -> int:
    assert set(server.message_ids.values()) == {1}  # each message once
    return server.count()
