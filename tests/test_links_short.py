"""Emailed links are short and say nothing about the records: the token is a random reference,
signed; what the link is for stays in the database. Links emailed in the earlier format (the
payload signed into the token) keep working until they expire."""

from __future__ import annotations

import base64
import re
import threading

import pytest
import sqlalchemy as sa
import time_machine
from itsdangerous import URLSafeTimedSerializer

from portal.extensions import db
from portal.tokens import EmailedLink
from tests.conftest import BASE_URL
from tests.support.agreements import client_for
from tests.support.calls import NOW, send_request

#: <22-character reference>.<27-character signature>
SHORT_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{27}$")


def token_of(link: str) -> str:
    return re.search(r"/(?:sign-in|calls/answer)/([^/?]+)", link).group(1)


def sign_in_link(client, mailbox, email: str) -> str:
    client.post_form("/sign-in", {"email": email})
    return mailbox.link(mailbox.last(email), "/sign-in/")


def test_every_emailed_link_is_short_and_carries_no_record_fields(app, client, make, mailbox,
                                                                   login):
    scheme = make.scheme()
    mentee = make.mentee(scheme, email="ada@testborough.gov.uk", name="Ada Lovelace")
    profile = make.mentor(scheme)
    with time_machine.travel(NOW, tick=False):  # the request's proposed times are after NOW
        assert send_request(client, login, mentee, profile).status_code == 303
    sign_in_link(client_for(app), mailbox, mentee.email)
    tokened = [link for message in mailbox.all() for link in mailbox.links(message)
               if any(part in link for part in ("/sign-in/", "/calls/answer/"))]
    assert len(tokened) >= 2
    for link in tokened:
        token = token_of(link)
        assert SHORT_TOKEN.match(token), link
        assert len(link) <= len(BASE_URL) + 70, link
        # The signed part is 16 random bytes: no room for JSON, ids or a state.
        assert len(base64.urlsafe_b64decode(token.split(".")[0] + "==")) == 16


def test_the_database_holds_what_a_link_is_for_but_cannot_make_one(client, make, mailbox):
    user = make.user(email="kept@testborough.gov.uk")
    token = token_of(sign_in_link(client, mailbox, user.email))
    reference = token.split(".")[0]
    row = db.session.scalars(sa.select(EmailedLink).where(EmailedLink.purpose == "sign-in")).one()
    assert row.payload["uid"] == user.id
    assert reference not in repr((row.digest, row.payload))  # only its SHA-256 is stored
    # A reference without the signature, or signed for another purpose, does nothing.
    assert client.post_form(f"/sign-in/{reference}").status_code == 400
    assert client.post_form(f"/register/{token}").status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_a_link_used_twice_at_the_same_moment_signs_in_once(app, make, mailbox):
    user = make.user(email="race@testborough.gov.uk")
    link = sign_in_link(client_for(app), mailbox, user.email)
    results: list[int] = []
    start = threading.Barrier(2)

    def use() -> None:
        browser = client_for(app)
        start.wait()
        results.append(browser.post_form(link).status_code)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [303, 410]
    db.session.rollback()  # a fresh read, after the two browsers' commits
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailedLink)
                             .where(EmailedLink.used_at.is_not(None))) == 1


@pytest.mark.parametrize("already_used", [False, True])
def test_a_link_emailed_in_the_earlier_format_still_works_once(app, client, make, already_used):
    user = make.user(email="earlier@testborough.gov.uk")
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="portal.sign-in")
    token = serializer.dumps({"uid": user.id, "n": "n" * 22})
    if already_used:
        assert client_for(app).post_form(f"/sign-in/{token}").status_code == 303
    response = client.post_form(f"/sign-in/{token}")
    assert response.status_code == (410 if already_used else 303)
    assert (client.get("/dashboard").status_code == 200) is not already_used
