"""Appointing administrators: by an operator's command, by an administrator's emailed invitation,
and removing one from the desk; and a site administrator's view of the email about no scheme."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import Membership, Role, User
from portal.audit import AuditEvent
from portal.extensions import db
from portal.mail.models import MessageState, OutboxMessage
from tests.support.agreements import client_for


def admins_of(scheme) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(
        sa.select(User.email).join(Membership)
        .where(Membership.scheme_id == scheme.id, Membership.role == Role.ADMIN)))


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


# --- the command line --------------------------------------------------------------------------

def test_grant_and_revoke_by_command_are_audited_and_safe_to_repeat(app, make, runner):
    scheme = make.scheme(slug="west-suffolk")
    person = make.mentor(scheme, email="Hana.HR@westsuffolk.gov.uk").user

    result = runner.invoke(args=["admins", "grant", "HANA.hr@westsuffolk.gov.uk",
                                 "west-suffolk"])
    assert result.exit_code == 0, result.output
    assert "is now an administrator of: west-suffolk" in result.output
    assert admins_of(scheme) == {"hana.hr@westsuffolk.gov.uk"}
    [granted] = events("admin_granted")
    assert (granted.subject_type, granted.subject_id) == ("scheme", scheme.id)
    assert granted.detail["user_id"] == person.id

    again = runner.invoke(args=["admins", "grant", person.email, "west-suffolk"])
    assert again.exit_code == 0, again.output
    assert "was already an administrator of: west-suffolk" in again.output
    assert len(events("admin_granted")) == 1

    result = runner.invoke(args=["admins", "revoke", person.email, "west-suffolk"])
    assert result.exit_code == 0, result.output
    assert "is no longer an administrator of: west-suffolk" in result.output
    assert "now has no administrator" in result.output  # the last one: an operator may, warned
    assert admins_of(scheme) == set()
    assert len(events("admin_revoked")) == 1
    db.session.expire_all()
    assert db.session.get(User, person.id).roles_in(scheme.id) == {Role.MENTOR}  # other roles stay

    again = runner.invoke(args=["admins", "revoke", person.email, "west-suffolk"])
    assert again.exit_code == 0, again.output
    assert "was not an administrator of: west-suffolk" in again.output
    assert len(events("admin_revoked")) == 1


def test_command_mistakes_are_explained_and_change_nothing(app, make, runner):
    scheme = make.scheme(slug="act")
    make.scheme(slug="gla")
    make.user(email="known@act.gov.uk")

    unknown = runner.invoke(args=["admins", "grant", "nobody@act.gov.uk", "act"])
    assert unknown.exit_code == 1
    assert "There is no account for nobody@act.gov.uk" in unknown.output
    assert "http://portal.test/register" in unknown.output

    wrong_scheme = runner.invoke(args=["admins", "grant", "known@act.gov.uk", "acts"])
    assert wrong_scheme.exit_code == 1
    assert "There is no scheme 'acts'" in wrong_scheme.output
    assert "The schemes are: act, gla." in wrong_scheme.output

    for args in (["known@act.gov.uk"], ["known@act.gov.uk", "act", "--all-schemes"]):
        usage = runner.invoke(args=["admins", "grant", *args])
        assert usage.exit_code == 2
        assert "--all-schemes" in usage.output

    assert admins_of(scheme) == set()
    assert events("admin_granted") == []


def test_a_site_administrator_administers_every_scheme_and_sees_email_about_none(
        app, make, runner, mailbox):
    first, second = make.scheme(slug="first"), make.scheme(slug="second")
    make.admin(first, email="already@first.gov.uk")
    site = make.user(email="site@portal.gov.uk", roles={first: [Role.ADMIN]})
    plain = make.admin(second, email="plain@second.gov.uk")
    lost = OutboxMessage(message_id="<lost@portal.test>", template="sign_in",
                         to_address="bounced@nowhere.gov.uk", scheme_id=None,
                         subject="Your sign-in link", body_text="x", body_html="x",
                         state=MessageState.DEAD, last_error="550 no such mailbox")
    db.session.add(lost)
    db.session.commit()

    assert client_for(app, site).get("/admin/emails-without-a-scheme").status_code == 404
    result = runner.invoke(args=["admins", "grant", "site@portal.gov.uk", "--all-schemes"])
    assert result.exit_code == 0, result.output
    assert "is now an administrator of: second" in result.output
    assert "was already an administrator of: first" in result.output

    browser = client_for(app, site)
    assert "emails about no scheme" in browser.get("/admin").get_data(as_text=True)
    assert "1 email about no scheme could not be delivered" in browser.get(
        "/dashboard").get_data(as_text=True)
    page = browser.get("/admin/emails-without-a-scheme")
    assert page.status_code == 200
    assert "bounced@nowhere.gov.uk" in page.get_data(as_text=True)
    sent = browser.post_form(f"/admin/emails-without-a-scheme/{lost.id}/send-again")
    assert sent.status_code == 303
    db.session.expire_all()
    assert db.session.get(OutboxMessage, lost.id).state != MessageState.DEAD
    assert [e.detail["to"] for e in events("resent")] == ["bounced@nowhere.gov.uk"]

    # A scheme's own administrator sees none of it.
    other = client_for(app, plain)
    assert other.get("/admin/emails-without-a-scheme").status_code == 404
    assert other.post_form(f"/admin/emails-without-a-scheme/{lost.id}/send-again"
                           ).status_code == 404
    assert "emails about no scheme" not in other.get("/admin").get_data(as_text=True)
    assert "about no scheme" not in other.get("/dashboard").get_data(as_text=True)

    # A scheme added later is not theirs until the command is run again.
    make.scheme(slug="third")
    assert browser.get("/admin/emails-without-a-scheme").status_code == 404
    assert runner.invoke(args=["admins", "grant", site.email, "--all-schemes"]).exit_code == 0
    assert browser.get("/admin/emails-without-a-scheme").status_code == 200

    result = runner.invoke(args=["admins", "revoke", site.email, "--all-schemes"])
    assert result.exit_code == 0, result.output
    assert "now has no administrator" in result.output and "third" in result.output
    assert admins_of(first) == {"already@first.gov.uk"}
    assert admins_of(second) == {"plain@second.gov.uk"}


# --- invitations from the desk --------------------------------------------------------------

def invite(browser, scheme, email, name="New Administrator"):
    return browser.post_form(f"/admin/schemes/{scheme.slug}/administrators/invite",
                             {"full_name": name, "email": email})


def test_an_invitation_makes_an_account_and_an_administrator_once(app, make, mailbox):
    scheme = make.scheme(name="ACT mentoring")
    inviter = make.user(email="ines@act.gov.uk", name="Ines Inviter",
                        roles={scheme: [Role.ADMIN]})
    browser = client_for(app, inviter)
    page = browser.get(f"/admin/schemes/{scheme.slug}/administrators")
    assert page.status_code == 200 and "ines@act.gov.uk" in page.get_data(as_text=True)

    response = invite(browser, scheme, "  Noor.New@ACT.gov.uk ", "Noor New")
    assert response.status_code == 303
    message = mailbox.last("noor.new@act.gov.uk", "admin_invitation")
    assert message.subject == "Ines Inviter has invited you to administer ACT mentoring"
    [invited] = events("admin_invited")
    assert invited.actor_id == inviter.id

    link = mailbox.link(message, "/admin-invitation/")
    phone = client_for(app)
    shown = phone.get(link)
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Ines Inviter has invited you" in html and "ACT mentoring" in html
    assert admins_of(scheme) == {"ines@act.gov.uk"}  # GET only shows

    accepted = phone.post_form(link)
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith("/done")
    assert "You are now an administrator of ACT mentoring" in phone.get("/done").get_data(
        as_text=True)
    assert admins_of(scheme) == {"ines@act.gov.uk", "noor.new@act.gov.uk"}
    db.session.expire_all()
    noor = db.session.scalar(sa.select(User).where(User.email == "noor.new@act.gov.uk"))
    assert noor.full_name == "Noor New"
    # Not signed in by the 14-day invitation: a forwarded copy must not open the desk. Noor
    # signs in as usual, by a link to her address, and then the desk is hers.
    assert "Sign in with your email address" in phone.get("/done").get_data(as_text=True)
    assert phone.get(f"/admin/schemes/{scheme.slug}/requests").status_code == 302
    assert client_for(app, noor).get(f"/admin/schemes/{scheme.slug}/requests").status_code == 200
    [granted] = events("admin_granted")
    assert granted.detail["by"] == "invitation" and granted.detail["invited_by"] == inviter.id

    again = client_for(app)
    assert again.get(link).status_code == 410
    assert again.post_form(link).status_code == 410
    assert len(events("admin_granted")) == 1


def test_an_invitation_is_for_its_address_only(app, make, mailbox):
    scheme = make.scheme()
    inviter = make.admin(scheme, email="inviter@act.gov.uk")
    invitee = make.mentee(scheme, email="invitee@act.gov.uk", name="Ivy Invitee")
    someone = make.mentee(scheme, email="someone@act.gov.uk")
    assert invite(client_for(app, inviter), scheme, invitee.email).status_code == 303
    message = mailbox.last(invitee.email, "admin_invitation")
    assert "adds this to your account" in message.body_text
    link = mailbox.link(message, "/admin-invitation/")

    other = client_for(app, someone)
    assert other.get(link).status_code == 403
    refused = other.post_form(link)
    assert refused.status_code == 403
    assert "sent to another email address" in refused.get_data(as_text=True)
    assert admins_of(scheme) == {"inviter@act.gov.uk"}

    own = client_for(app, invitee)
    assert own.post_form(link).status_code == 303
    assert admins_of(scheme) == {"inviter@act.gov.uk", "invitee@act.gov.uk"}
    db.session.expire_all()
    assert db.session.get(User, invitee.id).roles_in(scheme.id) == {Role.MENTEE, Role.ADMIN}


def test_an_invitation_dies_with_the_inviters_role(app, make, mailbox):
    scheme = make.scheme()
    inviter = make.admin(scheme, email="inviter@act.gov.uk")
    make.admin(scheme, email="stays@act.gov.uk")
    invite(client_for(app, inviter), scheme, "late@act.gov.uk")
    link = mailbox.link(mailbox.last("late@act.gov.uk", "admin_invitation"), "/admin-invitation/")
    [row] = [m for m in db.session.scalars(sa.select(Membership).where(
        Membership.user_id == inviter.id))]
    db.session.delete(row)
    db.session.commit()
    refused = client_for(app, None).post_form(link)
    assert refused.status_code == 410
    assert "no longer an administrator" in refused.get_data(as_text=True)
    assert admins_of(scheme) == {"stays@act.gov.uk"}


def test_invitation_mistakes_are_explained_and_another_schemes_administrator_is_refused(
        app, make, mailbox):
    scheme, other = make.scheme(), make.scheme()
    admin = make.admin(scheme, email="admin@act.gov.uk")
    outsider = make.admin(other, email="outsider@gla.gov.uk")
    browser = client_for(app, admin)
    for data, message in (
            ({"full_name": "", "email": "x@act.gov.uk"}, "Enter their full name"),
            ({"full_name": "X", "email": "not an address"}, "correct format"),
            ({"full_name": "X", "email": "ADMIN@act.gov.uk"}, "already an administrator")):
        response = browser.post_form(f"/admin/schemes/{scheme.slug}/administrators/invite", data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True)
    assert invite(client_for(app, outsider), scheme, "x@act.gov.uk").status_code == 404
    assert mailbox.count(template="admin_invitation") == 0
    assert events("admin_invited") == []


# --- removing an administrator ----------------------------------------------------------------

def test_removing_another_administrator_but_never_the_last(app, make):
    scheme, other = make.scheme(), make.scheme()
    admin = make.admin(scheme, email="first@act.gov.uk")
    second = make.admin(scheme, email="second@act.gov.uk")
    outsider = make.admin(other, email="outsider@gla.gov.uk")
    url = f"/admin/schemes/{scheme.slug}/administrators/{second.id}/remove"

    assert client_for(app, outsider).get(url).status_code == 404
    assert client_for(app, outsider).post_form(url).status_code == 404
    browser = client_for(app, admin)
    assert browser.get(url).status_code == 200
    assert browser.post_form(url).status_code == 303
    assert admins_of(scheme) == {"first@act.gov.uk"}
    [revoked] = events("admin_revoked")
    assert revoked.actor_id == admin.id and revoked.detail["user_id"] == second.id

    own = f"/admin/schemes/{scheme.slug}/administrators/{admin.id}/remove"
    assert "the only administrator" in browser.get(own).get_data(as_text=True)
    refused = browser.post_form(own, {"confirm_self": "y"})
    assert refused.status_code == 409
    assert "only administrator" in refused.get_data(as_text=True)
    assert admins_of(scheme) == {"first@act.gov.uk"}
    # Someone no longer an administrator is not found.
    assert browser.get(url).status_code == 404


def test_removing_yourself_needs_a_tick(app, make):
    scheme = make.scheme()
    admin = make.admin(scheme, email="first@act.gov.uk")
    make.admin(scheme, email="second@act.gov.uk")
    browser = client_for(app, admin)
    own = f"/admin/schemes/{scheme.slug}/administrators/{admin.id}/remove"
    page = browser.get(own).get_data(as_text=True)
    assert "Remove yourself as an administrator" in page
    unticked = browser.post_form(own)
    assert unticked.status_code == 400
    assert "Confirm that you want to remove yourself" in unticked.get_data(as_text=True)
    assert "<title>Error: Remove yourself" in unticked.get_data(as_text=True)
    assert admins_of(scheme) == {"first@act.gov.uk", "second@act.gov.uk"}
    removed = browser.post_form(own, {"confirm_self": "y"})
    assert removed.status_code == 303 and removed.headers["Location"].endswith("/dashboard")
    assert admins_of(scheme) == {"second@act.gov.uk"}
    assert browser.get(f"/admin/schemes/{scheme.slug}/administrators").status_code == 403
