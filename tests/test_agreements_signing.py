"""Signing by emailed link or in the portal: the checks on the name, the person and the link."""

import sqlalchemy as sa

from portal.agreements import canonical
from portal.agreements.models import Agreement, AgreementSignature, AgreementState
from portal.extensions import db
from portal.relationships.models import RelationshipState
from tests.support.agreements import (
    MENTEE_EMAIL,
    MENTOR_EMAIL,
    client_for,
    pair,
    ready_to_sign,
    sign_form,
    sign_from_email,
    world,
)


def fresh(agreement_id):
    db.session.expire_all()
    return db.session.get(Agreement, agreement_id)


def sign_link(mailbox, email):
    return mailbox.link(mailbox.last(email, "agreement_sign"), "/agreements/sign/")


def test_signing_page_shows_exactly_the_text_being_signed(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    version = fresh(agreement.id).current_version
    page = client_for(app).get(sign_link(mailbox, MENTOR_EMAIL)).get_data(as_text=True)
    assert version.sha256 in page
    for block in canonical.blocks(version.snapshot):
        assert str(block.text).replace("'", "&#39;") in page, block
    assert canonical.text(version.snapshot) == version.text


def test_signing_on_a_phone_starts_with_the_key_terms_and_keeps_the_hash_out_of_the_way(
        app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    version = fresh(agreement.id).current_version
    page = client_for(app).get(sign_link(mailbox, MENTOR_EMAIL)).get_data(as_text=True)

    key_terms = page.index("The key terms")
    whole = page.index("govuk-details__summary-text")
    first_clause = page.index(version.snapshot["sections"][0]["clauses"][0].replace("'", "&#39;"))
    assert key_terms < whole < first_clause  # the full text is there, after the summary
    assert 'class="govuk-details"' in page
    for label in ("Start date", "Number of sessions", "How often we meet", "Review date"):
        assert label in page[key_terms:whole]
    # The fingerprint travels in the form, not on the page (it is on the PDF and /verify).
    assert "SHA-256" not in page
    hint = page[page.index('id="full_name-hint"'):page.index('id="full_name"')]
    assert agreement.mentor.full_name not in hint  # the hint does not hand out the name to type

    # The email asking for a signature says what is being signed.
    email = mailbox.last(MENTOR_EMAIL, "agreement_sign").body_text
    agreed = fresh(agreement.id)
    assert "What you have agreed:" in email
    assert f"- Sessions: about {agreed.sessions}" in email
    assert "- Review date: " in email and "- Start date: " in email


def test_signature_records_who_when_where_and_the_hash(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    browser = client_for(app)
    link = sign_link(mailbox, MENTOR_EMAIL)
    page = browser.get(link)
    response = browser.post_form(link, sign_form(page, "ZOE   o suilleabhain"),
                                 headers={"User-Agent": "Mozilla/5.0 Test Phone"},
                                 environ_base={"REMOTE_ADDR": "198.51.100.23"})
    assert response.status_code == 303
    signature = db.session.scalar(sa.select(AgreementSignature))
    version = fresh(agreement.id).current_version
    assert signature.party == "mentor"
    assert signature.user_id == agreement.mentor.id
    assert signature.typed_name == "ZOE o suilleabhain"
    assert signature.ip_address == "198.51.100.23"
    assert signature.user_agent == "Mozilla/5.0 Test Phone"
    assert signature.text_sha256 == version.sha256 == canonical.sha256(version.text)
    assert signature.via == "email link"
    assert signature.signed_at.tzinfo is not None
    assert fresh(agreement.id).state == AgreementState.SIGNED_BY_ONE


def test_a_name_that_does_not_match_the_account_is_refused(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    browser = client_for(app)
    link = sign_link(mailbox, MENTOR_EMAIL)
    page = browser.get(link)
    before = world(agreement.id)
    for data, message in (
        (sign_form(page, "Łukasz Nowak"), "Enter your full name as it is on your account"),
        (sign_form(page, ""), "Enter your full name"),
        (sign_form(page, "Zoë Ó Súilleabháin", confirm=False),
         "Confirm that you have read the agreement and agree to it"),
    ):
        response = browser.post_form(link, data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert world(agreement.id) == before


def test_signing_twice_is_harmless(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    response, link = sign_from_email(app, mailbox, agreement.mentor)
    assert response.status_code == 303
    before = world(agreement.id)
    browser = client_for(app)
    page = browser.get(link)
    assert page.status_code == 410
    assert "already been used: the agreement was signed on" in page.get_data(as_text=True)
    again = browser.post_form(link, {"full_name": "Zoë Ó Súilleabháin", "confirm": "y"})
    assert again.status_code == 303
    assert again.headers["Location"] == "/done"
    assert "You have signed" in browser.get(again.headers["Location"]).get_data(as_text=True)
    assert world(agreement.id) == before


def test_the_wrong_partys_link_is_refused(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    mentees_link = sign_link(mailbox, MENTEE_EMAIL)
    mentor = client_for(app, agreement.mentor)
    before = world(agreement.id)
    page = mentor.get(mentees_link)
    assert page.status_code == 403
    assert "This link is for someone else" in page.get_data(as_text=True)
    response = mentor.post_form(mentees_link, {"full_name": "Zoë Ó Súilleabháin",
                                               "confirm": "y"})
    assert response.status_code == 403
    # Without signing in, the mentee's link signs only as the mentee: the mentor's name fails.
    anonymous = client_for(app)
    page = anonymous.get(mentees_link)
    refused = anonymous.post_form(mentees_link, sign_form(page, "Zoë Ó Súilleabháin"))
    assert refused.status_code == 400
    assert world(agreement.id) == before


def test_tampered_or_expired_links_are_refused(app, make, mailbox):
    import datetime as dt

    import time_machine

    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    link = sign_link(mailbox, MENTOR_EMAIL)
    browser = client_for(app)
    assert browser.get(link[:-4] + "abcd").status_code == 400
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31), tick=False):
        expired = browser.get(link)
        assert expired.status_code == 410
        assert "expired" in expired.get_data(as_text=True)


def test_signing_in_the_portal(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    mentor = client_for(app, agreement.mentor)
    dashboard = mentor.get("/dashboard").get_data(as_text=True)
    assert "Sign the agreement" in dashboard
    url = f"/agreements/{agreement.reference}/sign"
    page = mentor.get(url)
    assert page.status_code == 200
    response = mentor.post_form(url, sign_form(page, "Zoë Ó Súilleabháin"))
    assert response.status_code == 303
    signature = db.session.scalar(sa.select(AgreementSignature))
    assert signature.via == "portal"
    assert "Waiting for" in mentor.get("/dashboard").get_data(as_text=True)


def test_a_stale_page_cannot_sign_a_changed_agreement(app, make, mailbox):
    from tests.support.agreements import fill_terms, send

    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    mentor = client_for(app, agreement.mentor)
    url = f"/agreements/{agreement.reference}/sign"
    stale = mentor.get(url)
    mentee = client_for(app, agreement.mentee)
    fill_terms(mentee, agreement, sessions="4")
    send(mentee, agreement)
    response = mentor.post_form(url, sign_form(stale, "Zoë Ó Súilleabháin"))
    assert response.status_code == 410
    assert fresh(agreement.id).current_version.signatures == []


def test_cannot_sign_before_sending_or_after_the_relationship_ended(app, make, mailbox):
    relationship, agreement = pair(make)
    mentor = client_for(app, agreement.mentor)
    assert mentor.get(f"/agreements/{agreement.reference}/sign").status_code == 409
    ready_to_sign(app, agreement)
    relationship = db.session.get(type(relationship), relationship.id)
    relationship.state = RelationshipState.ENDED
    db.session.commit()
    before = world(agreement.id)
    response, _ = sign_from_email(app, mailbox, agreement.mentor)
    assert response.status_code == 409
    assert "has ended" in response.get_data(as_text=True)
    assert world(agreement.id) == before


def test_both_signing_sends_one_pdf_to_each(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    sign_from_email(app, mailbox, agreement.mentee)
    sign_from_email(app, mailbox, agreement.mentor)
    agreement = fresh(agreement.id)
    assert agreement.state == AgreementState.SIGNED_BY_BOTH
    assert agreement.signed_at is not None
    for email in (MENTOR_EMAIL, MENTEE_EMAIL):
        assert mailbox.count(email, "agreement_signed") == 1
    mentee_email = mailbox.last(MENTEE_EMAIL, "agreement_signed")
    assert "Submit to the scheme administrator" in mentee_email.body_text
    assert "submit your agreement before your first session" in mentee_email.body_text
