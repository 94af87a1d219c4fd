"""Tokens leave the address bar and the logs: each emailed link's action ends on a page without
the token, a spent link tells a stranger only what happened, and a failing request whose address
holds a token is logged without it."""

from __future__ import annotations

import logging

import pytest
import time_machine

from portal import tokens
from portal.calls import links as call_links
from portal.redaction import TOKEN
from tests.support.agreements import (
    MENTEE_EMAIL,
    MENTEE_NAME,
    MENTOR_EMAIL,
    MENTOR_NAME,
    TERMS,
    client_for,
    pair,
    ready_to_sign,
    sign_from_email,
    signed_by_both,
)
from tests.support.calls import NOW, accept, answer_links, send_request

ADMIN_MAILBOX = "admin-mailbox@scheme.gov.uk"
#: What a spent link must never show a stranger: the pair's names, addresses, phone, terms.
PRIVATE = [MENTOR_NAME, MENTEE_NAME, MENTOR_EMAIL, MENTEE_EMAIL, TERMS["phone"],
           TERMS["goal_1"], TERMS["meeting_place"]]


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def no_token_on_the_way(response) -> None:
    """Every address the browser was sent to, and the one it ended on, is free of tokens."""
    seen = [r.headers.get("Location", "") for r in response.history] + [response.request.path]
    assert not [url for url in seen if TOKEN.search(url)], seen
    assert response.status_code == 200, response.get_data(as_text=True)


def shows_nothing_private(response, private=PRIVATE) -> str:
    body = response.get_data(as_text=True)
    assert [value for value in private if value in body] == []
    assert "/sign-in" in body  # and a way to sign in to see more
    return body


# --- after the action, no token in the address -------------------------------------------------

