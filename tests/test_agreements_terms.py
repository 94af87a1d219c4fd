"""Agreeing the terms: opening, filling in, checking, sending, and changes that void a version."""

import pytest
import sqlalchemy as sa

from portal.agreements.models import Agreement, AgreementState
from portal.extensions import db
from portal.relationships.models import RelationshipState
from tests.support.agreements import (
    MENTEE_EMAIL,
    MENTEE_NAME,
    MENTOR_EMAIL,
    TERMS,
    client_for,
    fill_terms,
    pair,
    ready_to_sign,
    send,
    sign_from_email,
    world,
)


def fresh(agreement_id):
    db.session.expire_all()
    return db.session.get(Agreement, agreement_id)


def test_agreement_opens_with_the_relationship_and_snapshots_the_clauses(make, mailbox):
    scheme = make.scheme()
    _, agreement = pair(make, scheme)
    assert agreement.state == AgreementState.DRAFT
    assert agreement.reference.startswith("MA-")
    assert agreement.notice_hours == 48 and agreement.sessions == 6
    assert agreement.template["sections"][0]["clauses"] == ["Listen without judging.",
                                                            "Keep notes securely."]
    assert mailbox.count(MENTOR_EMAIL, "agreement_opened") == 1
    assert mailbox.count(MENTEE_EMAIL, "agreement_opened") == 1

    # A later change to the scheme's pack does not touch this agreement.
    scheme.agreement_template = {"sections": [{"title": "New", "party": "both",
                                               "clauses": ["Something else."]}]}
    db.session.commit()
    assert fresh(agreement.id).template["sections"][0]["title"] == "The mentor agrees to"


def test_a_template_with_only_sections_gets_sensible_defaults(make):
    scheme = make.scheme(agreement_template={"sections": [
        {"title": "Both agree", "clauses": ["Be kind."]}]})
    _, agreement = pair(make, scheme)
    assert agreement.notice_hours == 48
    assert agreement.template["title"] == "Mentoring agreement"
    assert agreement.template["sections"][0]["party"] == "both"


def test_no_agreement_for_a_relationship_that_starts_active(make):
    relationship = make.relationship(state=RelationshipState.ACTIVE)
    assert db.session.scalar(sa.select(Agreement).where(
        Agreement.relationship_id == relationship.id)) is None


def test_either_party_fills_in_the_terms_and_checks_them(app, make):
    _, agreement = pair(make)
    mentor = client_for(app, agreement.mentor)
    page = mentor.get(f"/agreements/{agreement.reference}/terms")
    assert page.status_code == 200
    assert MENTOR_EMAIL in page.get_data(as_text=True)  # your own contact details, prefilled
    response = fill_terms(mentor, agreement, party="mentor", phone="07700 900 982")
    assert response.status_code == 303
    check = mentor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your agreement" in check
    assert "Lead my first planning committee report" in check
    assert "07700 900 982" in check
    assert "Send for signatures" in check
    agreement = fresh(agreement.id)
    assert agreement.mentor_phone == "07700 900 982"
    assert agreement.goals == [TERMS["goal_1"], TERMS["goal_2"]]


@pytest.mark.parametrize("field, value, message", [
    ("start_date", "", "Enter the start date"),
    ("start_date", "2026-02-30", "Enter the start date as a real date"),
    ("review_date", "2026-01-01", "The review date must be after the start date"),
    ("review_date", "2027-05-01", "The review date must be before the mentoring ends"),
    ("max_minutes", "30", "The longest meeting cannot be shorter than the shortest"),
    ("sessions", "lots", "Enter the number of sessions as a whole number"),
    ("duration_months", "40", "Enter how many months the mentoring lasts between 1 and 36"),
    ("goal_1", "", "Enter at least one goal"),
    ("arranges_meetings", "the cat", "Select who arranges meetings"),
    ("email", "not an address", "Enter an email address in the correct format"),
    ("phone", "call me", "Enter a phone number"),
])
def test_bad_terms_show_an_error_and_change_nothing(app, make, field, value, message):
    _, agreement = pair(make)
    mentee = client_for(app, agreement.mentee)
    before = world(agreement.id)
    overrides = {field: value}
    if field == "goal_1":
        overrides["goal_2"] = ""
    response = fill_terms(mentee, agreement, **overrides)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert "<title>Error:" in page
    assert world(agreement.id) == before


