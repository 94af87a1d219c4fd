"""The agreement as a PDF: what goes in it (``render``: the agreement as signed, then an audit
page; ``render_signed``: any document two people signed by link), and the PDF as a download
or an email attachment. The drawing itself, with fpdf2, is portal.agreements.pdf_layout,
imported with the first PDF a process makes.
"""

from __future__ import annotations

from flask import Response, abort

from portal.agreements import canonical
from portal.agreements.canonical import SignedDocument
from portal.agreements.models import Agreement, AgreementVersion
from portal.mail import Attachment
from portal.templating import utc_stamp


def render(agreement: Agreement, version: AgreementVersion) -> bytes:
    """The PDF of one version: the agreement as signed, then its audit page."""
    record = [
        ("Reference", agreement.reference),
        ("Version", str(version.number)),
        ("Scheme", agreement.scheme.name),
        ("Sent for signatures", utc_stamp(version.created_at)),
    ]
    if version.signed_by_both:
        record.append(("Signed by both", utc_stamp(agreement.signed_at)))
        if agreement.submitted_at:
            record.append(("Submitted to the scheme administrator",
                           utc_stamp(agreement.submitted_at)))
        if agreement.acknowledged_at:
            record.append(("Acknowledged by the scheme administrator",
                           utc_stamp(agreement.acknowledged_at)))
    return render_signed(SignedDocument(
        kind="Agreement", reference=agreement.reference, number=version.number,
        title=f"{version.snapshot.get('title')} {agreement.reference}",
        subject=f"Mentoring agreement {agreement.reference}, version {version.number}",
        created_at=version.created_at, blocks=canonical.blocks(version.snapshot),
        text=version.text, sha256=version.sha256,
        names={party: version.snapshot["parties"][party]["name"]
               for party in ("mentor", "mentee")},
        signatures={party: version.signature_of(party) for party in ("mentor", "mentee")},
        record=record, what_is_checked="the agreement both people signed"))


def render_signed(document: SignedDocument) -> bytes:
    """The PDF of a signed document: its blocks as signed, then its audit page."""
    if canonical.sha256(document.text) != document.sha256:
        raise RuntimeError(f"stored text of {document.reference} v{document.number} does not "
                           "match its hash")
    # fpdf2 is loaded with the first PDF a process makes, not with the app (pdf_layout).
    from portal.agreements import pdf_layout

    return pdf_layout.draw(document)


def filename(agreement: Agreement, version: AgreementVersion) -> str:
    return f"mentoring-agreement-{agreement.reference}-v{version.number}.pdf"


def attachment(agreement: Agreement, version: AgreementVersion) -> Attachment:
    return Attachment(filename(agreement, version), "application/pdf", render(agreement, version))


def download(agreement: Agreement) -> Response:
    """The PDF of the version both signed, as a download (the pair's page and the
    administrator's); not found until both have signed."""
    version = agreement.signed_version
    if version is None:
        abort(404)
    response = Response(render(agreement, version), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{filename(agreement, version)}"')
    return response
