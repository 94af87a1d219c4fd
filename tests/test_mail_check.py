"""`flask mail check`: an operator proves the SMTP settings with one email, outbox bypassed."""

from portal.mail.models import OutboxMessage
from tests.support.mail_sink import SMTPSink, free_port


def test_check_sends_one_email_through_the_configured_server(app, runner):
    sink = SMTPSink().start()
    try:
        app.config.update(sink.config())
        result = runner.invoke(args=["mail", "check", "ops@testborough.gov.uk"])
        assert result.exit_code == 0, result.output
        assert "Sent a test email to ops@testborough.gov.uk" in result.output
        (received,) = sink.messages
        assert received["To"] == "ops@testborough.gov.uk"
        assert "can send email with its current settings" in received.get_content()
    finally:
        sink.stop()
    from portal.extensions import db

    assert db.session.query(OutboxMessage).count() == 0  # the outbox is not involved


def test_check_reports_a_server_that_does_not_answer(app, runner):
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    result = runner.invoke(args=["mail", "check", "ops@testborough.gov.uk"])
    assert result.exit_code == 1
    assert "refused or did not answer" in result.output


def test_check_needs_an_smtp_server(app, runner):
    result = runner.invoke(args=["mail", "check", "ops@testborough.gov.uk"])
    assert result.exit_code == 1
    assert "MAIL_TRANSPORT is local" in result.output
