"""A person's own account: their name and phone change at once (what they signed keeps the name
they signed with); their email address, the sign-in identity, moves only when a link sent to the
new address is used, after which every session ends and the old address is told."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.extensions import db
from tests.support.agreements import client_for, pair, signed_by_both


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def state(user_id: int) -> tuple:
    user = fresh(user_id)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    return user.full_name, user.phone, user.email, user.session_version, events


def test_your_account_shows_your_details_and_schemes(app, make):
    scheme = make.scheme(name="Testborough planning mentoring")
    mentee = make.mentee(scheme, name="Ada Lovelace", email="ada@testborough.gov.uk")
    page = client_for(app, mentee).get("/account")
    shown = text(page)
    assert page.status_code == 200
    for expected in ("Your account", "Ada Lovelace", "ada@testborough.gov.uk", "Not given",
                     "Testborough planning mentoring", "Mentee"):
        assert expected in shown
    anonymous = client_for(app).get("/account")
    assert anonymous.status_code in (302, 303) and "/sign-in" in anonymous.headers["Location"]


def test_changing_your_name_and_phone(app, make):
    user = make.user(name="Ada Lovelace")
    client = client_for(app, user)
    done = client.post_form("/account/details", {"full_name": "  Ada\u00a0 King\u202e ",
                                                 "phone": "+44 7700 900 982"})
    assert done.status_code == 303
    changed = fresh(user.id)
    assert (changed.full_name, changed.phone) == ("Ada King", "+44 7700 900 982")
    assert "Your details have been saved." in text(client.get("/account"))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "details_changed"))
    assert event.detail["fields"] == ["name", "phone"] and event.subject_id == user.id


def test_bad_details_are_refused_and_nothing_changes(app, make):
    user = make.user(name="Ada Lovelace")
    client = client_for(app, user)
    before = state(user.id)
    for fields, message in (({"full_name": "", "phone": ""}, "Enter your full name"),
                            ({"full_name": "\x00\u200f ", "phone": ""}, "Enter your full name"),
                            ({"full_name": "Ada", "phone": "call me"}, "Enter a phone number"),
                            ({"full_name": "A" * 201, "phone": ""}, "200")):
        refused = client.post_form("/account/details", fields)
        assert refused.status_code == 400 and message in text(refused)
    assert state(user.id) == before


def test_what_was_signed_keeps_the_name_it_was_signed_with(app, make, mailbox):
    relationship, agreement = pair(make)
    signed_by_both(app, mailbox, agreement)
    old_name = relationship.mentee.full_name
    client_for(app, relationship.mentee).post_form(
        "/account/details", {"full_name": "Someone Renamed", "phone": ""})
    db.session.expire_all()
    version = agreement.signed_version
    assert old_name in version.text and "Someone Renamed" not in version.text
    pdf = client_for(app, relationship.mentee).get(f"/agreements/{agreement.reference}/pdf")
    assert pdf.status_code == 200


# --- the email address -----------------------------------------------------------------------

def ask(client, new_email: str):
    return client.post_form("/account/email", {"email": new_email})


def test_the_email_address_moves_only_when_the_new_address_confirms(app, make, mailbox):
    user = make.user(name="Ada Lovelace", email="ada@testborough.gov.uk")
    client = client_for(app, user)
    asked = ask(client, "Ada.King@Testborough.gov.uk")
    assert asked.status_code == 303
    assert "ad•••@testborough.gov.uk" in text(client.get("/account"))
    assert fresh(user.id).email == "ada@testborough.gov.uk"  # nothing changes yet
    assert mailbox.count("ada@testborough.gov.uk") == 0
    message = mailbox.last("ada.king@testborough.gov.uk", "email_change_confirm")
    link = mailbox.link(message, "/account/email/")

    other_browser = client_for(app)
    page = other_browser.get(link)
    assert page.status_code == 200 and "ada.king@testborough.gov.uk" in text(page)
    assert fresh(user.id).email == "ada@testborough.gov.uk"  # the GET only shows
    done = other_browser.post_form(link, {})
    assert done.status_code == 303 and done.headers["Location"].endswith("/done")
    assert fresh(user.id).email == "ada.king@testborough.gov.uk"
    told = mailbox.last("ada@testborough.gov.uk", "email_changed").body_text
    assert "ada.king@testborough.gov.uk" in told
    # Every session ended, including the one that asked.
    again = client.get("/account")
    assert again.status_code in (302, 303) and "/sign-in" in again.headers["Location"]
    # The new address signs in; the old one signs nobody in.
    browser = client_for(app)
    browser.post_form("/sign-in", {"email": "ada.king@testborough.gov.uk"})
    assert mailbox.count("ada.king@testborough.gov.uk", "sign_in") == 1
    browser.post_form("/sign-in", {"email": "ada@testborough.gov.uk"})
    assert mailbox.count("ada@testborough.gov.uk", "sign_in") == 0
    assert mailbox.count("ada@testborough.gov.uk", "no_account") == 1
    # The link works once.
    assert client_for(app).get(link).status_code == 410


def test_an_address_another_account_has_is_never_taken_or_revealed(app, make, mailbox):
    user = make.user(name="Ada Lovelace", email="ada@testborough.gov.uk")
    make.user(name="Grace Hopper", email="grace@testborough.gov.uk")
    client = client_for(app, user)
    before = state(user.id)
    asked = ask(client, "grace@testborough.gov.uk")
    assert asked.status_code == 303  # the same answer as for a free address
    assert mailbox.count("grace@testborough.gov.uk", "email_change_confirm") == 0
    assert mailbox.count("grace@testborough.gov.uk", "email_change_taken") == 1
    assert state(user.id)[:4] == before[:4]


def test_a_link_for_an_outdated_change_or_another_person_is_refused(app, make, mailbox):
    user = make.user(name="Ada Lovelace", email="ada@testborough.gov.uk")
    client = client_for(app, user)
    ask(client, "first@testborough.gov.uk")
    first = mailbox.link(mailbox.last("first@testborough.gov.uk"), "/account/email/")
    ask(client, "second@testborough.gov.uk")
    second = mailbox.link(mailbox.last("second@testborough.gov.uk"), "/account/email/")
    # Someone else signed in cannot use it.
    stranger = client_for(app, make.user(name="Grace Hopper"))
    assert stranger.get(second).status_code == 403
    assert client_for(app).post_form(second, {}).status_code == 303
    assert fresh(user.id).email == "second@testborough.gov.uk"
    # The first link was for the address the account no longer has.
    before = state(user.id)
    stale = client_for(app).post_form(first, {})
    assert stale.status_code == 410 and "no longer applies" in text(stale)
    assert state(user.id) == before


def test_a_bad_new_address_is_refused(app, make, mailbox):
    user = make.user(name="Ada Lovelace", email="ada@testborough.gov.uk")
    client = client_for(app, user)
    before = state(user.id)
    for value, status, message in (("", 400, "Enter your new email address"),
                                   ("not an address", 400, "correct format"),
                                   ("ada@testborough.gov.uk", 400, "already your email address")):
        refused = ask(client, value)
        assert refused.status_code == status and message in text(refused)
    assert state(user.id) == before
    assert mailbox.count() == 0