def test_signing_submitting_and_acknowledging_end_without_the_token(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    for person in (agreement.mentor, agreement.mentee):
        browser = client_for(app)
        response, _ = sign_from_email(app, mailbox, person, client=browser)
        done = browser.get(response.headers["Location"], follow_redirects=True)
        no_token_on_the_way(done)
        assert "You have signed the agreement" in done.get_data(as_text=True)

    browser = client_for(app)
    link = mailbox.link(mailbox.last(MENTEE_EMAIL, "agreement_signed"), "/agreements/submit/")
    submitted = browser.post_form(link, follow_redirects=True)
    no_token_on_the_way(submitted)
    assert "Your agreement has been submitted" in submitted.get_data(as_text=True)

    mailbox_browser = client_for(app)
    link = mailbox.link(mailbox.last(ADMIN_MAILBOX, "agreement_submitted"),
                        "/agreements/acknowledge/")
    acknowledged = mailbox_browser.post_form(link, follow_redirects=True)
    no_token_on_the_way(acknowledged)
    assert "Receipt confirmed" in acknowledged.get_data(as_text=True)


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_answering_a_call_from_the_email_ends_without_the_token(app, client, make, login,
                                                                mailbox, answer):
    scheme = make.scheme()
    profile = make.mentor(scheme, email="mira@testborough.gov.uk")
    send_request(client, login, make.mentee(scheme), profile)
    accept_link, decline_link = answer_links(mailbox, "mira@testborough.gov.uk")
    phone = client_for(app)
    if answer == "accept":
        response = accept(phone, accept_link)
        assert response.status_code == 303
        response = phone.get(response.headers["Location"], follow_redirects=True)
        expected = "You accepted the request"
    else:
        response = phone.post_form(decline_link, {"reason": ""}, follow_redirects=True)
        expected = "You declined the request"
    no_token_on_the_way(response)
    assert expected in response.get_data(as_text=True)


def test_a_line_managers_answer_ends_without_the_token(app, client, make, login, mailbox):
    scheme = make.scheme(needs_line_manager_approval=True)
    mentee = make.mentee(scheme)
    login(mentee).post_form(f"/calls/approval/{scheme.slug}",
                            {"manager_name": "Lee Manager",
                             "manager_email": "lee.manager@testborough.gov.uk"})
    link = mailbox.link(mailbox.last("lee.manager@testborough.gov.uk"), "/calls/line-manager/")
    response = client_for(app).post_form(link, {"decision": "approve"}, follow_redirects=True)
    no_token_on_the_way(response)
    assert "Thank you" in response.get_data(as_text=True)


def test_signing_in_and_registering_end_without_the_token(app, client, make, mailbox):
    scheme = make.scheme()
    client.post_form(f"/schemes/{scheme.slug}/register",
                     {"roles": ["mentee"], "full_name": "Grace Hopper",
                      "email": "grace@testborough.gov.uk", "confirm": "y"})
    link = mailbox.link(mailbox.last("grace@testborough.gov.uk"), "/register/")
    no_token_on_the_way(client.post_form(link, follow_redirects=True))

    browser = client_for(app)
    browser.post_form("/sign-in", {"email": "grace@testborough.gov.uk"})
    link = mailbox.link(mailbox.last("grace@testborough.gov.uk", "sign_in"), "/sign-in/")
    no_token_on_the_way(browser.post_form(link, follow_redirects=True))


# --- a spent link, opened by someone not signed in ----------------------------------------------

def test_spent_agreement_links_tell_a_stranger_only_what_happened(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    _, mentor_link = sign_from_email(app, mailbox, agreement.mentor)
    stranger = client_for(app)
    page = stranger.get(mentor_link)
    assert page.status_code == 410
    assert "already been used: the agreement was signed on" in shows_nothing_private(page)

    sign_from_email(app, mailbox, agreement.mentee)
    submit = mailbox.link(mailbox.last(MENTEE_EMAIL, "agreement_signed"), "/agreements/submit/")
    assert client_for(app).post_form(submit).status_code == 303
    page = stranger.get(submit)
    assert "already been used: the agreement was submitted on" in shows_nothing_private(page)

    acknowledge = mailbox.link(mailbox.last(ADMIN_MAILBOX, "agreement_submitted"),
                               "/agreements/acknowledge/")
    assert client_for(app).post_form(acknowledge).status_code == 303
    shows_nothing_private(stranger.get(acknowledge))


def test_the_right_person_signed_in_goes_from_a_spent_link_to_the_agreement(app, make,
                                                                            mailbox):
    _, agreement = pair(make)
    signed_by_both(app, mailbox, agreement)
    link = mailbox.link(mailbox.last(MENTOR_EMAIL, "agreement_sign"), "/agreements/sign/")
    response = client_for(app, agreement.mentor).get(link)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/agreements/{agreement.reference}"


def test_a_spent_answer_link_names_nobody(app, client, make, login, mailbox):
    scheme = make.scheme()
    profile = make.mentor(scheme, email="mira@testborough.gov.uk", name="Mira Mentor")
    mentee = make.mentee(scheme, email="sam@testborough.gov.uk", name="Sam Mentee")
    send_request(client, login, mentee, profile)
    accept_link, decline_link = answer_links(mailbox, "mira@testborough.gov.uk")
    assert accept(client_for(app), accept_link).status_code == 303
    for link in (accept_link.rsplit("/", 1)[0], accept_link, decline_link):
        page = client_for(app).get(link, follow_redirects=True)
        body = shows_nothing_private(page, ["Sam Mentee", "sam@testborough.gov.uk",
                                            "Mira Mentor", "grow in confidence", "Teams"])
        assert "already been used: the request was accepted on" in body


# --- the logs -----------------------------------------------------------------------------------

def test_a_failing_request_is_logged_without_its_token(app, client, make, caplog, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # log and answer 500, as in production
    token = tokens.make("answer-call", c=1, u=1, s="requested")

    def broken(*args, **kwargs):
        raise RuntimeError(f"could not read {token}")

    monkeypatch.setattr(call_links, "check_answer_call_link", broken)
    with caplog.at_level(logging.ERROR):
        assert client.get(f"/calls/answer/{token}").status_code == 500
    logged = [record for record in caplog.records if record.exc_info or record.exc_text]
    assert logged, "the failure was not logged"
    text = caplog.text + "".join(record.exc_text or "" for record in logged)
    assert token not in text
    assert "/calls/answer/[token]" in text and "could not read [token]" in text


def test_the_request_log_of_the_development_server_leaves_tokens_out(app, caplog):
    token = tokens.make("sign-in", uid=42)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('%s - - "%s" %s', "127.0.0.1",
                                           f"GET /sign-in/{token} HTTP/1.1", 200)
    assert token not in caplog.text
    assert "GET /sign-in/[token] HTTP/1.1" in caplog.text
