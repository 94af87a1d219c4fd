"""Checking a PDF against the signed record, and the PDF itself."""

import sqlalchemy as sa

from portal.agreements import canonical, pdf, pdf_layout
from portal.agreements.models import Agreement
from portal.extensions import db
from tests.support.agreements import (
    client_for,
    fill_terms,
    pair,
    pdf_attachment,
    pdf_text,
    ready_to_sign,
    sign_from_email,
    signed_by_both,
)


def signed(app, make, mailbox, **kwargs):
    _, agreement = pair(make, **kwargs)
    signed_by_both(app, mailbox, agreement)
    db.session.expire_all()
    return db.session.get(Agreement, agreement.id)


def check(client, reference, sha256):
    return client.get("/verify", query_string={"reference": reference, "sha256": sha256})


def test_verify_accepts_the_signed_hash_and_refuses_any_other(app, make, mailbox):
    agreement = signed(app, make, mailbox)
    version = agreement.signed_version
    browser = client_for(app)
    assert "Check a signed document" in browser.get("/verify").get_data(as_text=True)
    spaced = " ".join(version.sha256[i:i + 8] for i in range(0, 64, 8))
    ok = check(browser, agreement.reference.replace("-", "").lower(), spaced)
    html = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "It matches" in html
    assert "signed by both people on" in html
    assert agreement.mentor.full_name not in html and agreement.mentee_email not in html
    for reference, sha in ((agreement.reference, canonical.sha256(version.text + " ")),
                           ("MA-0000-0000", version.sha256)):
        answer = check(browser, reference, sha).get_data(as_text=True)
        assert "No match" in answer and "It matches" not in answer


def test_a_version_never_signed_by_both_does_not_verify(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    sign_from_email(app, mailbox, agreement.mentor)
    db.session.expire_all()
    version = db.session.get(Agreement, agreement.id).current_version
    answer = check(client_for(app), agreement.reference, version.sha256)
    assert "No match" in answer.get_data(as_text=True)


def test_a_tampered_stored_text_no_longer_verifies(app, make, mailbox):
    agreement = signed(app, make, mailbox)
    version = agreement.signed_version
    version.text = version.text.replace("6 sessions", "60 sessions")
    db.session.commit()
    answer = check(client_for(app), agreement.reference, version.sha256)
    assert "No match" in answer.get_data(as_text=True)


def test_bad_verify_input_shows_an_error(app):
    response = check(client_for(app), "", "not a hash")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the agreement reference" in html
    assert "Enter the SHA-256 as 64 letters" in html


def test_the_pdf_holds_names_terms_clauses_and_hash_in_any_script(app, make, mailbox):
    agreement = signed(app, make, mailbox, mentor_name="Ὀδυσσεύς Папандреу",
                       mentee_name="Zoë Ó Súilleabháin 山田 🙂",
                       mentor_email="greek@testborough.gov.uk",
                       mentee_email="zoe@testborough.gov.uk")
    version = agreement.signed_version
    text = pdf_text(pdf_attachment(mailbox.last("zoe@testborough.gov.uk", "agreement_signed")))
    for expected in ("Ὀδυσσεύς Папандреу", "Zoë Ó Súilleabháin", "Listen without judging.",
                     "What we discuss stays between us", "Once every two months",
                     "Build a network outside my own council", version.sha256,
                     agreement.reference, "2 June 2026", "Signature", "IP address"):
        assert expected in text, expected
    assert "山田" not in text  # outside the embedded font: printed as "?", never an error
    with app.test_request_context():
        assert pdf.render(agreement, version) == pdf.render(agreement, version)


def test_kept_font_subsets_draw_what_fpdfs_own_subsetting_draws(app, make, mailbox,
                                                                 monkeypatch):
    """The PDF's fonts are subset once per process (font_subsets); the text must come out the
    same as when fpdf2 subsets them for each document, in Latin-1 and beyond it."""
    assert pdf_layout._SUBSETS_KEPT  # fpdf2 still lets the portal hand it the subsets
    rendered = []
    for n, name in enumerate(("Zoë Ó Súilleabháin", "Łukasz Ścibór-Żak")):
        agreement = signed(app, make, mailbox, mentee_name=name,
                           mentor_email=f"mentor{n}@testborough.gov.uk",
                           mentee_email=f"mentee{n}@testborough.gov.uk")
        with app.test_request_context():
            kept = pdf.render(agreement, agreement.signed_version)
            monkeypatch.setattr(pdf_layout, "_SUBSETS_KEPT", False)
            own = pdf.render(agreement, agreement.signed_version)
            monkeypatch.setattr(pdf_layout, "_SUBSETS_KEPT", True)
        assert name in pdf_text(kept)
        assert pdf_text(kept) == pdf_text(own)
        rendered.append(kept)
    assert rendered[0] != rendered[1]


def test_every_version_keeps_its_own_text_and_hash(app, make, mailbox):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    fill_terms(client_for(app, agreement.mentee), agreement, notice_hours="24")
    client_for(app, agreement.mentee).post_form(f"/agreements/{agreement.reference}/send")
    db.session.expire_all()
    versions = db.session.scalar(sa.select(Agreement)).versions
    assert [v.number for v in versions] == [1, 2]
    for version in versions:
        assert canonical.sha256(version.text) == version.sha256
        assert canonical.text(version.snapshot) == version.text
    assert "At least 48 hours" in versions[0].text and "At least 24 hours" in versions[1].text


def test_the_pdfs_lines_fit_their_cells_as_fpdf_measures_them():
    """The PDF breaks its own lines: each must fit the cell, and no word may be lost."""
    doc = pdf_layout._Document("MA-TEST-0001", 1)
    doc.add_page()
    text = ("Mentoring covers work-related matters; for anything personal the mentor suggests "
            "other help.\nA second paragraph after a line break, with  two spaces. "
            + "Mozilla/5.0(X11;Linux-x86_64)AppleWebKit/537.36(KHTML,like-Gecko)" * 3
            + " Zoë Ó Súilleabháin and Łukasz")
    for width, style, size in ((170, "", 10), (112, "B", 10), (63, "", 8.5), (20, "B", 9)):
        lines = pdf_layout._Document.lines(doc, text, width, style, size)
        room = width - 2 * doc.c_margin
        assert len(lines) > 1
        for line in lines:
            assert doc.get_string_width(line) <= room + 1e-6, (width, line)
        assert "".join("".join(lines).split()) == "".join(text.split())
    assert lines[0] != "" and pdf_layout._Document.lines(doc, "", 50) == [""]
