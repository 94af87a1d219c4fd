"""Helpers for the agreement and administrator tests (this module holds no tests itself)."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from portal.agreements.models import Agreement, AgreementSignature
from portal.audit import AuditEvent
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.relationships.models import Relationship
from portal.tokens import EmailedLink
from tests.conftest import Client, sign_in

MENTOR_EMAIL = "zoe.osuilleabhain@testborough.gov.uk"
MENTEE_EMAIL = "lukasz.nowak@testborough.gov.uk"
MENTOR_NAME = "Zoë Ó Súilleabháin"
MENTEE_NAME = "Łukasz Nowak"

TERMS = {
    "start_date": "2026-03-02",
    "duration_months": "12",
    "sessions": "6",
    "frequency": "Once every two months",
    "min_minutes": "45",
    "max_minutes": "90",
    "meeting_format": "either",
    "meeting_place": "Council offices in Bury St Edmunds, or a video call",
    "contact_between": "By email, no more than once a fortnight",
    "notice_hours": "48",
    "arranges_meetings": "mentee",
    "sets_agenda": "mentee",
    "goal_1": "Lead my first planning committee report",
    "goal_2": "Build a network outside my own council",
    "review_date": "2026-06-02",
    "phone": "01632 960 001",
}


def pair(make, scheme=None, **kwargs) -> tuple[Relationship, Agreement]:
    """A pair who want to work together, and the agreement that opened for them."""
    scheme = scheme or make.scheme()
    relationship = make.relationship(
        scheme, mentor_name=kwargs.pop("mentor_name", MENTOR_NAME),
        mentor_email=kwargs.pop("mentor_email", MENTOR_EMAIL),
        mentee_name=kwargs.pop("mentee_name", MENTEE_NAME),
        mentee_email=kwargs.pop("mentee_email", MENTEE_EMAIL), **kwargs)
    agreement = db.session.scalar(sa.select(Agreement)
                                  .where(Agreement.relationship_id == relationship.id))
    return relationship, agreement


def client_for(app, user=None) -> Client:
    """A separate browser, signed in as ``user`` (or anonymous)."""
    app.test_client_class = Client
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    return client


def fill_terms(client, agreement: Agreement, party: str = "mentee", **overrides):
    data = {**TERMS, "email": getattr(agreement, f"{party}_email"), **overrides}
    return client.post_form(f"/agreements/{agreement.reference}/terms", data)


def send(client, agreement: Agreement):
    return client.post_form(f"/agreements/{agreement.reference}/send")


def ready_to_sign(app, agreement: Agreement) -> None:
    """The mentee fills in the terms and sends the agreement for signatures."""
    mentee = client_for(app, agreement.mentee)
    assert fill_terms(mentee, agreement).status_code == 303
    assert send(mentee, agreement).status_code == 303


def sign_from_email(app, mailbox, user, *, name: str | None = None, client=None):
    """Follow the newest signing link emailed to ``user`` and sign."""
    client = client or client_for(app)
    link = mailbox.link(mailbox.last(user.email, "agreement_sign"), "/agreements/sign/")
    page = client.get(link)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post_form(link, sign_form(page, name or user.full_name)), link


def sign_form(page, name: str, confirm: bool = True) -> dict:
    html = page.get_data(as_text=True)
    data = {"full_name": name,
            "version": re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1),
            "sha256": re.search(r'name="sha256" type="hidden" value="([0-9a-f]{64})"',
                                html).group(1)}
    if confirm:
        data["confirm"] = "y"
    return data


def signed_by_both(app, mailbox, agreement: Agreement) -> None:
    ready_to_sign(app, agreement)
    assert sign_from_email(app, mailbox, agreement.mentor)[0].status_code == 303
    assert sign_from_email(app, mailbox, agreement.mentee)[0].status_code == 303


def world(agreement_id: int) -> tuple:
    """Everything a GET must leave alone."""
    db.session.expire_all()
    agreement = db.session.get(Agreement, agreement_id)
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    return (agreement.state, agreement.version, agreement.terms_saved_at,
            agreement.relationship.state, count(AgreementSignature), count(OutboxMessage),
            count(AuditEvent), used_links())


def used_links() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(EmailedLink)
                             .where(EmailedLink.used_at.is_not(None)))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_attachment(message) -> bytes:
    pdfs = [a for a in message.attachments if a.content_type == "application/pdf"]
    assert len(pdfs) == 1, f"expected one PDF attached to {message.template}"
    return pdfs[0].data
