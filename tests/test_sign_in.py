"""Signing in by emailed link: the whole path, and every way a link can be wrong."""

import datetime as dt

import pytest
import time_machine

from portal.accounts.models import User
from portal.extensions import db


def ask_for_link(client, email):
    return client.post_form("/sign-in", {"email": email})


def test_sign_in_by_following_the_emailed_link(client, make, mailbox):
    scheme = make.scheme()
    make.mentee(scheme, email="ada@testborough.gov.uk", name="Ada Lovelace")

    response = ask_for_link(client, "Ada@Testborough.gov.uk ")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/sign-in/check-your-email")

    email = mailbox.last("ada@testborough.gov.uk")
    assert email.template == "sign_in"
    assert "Ada Lovelace" in email.body_text
    link = mailbox.link(email, "/sign-in/")

    page = client.get(link)  # a mail scanner or the person opening it: nothing happens yet
    assert page.status_code == 200
    assert "Continue" in page.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302

    response = client.post_form(link)
    assert response.status_code == 303
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert "Ada Lovelace" in dashboard.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_a_helpful_email(client, make, mailbox):
    make.scheme()
    known = make.user(email="known@testborough.gov.uk")
    answer_known = ask_for_link(client, known.email)
    answer_unknown = ask_for_link(client, "nobody@testborough.gov.uk")
    assert answer_known.status_code == answer_unknown.status_code == 303
    assert answer_known.headers["Location"] == answer_unknown.headers["Location"]
    page_known = client.get("/sign-in/check-your-email").get_data(as_text=True)
    assert "We have sent an email" in page_known
    assert mailbox.last("nobody@testborough.gov.uk").template == "no_account"
    assert db.session.query(User).filter_by(email="nobody@testborough.gov.uk").count() == 0


def test_link_works_once(client, make, mailbox):
    user = make.user(email="once@testborough.gov.uk")
    ask_for_link(client, user.email)
    link = mailbox.link(mailbox.last(user.email), "/sign-in/")
    assert client.post_form(link).status_code == 303
    client.post_form("/sign-out")
    reused = client.post_form(link)
    assert reused.status_code == 410
    assert "already been used" in reused.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    assert client.get(link).status_code == 410


def test_link_expires_after_fifteen_minutes(client, make, mailbox):
    user = make.user(email="late@testborough.gov.uk")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        ask_for_link(client, user.email)
    link = mailbox.link(mailbox.last(user.email), "/sign-in/")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 16, tzinfo=dt.UTC), tick=False):
        response = client.post_form(link)
        assert response.status_code == 410
        assert "expired" in response.get_data(as_text=True)
        assert client.get("/dashboard").status_code == 302


def test_tampered_link_is_refused(client, make, mailbox):
    user = make.user(email="tamper@testborough.gov.uk")
    ask_for_link(client, user.email)
    link = mailbox.link(mailbox.last(user.email), "/sign-in/")
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    response = client.post_form(tampered)
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_link_for_another_purpose_does_not_sign_in(client, make, mailbox):
    scheme = make.scheme()
    client.post_form(f"/schemes/{scheme.slug}/register", {
        "roles": ["mentee"], "full_name": "Grace Hopper", "email": "grace@testborough.gov.uk",
        "confirm": "y"})
    registration_link = mailbox.link(mailbox.last("grace@testborough.gov.uk"), "/register/")
    token = registration_link.rsplit("/", 1)[-1]
    response = client.post_form(f"/sign-in/{token}")
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_sign_out_ends_the_session_everywhere(app, make, login):
    user = make.user()
    first = login(user)
    second = app.test_client()
    from tests.conftest import sign_in

    sign_in(second, user)
    assert second.get("/dashboard").status_code == 200
    assert first.post_form("/sign-out").status_code == 303
    assert first.get("/dashboard").status_code == 302
    # The other device's cookie still names the old session version: it is signed out too.
    assert second.get("/dashboard").status_code == 302


def test_idle_session_times_out(client, make, login):
    user = make.user()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        login(user)
        assert client.get("/dashboard").status_code == 200
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 31, tzinfo=dt.UTC), tick=False):
        response = client.get("/dashboard")
        assert response.status_code == 303
        assert "/sign-in" in response.headers["Location"]
        assert client.get("/dashboard").status_code == 302


def test_a_busy_session_still_ends_after_the_maximum_length(client, make, login):
    """Using the portal every few minutes keeps the idle timer back, not the 12-hour limit."""
    user = make.user()
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        login(user)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get("/dashboard").status_code == 200, minutes
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=1), tick=False):
        response = client.get("/dashboard")
        assert response.status_code == 303
        assert "/sign-in" in response.headers["Location"]
        assert client.get("/dashboard").status_code == 302


def test_link_requests_are_rate_limited_per_address(client, make, mailbox):
    user = make.user(email="flood@testborough.gov.uk")
    for _ in range(5):
        assert ask_for_link(client, user.email).status_code == 303
    refused = ask_for_link(client, user.email)
    assert refused.status_code == 429
    assert "too many" in refused.get_data(as_text=True).lower()
    assert mailbox.count(user.email) == 5


def test_link_requests_are_rate_limited_per_client(app, client, make):
    app.config["SIGN_IN_LIMIT_PER_CLIENT"] = 3
    for n in range(3):
        assert ask_for_link(client, f"p{n}@testborough.gov.uk").status_code == 303
    assert ask_for_link(client, "p9@testborough.gov.uk").status_code == 429


def test_csrf_is_enforced(client, make, mailbox):
    user = make.user(email="csrf@testborough.gov.uk")
    response = client.post("/sign-in", data={"email": user.email})
    assert response.status_code == 400
    assert mailbox.count(user.email) == 0


@pytest.mark.parametrize("email", ["", "not-an-address", "a@"])
def test_bad_address_shows_an_error_summary(client, email):
    response = ask_for_link(client, email)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "<title>Error: Sign in" in page


def test_sign_in_returns_to_the_page_asked_for(client, make, mailbox):
    user = make.mentee(make.scheme(), email="back@testborough.gov.uk")
    response = client.get("/dashboard")
    assert response.status_code == 302
    sign_in_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/dashboard"' in sign_in_page
    client.post_form("/sign-in", {"email": user.email, "next": "/dashboard"})
    link = mailbox.link(mailbox.last(user.email), "/sign-in/")
    assert client.post_form(link).headers["Location"] == "/dashboard"


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com/x",
                                    "/\t/evil.example.com/", "/\n/evil.example.com/",
                                    "/\\evil.example.com/", " //evil.example.com/"])
def test_sign_in_never_sends_people_to_another_site(client, make, mailbox, target):
    user = make.mentee(make.scheme(), email="stay@testborough.gov.uk")
    client.post_form("/sign-in", {"email": user.email, "next": target})
    link = mailbox.link(mailbox.last(user.email), "/sign-in/")
    assert client.post_form(link).headers["Location"] == "/dashboard"


def test_check_your_email_page_is_not_stored(client, make):
    client.post_form("/sign-in", {"email": "private@testborough.gov.uk"})
    response = client.get("/sign-in/check-your-email")
    assert "private@testborough.gov.uk" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_signed_in_pages_do_not_reissue_the_cookie_every_time(client, make, login):
    login(make.mentee(make.scheme()))
    client.get("/dashboard")
    assert "Set-Cookie" not in client.get("/dashboard").headers
