"""Signing in by emailed link: the whole path, and every way a link can be wrong."""

import datetime as dt
import hashlib
import logging

import pytest
import time_machine

from portal.accounts.models import User
from portal.extensions import db
from tests.conftest import PG_URL, Client, make_app


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


def test_asking_again_and_again_sends_at_most_five_links_and_shows_no_error(client, make,
                                                                             mailbox):
    user = make.user(email="flood@testborough.gov.uk")
    answers = [ask_for_link(client, user.email) for _ in range(8)]
    assert [a.status_code for a in answers] == [303] * 8
    assert {a.headers["Location"] for a in answers} == {"/sign-in/check-your-email"}
    assert mailbox.count(user.email) == 5


# --- links asked for by someone else, from another network address ---------------------------

ATTACKER, VICTIM = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def proxied(app, tmp_path):
    """The portal behind one trusted proxy, so each request's X-Forwarded-For is its client."""
    (tmp_path / "proxied").mkdir()
    behind = make_app(tmp_path / "proxied", TRUST_PROXY_HOPS=1)
    behind.test_client_class = Client
    with behind.app_context():
        if not PG_URL:
            db.create_all()
        yield behind
        db.session.remove()
        db.engine.dispose()


def ask_from(client, ip: str, email: str):
    return client.post_form("/sign-in", {"email": email}, headers={"X-Forwarded-For": ip})


def test_someone_else_asking_for_your_links_does_not_lock_you_out(proxied, make, mailbox):
    victim = make.user(email="victim@testborough.gov.uk", name="Vic Tim")
    attacker = proxied.test_client()
    answers = [ask_from(attacker, ATTACKER, victim.email).status_code for _ in range(10)]
    assert answers == [303] * 10  # no error, so nothing learnt about the address either
    assert mailbox.count(victim.email) == 5  # one client cannot flood the mailbox

    owner = proxied.test_client()
    answer = ask_from(owner, VICTIM, victim.email)
    assert answer.status_code == 303
    assert "We have sent an email" in owner.get(answer.headers["Location"]).get_data(as_text=True)
    assert mailbox.count(victim.email) == 6
    link = mailbox.link(mailbox.last(victim.email), "/sign-in/")
    assert owner.post_form(link, headers={"X-Forwarded-For": VICTIM}).status_code == 303
    assert "Vic Tim" in owner.get("/dashboard").get_data(as_text=True)


def test_requests_refused_by_the_client_limit_do_not_count_against_the_address(proxied, make,
                                                                               mailbox):
    proxied.config["SIGN_IN_LIMIT_PER_CLIENT"] = 3
    victim = make.user(email="victim@testborough.gov.uk")
    attacker = proxied.test_client()
    for n in range(3):
        assert ask_from(attacker, ATTACKER, f"p{n}@testborough.gov.uk").status_code == 303
    refused = [ask_from(attacker, ATTACKER, victim.email) for _ in range(8)]
    assert {r.status_code for r in refused} == {429}  # the attacker's own doing
    assert "too many" in refused[0].get_data(as_text=True).lower()
    assert mailbox.count(victim.email) == 0

    assert ask_from(proxied.test_client(), VICTIM, victim.email).status_code == 303
    assert mailbox.count(victim.email) == 1


def flood_from_many_clients(proxied, email: str, clients: int = 4) -> list[int]:
    answers = []
    for n in range(clients):
        attacker = proxied.test_client()
        answers += [ask_from(attacker, f"203.0.113.{n + 1}", email).status_code
                    for _ in range(6)]
    return answers


def test_many_clients_together_cannot_flood_an_address(proxied, make, mailbox, caplog):
    victim = make.user(email="victim@testborough.gov.uk")
    with caplog.at_level(logging.WARNING, logger="portal.accounts.signin"):
        answers = flood_from_many_clients(proxied, victim.email)
    assert answers == [303] * 24
    assert mailbox.count(victim.email) == 15  # three times the limit for one client
    digest = hashlib.sha256(victim.email.encode()).hexdigest()[:12]
    dropped = [r.getMessage() for r in caplog.records]
    assert len(dropped) == 24 - 15
    assert all(f"sha256:{digest}" in line and "victim" not in line for line in dropped)

    # A browser that never signed in to the address meets the cap too (still without an error).
    assert ask_from(proxied.test_client(), VICTIM, victim.email).status_code == 303
    assert mailbox.count(victim.email) == 15


def test_a_browser_that_signed_in_before_still_gets_its_link_in_a_flood(proxied, make, mailbox):
    victim = make.user(email="victim@testborough.gov.uk")
    owner = proxied.test_client()
    ask_from(owner, VICTIM, victim.email)
    signed_in = owner.post_form(mailbox.link(mailbox.last(victim.email), "/sign-in/"))
    [cookie] = [c for c in signed_in.headers.getlist("Set-Cookie")
                if c.startswith("known-device=")]
    assert "victim" not in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=15552000" in cookie
    owner.post_form("/sign-out")  # the mark stays: it is what recognises this browser next time

    # An attacker's own known-device cookie is for their own address, not the victim's.
    crook = make.user(email="crook@example.com")
    attacker = proxied.test_client()
    ask_from(attacker, ATTACKER, crook.email)
    attacker.post_form(mailbox.link(mailbox.last(crook.email), "/sign-in/"))

    flood_from_many_clients(proxied, victim.email)
    assert mailbox.count(victim.email) == 15
    assert ask_from(attacker, ATTACKER, victim.email).status_code == 303
    assert mailbox.count(victim.email) == 15

    assert ask_from(owner, VICTIM, victim.email).status_code == 303
    assert mailbox.count(victim.email) == 16
    assert owner.post_form(mailbox.link(mailbox.last(victim.email), "/sign-in/")).status_code == 303
    assert owner.get("/dashboard").status_code == 200


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
    assert "pr•••@testborough.gov.uk" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_signed_in_pages_do_not_reissue_the_cookie_every_time(client, make, login):
    login(make.mentee(make.scheme()))
    client.get("/dashboard")
    assert "Set-Cookie" not in client.get("/dashboard").headers