def test_cannot_send_before_the_terms_are_filled_in(app, make, mailbox):
    _, agreement = pair(make)
    mentee = client_for(app, agreement.mentee)
    before = world(agreement.id)
    response = send(mentee, agreement)
    assert response.status_code == 409
    assert "Fill in the terms" in response.get_data(as_text=True)
    assert world(agreement.id) == before


def test_sending_emails_both_a_personal_signing_link(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    agreement = fresh(agreement.id)
    assert agreement.state == AgreementState.SENT
    version = agreement.current_version
    assert version.number == 1 and len(version.sha256) == 64
    links = {mailbox.link(mailbox.last(email, "agreement_sign"), "/agreements/sign/")
             for email in (MENTOR_EMAIL, MENTEE_EMAIL)}
    assert len(links) == 2
    again = send(client_for(app, agreement.mentee), agreement)
    assert again.status_code == 409


def test_outsiders_and_anonymous_people_cannot_see_or_change_the_agreement(app, make):
    _, agreement = pair(make)
    outsider = client_for(app, make.mentee(agreement.scheme))
    before = world(agreement.id)
    for url in ("", "/terms", "/check", "/sign"):
        assert outsider.get(f"/agreements/{agreement.reference}{url}").status_code == 404
    assert fill_terms(outsider, agreement).status_code == 404
    assert send(outsider, agreement).status_code == 404
    anonymous = client_for(app)
    response = anonymous.get(f"/agreements/{agreement.reference}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert fill_terms(anonymous, agreement).status_code == 302
    assert world(agreement.id) == before


def test_changing_terms_after_a_signature_voids_it_and_tells_both(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    response, old_link = sign_from_email(app, mailbox, agreement.mentor)
    assert response.status_code == 303
    assert fresh(agreement.id).state == AgreementState.SIGNED_BY_ONE

    mentee = client_for(app, agreement.mentee)
    page = mentee.get(f"/agreements/{agreement.reference}/terms").get_data(as_text=True)
    assert "already signed" in page
    assert fill_terms(mentee, agreement, sessions="8").status_code == 303

    agreement = fresh(agreement.id)
    assert agreement.state == AgreementState.DRAFT
    assert agreement.version == 2
    old = agreement.versions[0]
    assert old.voided_at is not None and "number of sessions" in old.void_reason
    assert len(old.signatures) == 1  # kept as a record, no longer counts
    for email in (MENTOR_EMAIL, MENTEE_EMAIL):
        told = mailbox.last(email, "agreement_voided")
        assert "number of sessions" in told.body_text
        assert "signatures on the earlier version have been cancelled" in told.body_text

    # The old signing link is dead and says why, for both GET and POST.
    browser = client_for(app)
    dead = browser.get(old_link)
    assert dead.status_code == 410
    assert "terms were changed on" in dead.get_data(as_text=True)
    assert MENTEE_NAME not in dead.get_data(as_text=True)
    assert browser.post_form(old_link, {"full_name": "x"}).status_code == 410

    # Send again: version 2 gets its own text and hash, and new links.
    assert send(mentee, agreement).status_code == 303
    agreement = fresh(agreement.id)
    assert agreement.current_version.number == 2
    assert agreement.current_version.sha256 != old.sha256
    assert "Number of sessions: About 8 sessions" in agreement.current_version.text


def test_saving_unchanged_terms_after_sending_keeps_the_version(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    mentee = client_for(app, agreement.mentee)
    assert fill_terms(mentee, agreement).status_code == 303
    agreement = fresh(agreement.id)
    assert agreement.state == AgreementState.SENT and agreement.version == 1
    assert mailbox.count(MENTOR_EMAIL, "agreement_voided") == 0


def test_terms_cannot_change_after_submission(app, make, mailbox):
    from tests.support.agreements import signed_by_both

    _, agreement = pair(make)
    signed_by_both(app, mailbox, agreement)
    mentee = client_for(app, agreement.mentee)
    assert mentee.post_form(f"/agreements/{agreement.reference}/submit").status_code == 303
    before = world(agreement.id)
    assert fill_terms(mentee, agreement, sessions="9").status_code == 409
    assert mentee.get(f"/agreements/{agreement.reference}/terms").status_code == 409
    assert world(agreement.id) == before
