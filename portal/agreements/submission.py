"""Submission to the scheme administrator, and the administrator's acknowledgement.

Submitting is the mentee's step, once both have signed: the administrator mailbox receives the
PDF, and the relationship becomes active, so sessions may start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import audit, mail, tokens
from portal.accounts.models import Role, User
from portal.agreements import pdf, queries
from portal.agreements.models import Agreement, AgreementState, AgreementVersion
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.relationships.models import RELATIONSHIP_TRANSITIONS, RelationshipState
from portal.templating import format_datetime


def _not_yet_signed(agreement: Agreement) -> DomainError:
    return DomainError("You can submit the agreement once you have both signed it.",
                       next_step="Each of you signs from the link in your email, or from the "
                                 "agreement page.")


def _already_submitted(agreement: Agreement) -> DomainError:
    return DomainError(f"This agreement was submitted to the scheme administrator on "
                       f"{format_datetime(agreement.submitted_at)}. You do not need to do "
                       "anything else.", title="Already submitted")


@dataclass(frozen=True)
class SubmitLink:
    agreement: Agreement
    user: User
    version: int


def check_submit_link(token: str, signed_in: User | None = None) -> SubmitLink:
    """What an emailed submit link is for; a link for an older version is dead."""
    payload = tokens.load("submit-agreement", token, what="link")
    agreement = db.session.get(Agreement, payload["a"])
    user = db.session.get(User, payload["u"])
    if agreement is None or user is None or agreement.party(user.id) != "mentee":
        raise tokens.LinkError("This link is not valid.", next_step="invalid", status=400)
    if signed_in is not None and signed_in.id != user.id:
        raise NotAllowed(f"This link was sent to {user.full_name}, the mentee, for them to "
                         "submit the agreement.", title="This link is for someone else")
    if payload["v"] != agreement.version:
        raise tokens.LinkError("The terms changed after this link was sent, so the signed "
                               "version it was for no longer stands.",
                               next_step="When you have both signed the new version, you will "
                                         "get a new link by email.")
    return SubmitLink(agreement, user, payload["v"])


def submit(agreement_id: int, user: User, *, ip_address: str, via: str,
           version_number: int | None = None) -> Agreement:
    """The mentee sends the signed agreement to the scheme administrator."""
    agreement = queries.lock(agreement_id)
    party = agreement.party(user.id)
    if party != "mentee":
        raise NotAllowed("Only the mentee submits the agreement to the scheme administrator.",
                         next_step="Your mentee has a link to submit it in their email.")
    if version_number is not None and version_number != agreement.version:
        raise tokens.LinkError("The terms changed after this link was sent, so the signed "
                               "version it was for no longer stands.")
    if agreement.state in (AgreementState.SUBMITTED, AgreementState.ACKNOWLEDGED):
        raise _already_submitted(agreement)
    if agreement.state != AgreementState.SIGNED_BY_BOTH:
        raise _not_yet_signed(agreement)
    relationship = agreement.relationship
    if RelationshipState.ACTIVE not in RELATIONSHIP_TRANSITIONS[relationship.state]:
        raise DomainError("This mentoring relationship has ended, so the agreement cannot be "
                          "submitted.")
    now = utcnow()
    agreement.move_to(AgreementState.SUBMITTED)
    agreement.submitted_at = now
    relationship.state = RelationshipState.ACTIVE
    relationship.activated_at = now
    version = agreement.signed_version
    audit.record(db.session, "agreement", agreement.id, "submitted", actor_id=user.id,
                 ip_address=ip_address, version=version.number, via=via)
    audit.record(db.session, "relationship", relationship.id, "activated", actor_id=user.id,
                 ip_address=ip_address, agreement=agreement.reference)
    scheme = agreement.scheme
    ack_token = tokens.make("acknowledge-agreement", a=agreement.id, v=version.number)
    mail.queue(scheme.admin_email, "agreement_submitted", scheme=scheme, agreement=agreement,
               version=version, token=ack_token, attachments=[pdf.attachment(agreement, version)])
    for party_name in ("mentor", "mentee"):
        person = agreement.person(party_name)
        mail.queue(person.email, "agreement_active", scheme=scheme, agreement=agreement,
                   name=person.full_name, is_mentee=party_name == "mentee",
                   other=agreement.person("mentee" if party_name == "mentor" else "mentor"))
    db.session.commit()
    return agreement


@dataclass(frozen=True)
class AcknowledgeLink:
    agreement: Agreement
    version: AgreementVersion
    payload: dict[str, Any]


def _refuse_a_party(agreement: Agreement, viewer: User | None) -> None:
    """The pair cannot confirm their own agreement's receipt with a forwarded link."""
    if (viewer is not None and agreement.party(viewer.id) is not None
            and not viewer.has_role(Role.ADMIN, agreement.scheme_id)):
        raise NotAllowed("Only the scheme administrator can confirm they received this "
                         "agreement. The link was sent to their mailbox.",
                         next_step="You do not need to do anything: we will email you when "
                                   "they confirm it.")


def check_acknowledge_link(token: str, viewer: User | None = None) -> AcknowledgeLink:
    """The agreement an administrator's link acknowledges; used or outdated links are dead."""
    payload = tokens.load("acknowledge-agreement", token, what="link")
    agreement = db.session.get(Agreement, payload["a"])
    if agreement is None or payload["v"] != agreement.version or agreement.signed_version is None:
        raise tokens.LinkError("This link is not valid.", next_step="invalid", status=400)
    _refuse_a_party(agreement, viewer)
    if agreement.state == AgreementState.ACKNOWLEDGED or tokens.is_used(db.session, payload):
        raise tokens.LinkError(
            f"This agreement was acknowledged on {format_datetime(agreement.acknowledged_at)}. "
            "Both people were told then.", next_step="Nothing else is needed.")
    return AcknowledgeLink(agreement, agreement.signed_version, payload)


def acknowledge(agreement_id: int, actor: User | None, *, ip_address: str,
                link: dict[str, Any] | None = None) -> Agreement:
    """The administrator confirms they received the agreement; both people are told.

    From the emailed link (``link`` is the token's payload; the mailbox may have no account) or
    from the administrator pages (``actor`` administers the scheme).
    """
    agreement = queries.lock(agreement_id)
    _refuse_a_party(agreement, actor)
    if actor is not None and not actor.has_role(Role.ADMIN, agreement.scheme_id):
        actor = None  # someone signed in who is not its administrator: the link speaks
    if link is None and actor is None:
        raise NotAllowed("Only the scheme's administrators can acknowledge this agreement.")
    if agreement.state == AgreementState.ACKNOWLEDGED:
        raise DomainError(f"This agreement was acknowledged on "
                          f"{format_datetime(agreement.acknowledged_at)}.",
                          title="Already acknowledged")
    if agreement.state != AgreementState.SUBMITTED:
        raise DomainError("This agreement has not been submitted yet.")
    if link is not None:
        tokens.consume(db.session, "acknowledge-agreement", link, what="link")
    agreement.move_to(AgreementState.ACKNOWLEDGED)
    agreement.acknowledged_at = utcnow()
    agreement.acknowledged_by_id = actor.id if actor is not None else None
    audit.record(db.session, "agreement", agreement.id, "acknowledged",
                 actor_id=actor.id if actor is not None else None, ip_address=ip_address,
                 via="email link" if link is not None else "portal")
    for party in ("mentor", "mentee"):
        person = agreement.person(party)
        mail.queue(person.email, "agreement_acknowledged", scheme=agreement.scheme,
                   agreement=agreement, name=person.full_name)
    db.session.commit()
    return agreement
