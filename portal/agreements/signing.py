"""Signing: each party signs the exact text of the current version, once.

A signature records the signer, the name they typed, the time (UTC), their IP address and user
agent, and the SHA-256 of the text. The second signature completes the agreement: both people
get the PDF, and the mentee's email carries the link to submit it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from portal import audit, mail, tokens
from portal.accounts.models import User
from portal.agreements import pdf, queries
from portal.agreements.models import (
    SIGNABLE,
    Agreement,
    AgreementSignature,
    AgreementState,
    AgreementVersion,
)
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.relationships.models import RelationshipState
from portal.templating import format_datetime


def comparable_name(name: str) -> str:
    """A name for comparison: case, spacing and accents ignored ('zoe o suilleabhain')."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().replace("\u2019", "'").split())


def names_match(typed: str, user: User) -> bool:
    return bool(typed.strip()) and comparable_name(typed) == comparable_name(user.full_name)


@dataclass(frozen=True)
class SignLink:
    """What an emailed signing link is for, once checked."""

    agreement: Agreement
    version: AgreementVersion
    user: User
    party: str


def check_link(token: str, signed_in: User | None = None) -> SignLink:
    """The agreement, version and person a signing link is for; a dead link says why."""
    payload = tokens.load("sign-agreement", token, what="signing link")
    agreement = db.session.get(Agreement, payload["a"])
    user = db.session.get(User, payload["u"])
    if agreement is None or user is None or agreement.party(user.id) is None:
        raise tokens.LinkError("This signing link is not valid.", next_step="invalid", status=400)
    if signed_in is not None and signed_in.id != user.id:
        raise NotAllowed(f"This link was sent to {user.full_name} for them to sign. Use the link "
                         "in your own email, or sign from the agreement page.",
                         title="This link is for someone else")
    version = next((v for v in agreement.versions if v.number == payload["v"]), None)
    _check_version_live(agreement, version, payload["v"])
    return SignLink(agreement, version, user, agreement.party(user.id))


def _check_version_live(agreement: Agreement, version: AgreementVersion | None,
                        number: int) -> None:
    if version is not None and version.voided_at is not None:
        # No name: a dead link may be opened by anyone who has it.
        raise tokens.LinkError(
            f"The terms were changed on {format_datetime(version.voided_at)}, after this link "
            "was sent. The signatures on the earlier version were cancelled, so this "
            "link no longer works.",
            next_step="When the new version is sent for signatures, you will get a new link "
                      "by email.", status=410)
    if version is None or number != agreement.version:
        raise tokens.LinkError("This signing link is for a version of the agreement that was "
                               "never sent.", next_step="invalid", status=400)


def sign(agreement_id: int, user: User, *, version_number: int, shown_sha256: str,
         typed_name: str, confirmed: bool, ip_address: str, user_agent: str,
         via: str) -> tuple[Agreement, bool]:
    """Sign the version the person was shown. Returns (agreement, signed_now): signing a
    second time changes nothing and returns False."""
    agreement = queries.lock(agreement_id)
    party = agreement.party(user.id)
    if party is None:
        raise NotAllowed("Only the mentor and the mentee can sign this agreement.")
    version = next((v for v in agreement.versions if v.number == version_number), None)
    _check_version_live(agreement, version, version_number)
    if version.signature_of(party) is not None:
        return agreement, False
    if agreement.relationship.state == RelationshipState.ENDED:
        raise DomainError("This mentoring relationship has ended, so the agreement cannot be "
                          "signed.")
    if agreement.state not in SIGNABLE:
        raise DomainError("This agreement is not waiting for signatures.")
    if shown_sha256 != version.sha256:
        raise DomainError("The agreement changed while you were reading it. Read it again "
                          "before you sign.")
    if not confirmed or not names_match(typed_name, user):
        raise DomainError("Type your full name and confirm that you agree, then sign.")
    now = utcnow()
    signature = AgreementSignature(
        user_id=user.id, user=user, party=party, typed_name=" ".join(typed_name.split()),
        signed_at=now, ip_address=ip_address[:64], user_agent=(user_agent or "")[:500],
        text_sha256=version.sha256, via=via)
    version.signatures.append(signature)
    audit.record(db.session, "agreement", agreement.id, "signed", actor_id=user.id,
                 ip_address=ip_address, party=party, version=version.number,
                 sha256=version.sha256, via=via)
    if version.signed_by_both:
        agreement.move_to(AgreementState.SIGNED_BY_BOTH)
        agreement.signed_at = now
        audit.record(db.session, "agreement", agreement.id, "signed_by_both",
                     version=version.number, sha256=version.sha256)
        _queue_signed_emails(agreement, version)
    elif agreement.state == AgreementState.SENT:
        agreement.move_to(AgreementState.SIGNED_BY_ONE)
    db.session.commit()
    return agreement, True


def _queue_signed_emails(agreement: Agreement, version: AgreementVersion) -> None:
    attachment = pdf.attachment(agreement, version)
    for party in ("mentor", "mentee"):
        person = agreement.person(party)
        submit_token = (tokens.make("submit-agreement", a=agreement.id, v=version.number,
                                    u=person.id) if party == "mentee" else None)
        mail.queue(person.email, "agreement_signed", scheme=agreement.scheme,
                   agreement=agreement, version=version, name=person.full_name,
                   is_mentee=party == "mentee", submit_token=submit_token,
                   other=agreement.person("mentee" if party == "mentor" else "mentor"),
                   attachments=[attachment])
