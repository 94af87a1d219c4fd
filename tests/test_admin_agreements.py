"""The scheme administrators' pages: their own scheme's agreements, and nothing of others'."""

from portal.agreements.models import Agreement, AgreementState
from portal.extensions import db
from tests.support.agreements import (
    client_for,
    pair,
    pdf_text,
    ready_to_sign,
    signed_by_both,
    world,
)


def submitted_agreement(app, make, mailbox, scheme):
    _, agreement = pair(make, scheme)
    signed_by_both(app, mailbox, agreement)
    client_for(app, agreement.mentee).post_form(f"/agreements/{agreement.reference}/submit")
    return agreement


def test_administrator_sees_their_schemes_with_counts(app, make, mailbox):
    scheme = make.scheme(name="West Suffolk mentoring")
    make.scheme(name="Someone else's scheme")
    admin = make.admin(scheme)
    pair(make, scheme)
    page = client_for(app, admin).get("/admin")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "West Suffolk mentoring" in html
    assert "Someone else" not in html
    assert "Draft: </span>1" in html


def test_agreements_by_state_and_one_agreement_with_its_audit_trail(app, make, mailbox,
                                                                    count_queries):
    scheme = make.scheme()
    admin = make.admin(scheme)
    agreement = submitted_agreement(app, make, mailbox, scheme)
    browser = client_for(app, admin)
    url = f"/admin/schemes/{scheme.slug}/agreements"
    with count_queries() as one_row:
        assert browser.get(url).status_code == 200
    for n in range(4):
        pair(make, scheme, mentor_email=f"m{n}@testborough.gov.uk",
             mentee_email=f"e{n}@testborough.gov.uk", mentor_name=f"Mentor {n}",
             mentee_name=f"Mentee {n}")
    with count_queries() as five_rows:
        listing = browser.get(url)
    assert five_rows.count == one_row.count, five_rows.statements  # no query per row
    html = listing.get_data(as_text=True)
    assert agreement.reference in html and "Mentee 2" in html
    submitted = browser.get(f"/admin/schemes/{scheme.slug}/agreements?state=submitted")
    html = submitted.get_data(as_text=True)
    assert agreement.reference in html and "Mentee 2" not in html
    assert browser.get(f"/admin/schemes/{scheme.slug}/agreements?state=nonsense").status_code \
        == 404

    page = browser.get(f"/admin/agreements/{agreement.reference}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for step in ("Agreement opened", "Sent for signatures", "Signed by the mentor",
                 "Signed by the mentee", "Signed by both", "Submitted to the administrator"):
        assert step in html, step
    db.session.expire_all()
    version = db.session.get(Agreement, agreement.id).signed_version
    assert version.sha256 in html

    pdf = browser.get(f"/admin/agreements/{agreement.reference}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert version.sha256 in pdf_text(pdf.data)
    assert "attachment" in pdf.headers["Content-Disposition"]


def test_administrator_confirms_receipt_in_the_portal(app, make, mailbox):
    scheme = make.scheme()
    admin = make.admin(scheme)
    agreement = submitted_agreement(app, make, mailbox, scheme)
    browser = client_for(app, admin)
    response = browser.post_form(f"/admin/agreements/{agreement.reference}/acknowledge")
    assert response.status_code == 303
    db.session.expire_all()
    acknowledged = db.session.get(Agreement, agreement.id)
    assert acknowledged.state == AgreementState.ACKNOWLEDGED
    assert acknowledged.acknowledged_by_id == admin.id
    again = browser.post_form(f"/admin/agreements/{agreement.reference}/acknowledge")
    assert again.status_code == 409


def test_an_administrator_of_another_scheme_sees_nothing(app, make, mailbox):
    scheme = make.scheme()
    other_admin = make.admin(make.scheme(), email="other-admin@testborough.gov.uk")
    agreement = submitted_agreement(app, make, mailbox, scheme)
    browser = client_for(app, other_admin)
    before = world(agreement.id)
    assert agreement.reference not in browser.get("/admin").get_data(as_text=True)
    for url in (f"/admin/schemes/{scheme.slug}/agreements",
                f"/admin/agreements/{agreement.reference}",
                f"/admin/agreements/{agreement.reference}/pdf"):
        assert browser.get(url).status_code == 404, url
    assert browser.post_form(
        f"/admin/agreements/{agreement.reference}/acknowledge").status_code == 404
    assert world(agreement.id) == before


def test_people_who_are_not_administrators_are_refused(app, make, mailbox):
    scheme = make.scheme()
    _, agreement = pair(make, scheme)
    ready_to_sign(app, agreement)
    mentee = client_for(app, agreement.mentee)
    assert mentee.get("/admin").status_code == 403
    assert mentee.get(f"/admin/agreements/{agreement.reference}").status_code == 403
    anonymous = client_for(app)
    assert anonymous.get("/admin").status_code == 302
