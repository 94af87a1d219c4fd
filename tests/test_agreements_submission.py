"""Submitting the signed agreement to the administrator, and the administrator's receipt."""

from portal.agreements.models import Agreement, AgreementState
from portal.extensions import db
from portal.relationships.models import Relationship, RelationshipState
from tests.support.agreements import (
    MENTEE_EMAIL,
    MENTOR_EMAIL,
    client_for,
    pair,
    pdf_attachment,
    ready_to_sign,
    sign_from_email,
    signed_by_both,
    world,
)

ADMIN_MAILBOX = "admin-mailbox@scheme.gov.uk"


def fresh(agreement_id):
    db.session.expire_all()
    return db.session.get(Agreement, agreement_id)


def submit_link(mailbox):
    return mailbox.link(mailbox.last(MENTEE_EMAIL, "agreement_signed"), "/agreements/submit/")


def test_mentee_submits_from_the_portal_and_sessions_may_start(app, make, mailbox):
    relationship, agreement = pair(make)
    signed_by_both(app, mailbox, agreement)
    mentee = client_for(app, agreement.mentee)
    dashboard = mentee.get("/dashboard").get_data(as_text=True)
    assert ("Submit your agreement to the scheme administrator before your first session."
            in dashboard)
    response = mentee.post_form(f"/agreements/{agreement.reference}/submit")
    assert response.status_code == 303
    assert "has been submitted" in mentee.get(response.headers["Location"]).get_data(
        as_text=True)
    agreement = fresh(agreement.id)
    assert agreement.state == AgreementState.SUBMITTED
    relationship = db.session.get(Relationship, relationship.id)
    assert relationship.state == RelationshipState.ACTIVE and relationship.may_sessions_start
    to_admin = mailbox.last(ADMIN_MAILBOX, "agreement_submitted")
    assert pdf_attachment(to_admin)[:5] == b"%PDF-"
    assert agreement.signed_version.sha256 in to_admin.body_text
    assert "Submit your agreement" not in mentee.get("/dashboard").get_data(as_text=True)


def test_submission_before_both_signed_is_refused(app, make, mailbox):
    relationship, agreement = pair(make)
    mentee = client_for(app, agreement.mentee)
    for step in ("draft", "sent", "signed by one"):
        if step == "sent":
            ready_to_sign(app, agreement)
        if step == "signed by one":
            sign_from_email(app, mailbox, agreement.mentor)
        before = world(agreement.id)
        response = mentee.post_form(f"/agreements/{agreement.reference}/submit")
        assert response.status_code == 409, step
        assert "once you have both signed" in response.get_data(as_text=True)
        assert world(agreement.id) == before
    assert mailbox.count(ADMIN_MAILBOX) == 0
    assert not db.session.get(Relationship, relationship.id).may_sessions_start


def test_submission_by_the_mentor_is_refused(app, make, mailbox):
    _, agreement = pair(make)
    signed_by_both(app, mailbox, agreement)
    mentor = client_for(app, agreement.mentor)
    before = world(agreement.id)
    response = mentor.post_form(f"/agreements/{agreement.reference}/submit")
    assert response.status_code == 403
    assert "Only the mentee submits" in response.get_data(as_text=True)
    # The mentee's emailed link, opened by the signed-in mentor, is refused too.
    link = submit_link(mailbox)
    assert mentor.get(link).status_code == 403
    assert mentor.post_form(link).status_code == 403
    assert world(agreement.id) == before


def test_a_reused_submit_link_changes_nothing(app, make, mailbox):
    _, agreement = pair(make)
    signed_by_both(app, mailbox, agreement)
    link = submit_link(mailbox)
    browser = client_for(app)
    assert browser.post_form(link).status_code == 303
    before = world(agreement.id)
    assert "already been used: the agreement was submitted on" in browser.get(link).get_data(
        as_text=True)
    again = browser.post_form(link)
    assert again.status_code == 409
    assert "already" in again.get_data(as_text=True).lower()
    assert world(agreement.id) == before
    assert mailbox.count(ADMIN_MAILBOX, "agreement_submitted") == 1


def test_a_submit_link_for_a_voided_version_is_dead(app, make, mailbox):
    from tests.support.agreements import fill_terms

    _, agreement = pair(make)
    signed_by_both(app, mailbox, agreement)
    link = submit_link(mailbox)
    fill_terms(client_for(app, agreement.mentee), agreement, sessions="5")
    browser = client_for(app)
    before = world(agreement.id)
    page = browser.get(link)
    assert page.status_code == 410
    assert "terms changed" in page.get_data(as_text=True)
    assert browser.post_form(link).status_code == 410
    assert world(agreement.id) == before


def submitted(app, make, mailbox):
    """A pair whose signed agreement the mentee has submitted, and the administrator's
    acknowledge link from the email it sent."""
    relationship, agreement = pair(make)
    signed_by_both(app, mailbox, agreement)
    client_for(app).post_form(submit_link(mailbox))
    link = mailbox.link(mailbox.last(ADMIN_MAILBOX, "agreement_submitted"),
                        "/agreements/acknowledge/")
    return relationship, agreement, link


def test_acknowledge_link_works_once_and_tells_both(app, make, mailbox):
    _, agreement, link = submitted(app, make, mailbox)
    browser = client_for(app)
    assert browser.post_form(link).status_code == 303
    agreement = fresh(agreement.id)
    assert agreement.state == AgreementState.ACKNOWLEDGED
    assert agreement.acknowledged_by_id is None  # the mailbox acted, not an account
    for email in (MENTOR_EMAIL, MENTEE_EMAIL):
        assert mailbox.count(email, "agreement_acknowledged") == 1
    before = world(agreement.id)
    reused = browser.post_form(link)
    assert reused.status_code == 410
    assert "was acknowledged on" in reused.get_data(as_text=True)
    assert browser.get(link).status_code == 410
    assert world(agreement.id) == before


def test_acknowledge_link_before_submission_is_refused(app, make, mailbox):
    # An acknowledge link only exists after submission; a forged payload for an unsubmitted
    # agreement is refused and changes nothing.
    from portal import tokens

    _, agreement = pair(make)
    signed_by_both(app, mailbox, agreement)
    with app.test_request_context():
        token = tokens.make("acknowledge-agreement", a=agreement.id, v=agreement.version)
        db.session.commit()
    browser = client_for(app)
    before = world(agreement.id)
    assert browser.get(f"/agreements/acknowledge/{token}").status_code == 409
    assert browser.post_form(f"/agreements/acknowledge/{token}").status_code == 409
    assert world(agreement.id) == before


def test_the_pair_cannot_confirm_receipt_with_a_forwarded_link(app, make, mailbox):
    relationship, agreement, link = submitted(app, make, mailbox)
    before = world(agreement.id)
    for person in (relationship.mentee, relationship.mentor):
        browser = client_for(app, person)
        page = browser.get(link)
        assert page.status_code == 403
        assert "Only the scheme administrator can confirm" in page.get_data(as_text=True)
        assert browser.post_form(link).status_code == 403
        assert world(agreement.id) == before
    # The link still works for the administrator's mailbox afterwards.
    assert client_for(app).post_form(link).status_code == 303
    assert fresh(agreement.id).state == AgreementState.ACKNOWLEDGED
