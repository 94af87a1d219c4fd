"""Signing: each party signs the exact text of the current version, once.

A signature records the signer, the name they typed, the time (UTC), their IP address and user
agent, and the SHA-256 of the text. The second signature completes the agreement: both people
get the PDF, and the mentee's email carries the link to submit it.
"""

from __future__ import annotations

import unicodedata

from portal import audit, mail
from portal.accounts.models import User
from portal.agreements import links, pdf, queries
from portal.agreements.models import (
    Agreement,
    AgreementSignature,
    AgreementState,
    AgreementVersion,
)
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.relationships.models import RelationshipState


def comparable_name(name: str) -> str:
    """A name for comparison: case, spacing and accents ignored ('zoe o suilleabhain')."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().replace("\u2019", "'").split())


def names_match(typed: str, user: User) -> bool:
    return bool(typed.strip()) and comparable_name(typed) == comparable_name(user.full_name)


def sign(agreement_id: int, user: User, *, version_number: int, shown_sha256: str,
         typed_name: str, confirmed: bool, ip_address: str, user_agent: str,
         via: str) -> tuple[Agreement, bool]:
    """Sign the version the person was shown. Returns (agreement, signed_now): signing a
    second time changes nothing and returns False."""
    agreement = queries.lock(agreement_id)
    party = agreement.party(user.id)
    if party is None:
        raise NotAllowed("Only the mentor and the mentee can sign this agreement.")
    version = links.live_version(agreement, version_number)
    if agreement.signature_or_refuse(version, party) is not None:
        return agreement, False
    if agreement.relationship.state == RelationshipState.ENDED:
        raise DomainError("This mentoring relationship has ended, so the agreement cannot be "
                          "signed.")
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
        submit_token = links.make_submit_link(agreement, person) if party == "mentee" else None
        mail.queue(person.email, "agreement_signed", scheme=agreement.scheme,
                   agreement=agreement, version=version, name=person.full_name,
                   is_mentee=party == "mentee", submit_token=submit_token,
                   other=agreement.person("mentee" if party == "mentor" else "mentor"),
                   attachments=[attachment])
