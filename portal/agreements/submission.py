"""Submission to the scheme administrator, and the administrator's acknowledgement.

Submitting is the mentee's step, once both have signed: the administrator mailbox receives the
PDF, and the relationship becomes active, so sessions may start.
"""

from __future__ import annotations

from portal import audit, mail
from portal.accounts.models import Role, User
from portal.agreements import links, pdf, queries
from portal.agreements.links import AcknowledgeLink
from portal.agreements.models import Agreement, AgreementState
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.relationships.models import RelationshipState
from portal.templating import format_datetime


def not_yet_signed(agreement: Agreement) -> DomainError:
    return DomainError("You can submit the agreement once you have both signed it.",
                       next_step="Each of you signs from the link in your email, or from the "
                                 "agreement page.")


def already_submitted(agreement: Agreement) -> DomainError:
    return DomainError(f"This agreement was submitted to the scheme administrator on "
                       f"{format_datetime(agreement.submitted_at)}. You do not need to do "
                       "anything else.", title="Already submitted")


def submit(agreement_id: int, user: User, *, ip_address: str, via: str,
           version_number: int | None = None) -> Agreement:
    """The mentee sends the signed agreement to the scheme administrator."""
    agreement = queries.lock(agreement_id)
    party = agreement.party(user.id)
    if party != "mentee":
        raise NotAllowed("Only the mentee submits the agreement to the scheme administrator.",
                         next_step="Your mentee has a link to submit it in their email.")
    links.check_submit_version(agreement, version_number)
    if agreement.state in (AgreementState.SUBMITTED, AgreementState.ACKNOWLEDGED):
        raise already_submitted(agreement)
    if agreement.state != AgreementState.SIGNED_BY_BOTH:
        raise not_yet_signed(agreement)
    relationship = agreement.relationship
    relationship.move_to(RelationshipState.ACTIVE)  # first: an ended one refuses, nothing changed
    now = utcnow()
    agreement.move_to(AgreementState.SUBMITTED)
    agreement.submitted_at = now
    relationship.activated_at = now
    version = agreement.signed_version
    audit.record(db.session, "agreement", agreement.id, "submitted", actor_id=user.id,
                 ip_address=ip_address, version=version.number, via=via)
    audit.record(db.session, "relationship", relationship.id, "activated", actor_id=user.id,
                 ip_address=ip_address, agreement=agreement.reference)
    scheme = agreement.scheme
    mail.queue(scheme.admin_email, "agreement_submitted", scheme=scheme, agreement=agreement,
               version=version, token=links.make_acknowledge_link(agreement),
               attachments=[pdf.attachment(agreement, version)])
    for party_name in ("mentor", "mentee"):
        person = agreement.person(party_name)
        mail.queue(person.email, "agreement_active", scheme=scheme, agreement=agreement,
                   name=person.full_name, is_mentee=party_name == "mentee",
                   other=agreement.person("mentee" if party_name == "mentor" else "mentor"))
    db.session.commit()
    return agreement


def acknowledge(agreement_id: int, actor: User | None, *, ip_address: str,
                link: AcknowledgeLink | None = None) -> Agreement:
    """The administrator confirms they received the agreement; both people are told.

    From the emailed link (``link``, checked; the mailbox may have no account) or from the
    administrator pages (``actor`` administers the scheme).
    """
    agreement = queries.lock(agreement_id)
    links.refuse_a_party(agreement, actor)
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
        links.spend_acknowledge_link(link)
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
