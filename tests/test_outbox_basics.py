"""Emails are queued with the change that causes them, with plain text and absolute links."""

import pytest

from portal.extensions import db
from portal.mail import queue
from portal.mail.models import MessageState


def test_email_is_queued_in_the_same_transaction_as_the_change(app, make, mailbox):
    from portal.accounts.models import User

    address = "someone@testborough.gov.uk"
    db.session.add(User(email=address, full_name="Someone"))
    queue(address, "no_account", email=address)
    db.session.rollback()  # the change that would have caused it did not happen
    assert mailbox.count() == 0
    assert db.session.scalar(db.select(User).filter_by(email=address)) is None

    db.session.add(User(email=address, full_name="Someone"))
    queue(address, "no_account", email=address)
    db.session.commit()  # now it did: the email goes with it, delivered after the commit
    assert mailbox.count() == 1
    assert mailbox.last(address).state == MessageState.SENT


def test_several_emails_from_one_change_are_all_delivered(app, make, mailbox, caplog):
    """The local mailbox marks a whole batch as sent at once (an agreement sent for
    signatures emails both people in one transaction)."""
    for n in range(3):
        queue(f"person{n}@testborough.gov.uk", "no_account", email=f"p{n}@testborough.gov.uk")
    db.session.commit()
    assert [m.state for m in mailbox.all()] == [MessageState.SENT] * 3
    assert "delivery failed" not in caplog.text


def test_email_has_plain_text_html_and_absolute_links(client, make, mailbox):
    user = make.user(email="links@testborough.gov.uk")
    client.post_form("/sign-in", {"email": user.email})
    message = mailbox.last(user.email)
    assert message.state == MessageState.SENT  # delivered to the local mailbox after commit
    assert "http://portal.test/sign-in/" in message.body_text
    assert '<a href="http://portal.test/sign-in/' in message.body_html
    assert message.message_id.startswith("<") and message.message_id.endswith("@portal.test>")
    assert "You are receiving this because" in message.body_text


@pytest.mark.parametrize("template", ["sign_in", "no_account", "confirm_registration"])
def test_every_email_says_why_it_was_sent(app, make, template):
    from portal.accounts.models import Role
    from portal.mail.outbox import render_email

    scheme = make.scheme()
    user = make.user()
    with app.test_request_context():
        subject, text, html = render_email(template, user=user, token="t", minutes=15,
                                           email=user.email, scheme=scheme, roles=[Role.MENTEE],
                                           existing=None, name=user.full_name)
    assert subject and "\n" not in subject
    assert "receiving this" in text
    assert "http://portal.test/" in text
