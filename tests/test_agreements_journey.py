"""The whole journey, from a pair who want to work together to an acknowledged agreement,
done only by following the links in the emails: each GET (and HEAD) changes nothing, each POST
acts."""

import html
import re

import sqlalchemy as sa

from portal.agreements import canonical
from portal.agreements.models import Agreement, AgreementState
from portal.extensions import db
from portal.relationships.models import RelationshipState
from tests.support.agreements import (
    MENTEE_EMAIL,
    MENTEE_NAME,
    MENTOR_EMAIL,
    MENTOR_NAME,
    TERMS,
    client_for,
    pair,
    pdf_attachment,
    pdf_text,
    sign_form,
    world,
)


def on_page(page, pattern: str) -> str:
    """The first link or form action on ``page`` that ``pattern`` finds."""
    found = re.search(pattern, page.get_data(as_text=True))
    assert found, f"nothing like {pattern} on the page"
    return html.unescape(found.group(1))


def look(client, link, agreement_id):
    """A mail scanner and then the person open the link: nothing may change."""
    before = world(agreement_id)
    assert client.head(link).status_code in (200, 303)
    page = client.get(link)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert world(agreement_id) == before
    return page


def test_pair_agree_sign_submit_and_administrator_acknowledges_by_email_links(app, make,
                                                                              mailbox):
    scheme = make.scheme(name="Suffolk planning mentoring", admin_email="mentoring@suffolk.gov.uk")
    relationship, agreement = pair(make, scheme)
    aid = agreement.id

    # Both are told the agreement has opened; the mentee signs in by the emailed link.
    opened = mailbox.last(MENTEE_EMAIL, "agreement_opened")
    assert MENTOR_NAME in opened.body_text
    assert mailbox.last(MENTOR_EMAIL, "agreement_opened")
    mentee = client_for(app)
    mentee.post_form("/sign-in", {"email": MENTEE_EMAIL})
    sign_in_link = mailbox.link(mailbox.last(MENTEE_EMAIL, "sign_in"), "/sign-in/")
    assert mentee.post_form(sign_in_link).status_code == 303

    # From the emailed link on, the mentee follows the pages' own links and forms.
    page = look(mentee, mailbox.link(opened, "/agreements/"), aid)
    assert "Fill in the terms" in page.get_data(as_text=True)
    terms_url = on_page(page, r'href="([^"]+/terms)"')
    form = look(mentee, terms_url, aid)
    response = mentee.post_form(on_page(form, r'<form[^>]+action="([^"]+/terms)"'),
                                {**TERMS, "email": MENTEE_EMAIL})
    assert response.status_code == 303
    check_url = response.headers["Location"]
    page = look(mentee, check_url, aid)
    assert "Send for signatures" in page.get_data(as_text=True)
    send_url = on_page(page, r'<form[^>]+action="([^"]+/send)"')
    assert mentee.post_form(send_url).status_code == 303

    # Each signs from their own emailed link, without signing in.
    for email, name, typed in ((MENTOR_EMAIL, MENTOR_NAME, "  zoë ó SÚILLEABHÁIN "),
                               (MENTEE_EMAIL, MENTEE_NAME, "Łukasz Nowak")):
        link = mailbox.link(mailbox.last(email, "agreement_sign"), "/agreements/sign/")
        browser = client_for(app)
        page = look(browser, link, aid)
        assert name in page.get_data(as_text=True)
        done = browser.post_form(link, sign_form(page, typed))
        assert done.status_code == 303
        assert "You have signed" in browser.get(done.headers["Location"]).get_data(as_text=True)

    db.session.expire_all()
    agreement = db.session.get(Agreement, aid)
    assert agreement.state == AgreementState.SIGNED_BY_BOTH
    version = agreement.signed_version
    for email in (MENTOR_EMAIL, MENTEE_EMAIL):
        signed = mailbox.last(email, "agreement_signed")
        assert pdf_attachment(signed)
        assert version.sha256 in signed.body_text
    assert "/agreements/submit/" not in mailbox.last(MENTOR_EMAIL, "agreement_signed").body_text
    assert not relationship.may_sessions_start

    # The mentee submits from the emailed link.
    submit_link = mailbox.link(mailbox.last(MENTEE_EMAIL, "agreement_signed"),
                               "/agreements/submit/")
    browser = client_for(app)
    look(browser, submit_link, aid)
    assert browser.post_form(submit_link).status_code == 303
    db.session.expire_all()
    assert db.session.get(Agreement, aid).state == AgreementState.SUBMITTED
    relationship = db.session.get(type(relationship), relationship.id)
    assert relationship.state == RelationshipState.ACTIVE
    assert relationship.activated_at is not None
    assert relationship.may_sessions_start
    assert mailbox.last(MENTOR_EMAIL, "agreement_active")

    # The administrator mailbox gets the PDF, a link to the admin pages and one to acknowledge.
    to_admin = mailbox.last("mentoring@suffolk.gov.uk", "agreement_submitted")
    assert f"/admin/agreements/{agreement.reference}" in to_admin.body_text
    data = pdf_attachment(to_admin)
    text = pdf_text(data)
    for expected in (MENTOR_NAME, MENTEE_NAME, agreement.reference, version.sha256,
                     "2 March 2026", "At least 48 hours", "Lead my first planning committee report",
                     "At least 45 minutes and at most 90 minutes", "Audit page"):
        assert expected in text, expected
    assert canonical.sha256(version.text) == version.sha256
    assert canonical.text(version.snapshot) == version.text

    ack_link = mailbox.link(to_admin, "/agreements/acknowledge/")
    admin_browser = client_for(app)
    look(admin_browser, ack_link, aid)
    response = admin_browser.post_form(ack_link)
    assert response.status_code == 303
    assert "Receipt confirmed" in admin_browser.get(response.headers["Location"]).get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(Agreement, aid).state == AgreementState.ACKNOWLEDGED
    assert mailbox.last(MENTOR_EMAIL, "agreement_acknowledged")
    assert mailbox.last(MENTEE_EMAIL, "agreement_acknowledged")

    # Anyone holding the PDF can check it; a changed hash does not match.
    checker = client_for(app)
    ok = checker.get("/verify", query_string={"reference": agreement.reference.lower(),
                                               "sha256": version.sha256.upper()})
    assert "It matches" in ok.get_data(as_text=True)
    assert MENTEE_NAME not in ok.get_data(as_text=True)
    changed = version.sha256[:-1] + ("0" if version.sha256[-1] != "0" else "1")
    no = checker.get("/verify", query_string={"reference": agreement.reference,
                                               "sha256": changed})
    assert "No match" in no.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 1
