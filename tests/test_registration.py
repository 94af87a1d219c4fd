"""Registering for a scheme, confirming the eligibility statement, by an emailed link."""

import sqlalchemy as sa

from portal.accounts.models import Membership, Role, User
from portal.extensions import db
from tests.conftest import PG_URL, Client, make_app


def register(client, scheme, headers=None, **fields):
    data = {"roles": ["mentee"], "full_name": "Grace Hopper", "email": "grace@testborough.gov.uk",
            "confirm": "y", **fields}
    return client.post_form(f"/schemes/{scheme.slug}/register", data, headers=headers)


def users():
    return db.session.scalars(sa.select(User)).all()


def test_register_as_mentor_and_mentee_by_emailed_link(client, make, mailbox):
    scheme = make.scheme(name="Planning mentoring")
    page = client.get(f"/schemes/{scheme.slug}/register").get_data(as_text=True)
    assert scheme.mentor_eligibility in page and scheme.mentee_eligibility in page

    response = register(client, scheme, roles=["mentor", "mentee"])
    assert response.status_code == 303
    assert users() == []  # nothing exists until the address is proven

    email = mailbox.last("grace@testborough.gov.uk", "confirm_registration")
    assert "Planning mentoring" in email.subject
    link = mailbox.link(email, "/register/")
    assert client.get(link).status_code == 200
    assert users() == []  # the GET only shows a button

    assert client.post_form(link).status_code == 303
    (user,) = users()
    assert user.full_name == "Grace Hopper"
    assert user.roles_in(scheme.id) == {Role.MENTOR, Role.MENTEE}
    assert all(m.eligibility_confirmed_at for m in user.memberships)
    assert client.get("/dashboard").status_code == 200

    assert client.post_form(link).status_code == 410  # single use


def test_registration_needs_a_role_a_name_and_the_eligibility_confirmation(client, make, mailbox):
    scheme = make.scheme()
    response = register(client, scheme, roles=[], full_name="", confirm="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error:" in page
    for message in ("Select how you want to take part", "Enter your full name",
                    "Confirm that you meet the eligibility statement"):
        assert message in page
    assert mailbox.count() == 0


def test_registering_an_existing_address_reveals_nothing_and_adds_the_role(client, make, mailbox):
    scheme, other = make.scheme(), make.scheme()
    existing = make.mentee(scheme, email="known@testborough.gov.uk", name="Known Person")
    fresh = register(client, other, email="new@testborough.gov.uk")
    known = register(client, other, email="known@testborough.gov.uk", full_name="Someone Else")
    assert fresh.status_code == known.status_code == 303
    assert fresh.headers["Location"] == known.headers["Location"]

    link = mailbox.link(mailbox.last("known@testborough.gov.uk"), "/register/")
    client.post_form(link)
    db.session.refresh(existing)
    assert existing.full_name == "Known Person"  # the form cannot rename an account
    assert existing.roles_in(other.id) == {Role.MENTEE}


def test_signed_in_person_joins_another_scheme(client, make, login):
    first, second = make.scheme(), make.scheme()
    person = make.mentee(first)
    login(person)
    refused = client.post_form(f"/schemes/{second.slug}/join", {"roles": ["mentor"]})
    assert refused.status_code == 400
    assert "Confirm that you meet the eligibility statement" in refused.get_data(as_text=True)
    assert client.post_form(f"/schemes/{second.slug}/join",
                            {"roles": ["mentor"], "confirm": "y"}).status_code == 303
    memberships = db.session.scalars(sa.select(Membership).where(
        Membership.user_id == person.id)).all()
    assert {(m.scheme_id, m.role) for m in memberships} == {(first.id, Role.MENTEE),
                                                            (second.id, Role.MENTOR)}


def test_unknown_scheme_is_not_found(client):
    assert client.get("/schemes/no-such-scheme/register").status_code == 404


def test_registration_links_asked_for_by_someone_else_are_capped_without_locking_you_out(
        app, tmp_path, make, mailbox):
    (tmp_path / "proxied").mkdir()
    proxied = make_app(tmp_path / "proxied", TRUST_PROXY_HOPS=1)  # X-Forwarded-For is the client
    proxied.test_client_class = Client
    with proxied.app_context():
        if not PG_URL:
            db.create_all()
        scheme = make.scheme()
        attacker = proxied.test_client()
        answers = [register(attacker, scheme, headers={"X-Forwarded-For": "203.0.113.66"})
                   for _ in range(8)]
        assert [a.status_code for a in answers] == [303] * 8
        assert mailbox.count("grace@testborough.gov.uk") == 5

        owner = proxied.test_client()
        assert register(owner, scheme,
                        headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 303
        assert mailbox.count("grace@testborough.gov.uk") == 6
        link = mailbox.link(mailbox.last("grace@testborough.gov.uk"), "/register/")
        assert owner.post_form(link).status_code == 303
        assert [u.email for u in users()] == ["grace@testborough.gov.uk"]
        db.session.remove()
        db.engine.dispose()
