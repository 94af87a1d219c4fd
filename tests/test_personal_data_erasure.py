"""Deleting an account, by its person or by an administrator carrying out an erasure request:
afterwards the address signs nobody in and appears in no page, search result, outbox row or
download, while the other person's signed PDF still verifies; what was open closed kindly."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa
import time_machine

from portal.accounts.models import User
from portal.agreements.models import Agreement
from portal.audit import AuditEvent
from portal.calls.models import CallState, ChemistryCall
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mentors.models import MentorProfile, ShortlistEntry
from portal.personal_data.erasure import ERASED_NAME, erased_email
from portal.relationships.models import Relationship, RelationshipState
from tests.support.agreements import client_for, pair, signed_by_both
from tests.support.calls import NOW, request_data

MENTEE_NAME_WORD = "Nowak"


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def delete_own(app, person):
    return client_for(app, person).post_form("/account/delete", {"confirm": "y"})


def signed_pair(app, make, mailbox):
    scheme = make.scheme()
    relationship, agreement = pair(make, scheme)
    signed_by_both(app, mailbox, agreement)
    mentee = client_for(app, relationship.mentee)
    assert mentee.post_form(f"/agreements/{agreement.reference}/submit").status_code == 303
    db.session.expire_all()
    return (db.session.get(Relationship, relationship.id),
            db.session.get(Agreement, agreement.id))


def everything_text() -> str:
    """Every text column that could hold a person's details outside the signed records, as
    one string."""
    db.session.expire_all()
    parts = []
    for model, columns in ((User, ("full_name", "email", "phone")),
                           (MentorProfile, ("display_name", "background")),
                           (ChemistryCall, ("hopes", "decline_note")),
                           (Agreement, ("mentor_email", "mentee_email")),
                           (OutboxMessage, ("to_address", "subject", "body_text", "body_html"))):
        for row in db.session.execute(sa.select(*[getattr(model, c) for c in columns])):
            parts += [str(value) for value in row]
    for event in db.session.scalars(sa.select(AuditEvent)):
        parts.append(str(event.detail))
    return " ".join(parts)


def test_deleting_your_account_keeps_the_other_persons_signed_record(app, make, mailbox):
    relationship, agreement = signed_pair(app, make, mailbox)
    mentee = relationship.mentee
    old_email, old_name = mentee.email, mentee.full_name
    mentor_pdf = client_for(app, relationship.mentor).get(
        f"/agreements/{agreement.reference}/pdf")
    other_device = client_for(app, mentee)
    page = client_for(app, mentee).get("/account/delete")
    assert page.status_code == 200 and "This cannot be undone" in text(page)

    done = delete_own(app, mentee)
    assert done.status_code == 303 and done.headers["Location"].endswith("/done")
    db.session.expire_all()
    erased = db.session.get(User, mentee.id)
    assert (erased.full_name, erased.email, erased.erased_at is not None) == (
        ERASED_NAME, erased_email(mentee.id), True)
    assert erased.memberships == []
    # The running mentoring ended, the mentor was told, and not the erased address.
    assert db.session.get(Relationship, relationship.id).state == RelationshipState.ENDED
    assert mailbox.count(relationship.mentor.email, "relationship_ended") == 1
    assert mailbox.count(old_email, "relationship_ended") == 0
    # The address and name are nowhere but in the signed text (kept for retention) and the
    # goodbye email.
    assert mailbox.all(old_email) == []
    copies = list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == erased_email(mentee.id))))
    assert copies and all(m.body_text == "" and m.attachments == [] for m in copies)
    leftover = everything_text()
    assert old_email not in leftover and old_name not in leftover
    # The mentor's signed PDF still verifies.
    version = db.session.get(Agreement, agreement.id).signed_version
    assert old_name in version.text
    verified = client_for(app).get("/verify", query_string={
        "reference": agreement.reference, "sha256": version.sha256})
    assert "It matches" in text(verified) and mentor_pdf.status_code == 200
    # The address signs nobody in; the old session is gone.
    browser = client_for(app)
    browser.post_form("/sign-in", {"email": old_email})
    assert mailbox.count(old_email, "sign_in") == 0
    assert mailbox.count(old_email, "no_account") == 1
    assert other_device.get("/account").status_code in (302, 303)
    # The other person sees "Former participant".
    other_view = text(client_for(app, relationship.mentor).get(
        f"/relationships/{relationship.id}"))
    assert ERASED_NAME in other_view and MENTEE_NAME_WORD not in other_view


@time_machine.travel(NOW, tick=False)
def test_a_mentors_profile_leaves_search_and_waiting_requests_close(app, make, mailbox):
    scheme = make.scheme()
    profile = make.mentor(scheme, name="Grace Hopper", email="grace@testborough.gov.uk",
                          expertise=["Leadership"])
    mentee = make.mentee(scheme, name="Ada Lovelace", email="ada@testborough.gov.uk")
    asker = client_for(app, mentee)
    assert asker.post_form(f"/shortlist/{profile.id}/add", {}).status_code == 303
    assert asker.post_form(f"/calls/new/{profile.id}", request_data()).status_code == 303
    assert delete_own(app, profile.user).status_code == 303
    db.session.expire_all()
    call = db.session.scalar(sa.select(ChemistryCall))
    assert call.state == CallState.DECLINED
    assert mailbox.count("ada@testborough.gov.uk", "call_closed") == 1
    found = text(client_for(app, mentee).get("/search", query_string={"q": "Hopper"}))
    assert "Grace Hopper" not in found
    assert db.session.get(MentorProfile, profile.id).display_name == ERASED_NAME
    # The mentee's shortlist entry is the mentee's own: it stays, naming nobody.
    [entry] = db.session.scalars(sa.select(ShortlistEntry))
    assert entry.mentee_id == mentee.id
    assert "Grace Hopper" not in text(client_for(app, mentee).get("/shortlist"))


def test_an_administrator_carries_out_an_erasure_request(app, make, mailbox):
    scheme = make.scheme()
    admin = make.admin(scheme)
    person = make.mentee(scheme, name="Ada Lovelace", email="ada@testborough.gov.uk")
    url = f"/admin/schemes/{scheme.slug}/people/{person.id}/erase"
    desk = client_for(app, admin)
    assert "Delete account" in text(desk.get(f"/admin/schemes/{scheme.slug}/people"))
    refused = desk.post_form(url, {"reason": "Request of 3 December"})
    assert refused.status_code == 400 and "Confirm that the account" in text(refused)
    assert db.session.get(User, person.id).erased_at is None
    done = desk.post_form(url, {"reason": "Request of 3 December", "confirm": "y"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, person.id).full_name == ERASED_NAME
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "erased"))
    assert event.actor_id == admin.id and event.detail["by"] == "administrator"
    assert event.detail["reason"] == "Request of 3 December"
    again = desk.post_form(url, {"confirm": "y"})
    assert again.status_code == 404  # no longer a member of the scheme


def test_who_may_delete_an_account(app, make):
    scheme, other_scheme = make.scheme(), make.scheme()
    person = make.mentee(scheme, name="Ada Lovelace")
    # Someone in two schemes: an administrator of only one of them may not delete the account.
    from portal.accounts.models import Membership, Role

    db.session.add(Membership(user_id=person.id, scheme_id=other_scheme.id, role=Role.MENTEE))
    db.session.commit()
    admin = make.admin(scheme)
    refused = client_for(app, admin).post_form(
        f"/admin/schemes/{scheme.slug}/people/{person.id}/erase", {"confirm": "y"})
    assert refused.status_code == 403 and "a scheme you do not administer" in text(refused)
    assert db.session.get(User, person.id).erased_at is None
    # An administrator of another scheme, and a mentor, get "not found" or are refused.
    for someone in (make.admin(make.scheme()), make.mentor(scheme).user):
        response = client_for(app, someone).post_form(
            f"/admin/schemes/{scheme.slug}/people/{person.id}/erase", {"confirm": "y"})
        assert response.status_code in (403, 404)
    assert db.session.get(User, person.id).erased_at is None
    # Deleting your own account needs the box ticked.
    refused = client_for(app, person).post_form("/account/delete", {})
    assert refused.status_code == 400 and "Confirm that you want" in text(refused)
    assert db.session.get(User, person.id).erased_at is None
