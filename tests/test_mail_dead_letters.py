"""Dead letters page: a scheme administrator sees their schemes' undelivered emails and sends
them again; nobody else does."""

from __future__ import annotations

import sqlalchemy as sa

from portal import mail
from portal.audit import AuditEvent
from portal.extensions import db
from portal.mail.models import MessageState, OutboxMessage

PAGE = "/admin/emails-not-delivered/"


def dead_letter(app, to: str, scheme=None, error: str = "550 5.1.1 No such mailbox here",
                attempts: int = 1) -> OutboxMessage:
    app.config["MAIL_DELIVERY"] = "worker"
    message = mail.queue(to, "no_account", scheme=scheme, email=to)
    message.state, message.attempts, message.last_error = MessageState.DEAD, attempts, error
    db.session.commit()
    app.config["MAIL_DELIVERY"] = "inline"
    return message


def audit_events() -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "resent")))


def state_of(message: OutboxMessage) -> MessageState:
    db.session.rollback()
    return db.session.get(OutboxMessage, message.id).state


def test_administrator_sees_their_schemes_dead_letters_with_the_reason(app, make, login):
    scheme, other = make.scheme(name="Planners"), make.scheme(name="Finance")
    admin = make.admin(scheme)
    refused = dead_letter(app, "gone@testborough.gov.uk", scheme)
    dead_letter(app, "tired@testborough.gov.uk", scheme, error="451 4.3.0 Mailbox busy",
                attempts=8)
    dead_letter(app, "elsewhere@testborough.gov.uk", other)
    dead_letter(app, "signin@testborough.gov.uk")  # no scheme: for operators only

    page = login(admin).get(PAGE).get_data(as_text=True)

    assert "gone@testborough.gov.uk" in page and "tired@testborough.gov.uk" in page
    assert "The receiving mail server refused it." in page
    assert "550 5.1.1 No such mailbox here" in page
    assert "It could not be delivered after 8 tries." in page
    assert "Planners" in page and refused.subject in page
    assert "elsewhere@" not in page and "signin@" not in page
    assert "2 emails not delivered" in page


def test_administrator_sends_a_dead_letter_again(app, client, make, login):
    scheme = make.scheme()
    admin = make.admin(scheme)
    message = dead_letter(app, "back@testborough.gov.uk", scheme)
    login(admin)

    response = client.post_form(f"{PAGE}{message.id}/send-again")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(PAGE)
    # Inline delivery (the local mailbox here) sends it as soon as the change is committed.
    assert state_of(message) == MessageState.SENT
    [event] = audit_events()
    assert (event.subject_type, event.subject_id, event.actor_id) == (
        "outbox_message", message.id, admin.id)
    assert event.detail["reason"] == "550 5.1.1 No such mailbox here"
    assert event.ip_address == "127.0.0.1"
    page = client.get(PAGE).get_data(as_text=True)
    assert "The email to back@testborough.gov.uk will be sent again." in page
    assert "Every email from your schemes has been delivered" in page


def test_sending_again_waits_for_the_worker_when_delivery_is_by_worker(app, client, make, login):
    scheme = make.scheme()
    message = dead_letter(app, "later@testborough.gov.uk", scheme)
    app.config["MAIL_DELIVERY"] = "worker"
    login(make.admin(scheme))
    assert client.post_form(f"{PAGE}{message.id}/send-again").status_code == 303
    db.session.rollback()
    message = db.session.get(OutboxMessage, message.id)
    assert (message.state, message.attempts, message.claimed_until) == (
        MessageState.QUEUED, 0, None)


def test_an_email_already_sent_again_cannot_be_sent_twice(app, client, make, login):
    scheme = make.scheme()
    message = dead_letter(app, "twice@testborough.gov.uk", scheme)
    login(make.admin(scheme))
    client.post_form(f"{PAGE}{message.id}/send-again")

    again = client.post_form(f"{PAGE}{message.id}/send-again")

    assert again.status_code == 409
    assert "has already been sent" in again.get_data(as_text=True)
    assert len(audit_events()) == 1


def test_another_schemes_dead_letter_is_not_found(app, client, make, login):
    scheme, other = make.scheme(), make.scheme()
    theirs = dead_letter(app, "theirs@testborough.gov.uk", other)
    no_scheme = dead_letter(app, "operator@testborough.gov.uk")
    login(make.admin(scheme))

    assert client.post_form(f"{PAGE}{theirs.id}/send-again").status_code == 404
    assert client.post_form(f"{PAGE}{no_scheme.id}/send-again").status_code == 404
    assert client.post_form(f"{PAGE}999999/send-again").status_code == 404
    assert state_of(theirs) == state_of(no_scheme) == MessageState.DEAD
    assert audit_events() == []


def test_people_who_are_not_administrators_cannot_see_or_resend(app, client, make, login):
    scheme = make.scheme()
    message = dead_letter(app, "mine@testborough.gov.uk", scheme)

    assert client.get(PAGE).status_code == 302  # anonymous: sign in first
    assert client.post_form(f"{PAGE}{message.id}/send-again").status_code == 302

    login(make.mentee(scheme))
    assert client.get(PAGE).status_code == 403
    assert client.post_form(f"{PAGE}{message.id}/send-again").status_code == 403
    assert state_of(message) == MessageState.DEAD
    assert audit_events() == []


def test_sending_again_needs_the_form_token(app, client, make, login):
    scheme = make.scheme()
    message = dead_letter(app, "csrf@testborough.gov.uk", scheme)
    login(make.admin(scheme))

    response = client.post(f"{PAGE}{message.id}/send-again")

    assert response.status_code == 400
    assert state_of(message) == MessageState.DEAD
    assert audit_events() == []


def test_list_page_runs_a_fixed_number_of_queries(app, client, make, login, count_queries):
    scheme = make.scheme()
    login(make.admin(scheme))
    dead_letter(app, "one@testborough.gov.uk", scheme)
    with count_queries() as few:
        client.get(PAGE)
    for n in range(10):
        dead_letter(app, f"many{n}@testborough.gov.uk", scheme)
    with count_queries() as many:
        page = client.get(PAGE).get_data(as_text=True)
    assert "11 emails not delivered" in page
    assert many.count == few.count


def test_dashboard_tells_an_administrator_about_dead_letters(app, client, make, login):
    scheme = make.scheme()
    admin = make.admin(scheme)
    login(admin)
    assert "could not be delivered" not in client.get("/dashboard").get_data(as_text=True)

    dead_letter(app, "bounced@testborough.gov.uk", scheme)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1 email could not be delivered" in page
    assert f'href="{PAGE}"' in page
