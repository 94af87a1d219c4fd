"""The evaluation both people sign, where the scheme's pack says so (``signed_together``).

When the second person sends their end-of-mentoring answers, ``prepare`` writes both sets of
answers as one exact text (portal.evaluations.record), hashes it, and emails each person a
link to read it all and sign. Each signs once, typing their name, as for the agreement; the
second signature sends the PDF with its audit page to both of them and to the scheme's
administrator mailbox, and it can be checked at /verify.

Until both have signed, either person may take their own answers back to change them
(``change_answers``): the version is voided (any signature on it no longer counts) and the
other person is told; sending the answers again makes the next version, with new links.

Every verb locks the relationship first (as every change in a relationship does), then reads
the evaluations and the version afresh, so a signature and a change of answers at the same
moment happen one after the other.
"""

from __future__ import annotations

import datetime as dt

from flask import abort

from portal import audit, mail
from portal.accounts.models import User
from portal.agreements import canonical, opening, pdf
from portal.agreements.signing import names_match
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.evaluations import links, queries, record
from portal.evaluations.models import (
    Evaluation,
    EvaluationKind,
    EvaluationSignature,
    EvaluationSignoff,
    EvaluationState,
    settings,
)
from portal.extensions import db
from portal.mail import Attachment
from portal.relationships import queries as relationship_queries
from portal.relationships.models import Relationship
from portal.templating import format_date

#: The one reminder to sign goes this long after a version was made, to whoever has not signed.
REMIND_TO_SIGN_AFTER = dt.timedelta(days=7)


def signs_together(evaluation: Evaluation) -> bool:
    """Whether this evaluation is one both people sign: an end-of-mentoring one, in a scheme
    whose pack says so."""
    return (evaluation.kind == EvaluationKind.END
            and bool(settings(evaluation.scheme)["signed_together"]))


def prepare(relationship: Relationship) -> EvaluationSignoff | None:
    """Once both end-of-mentoring evaluations are sent, make the next version to sign and
    email both people their link (the caller's transaction, holding the relationship's lock).
    Nothing while one person has still to send their answers."""
    answered = queries.end_evaluations(relationship.id)
    if set(answered) != {"mentor", "mentee"} or any(
            e.state != EvaluationState.SUBMITTED for e in answered.values()):
        return None
    latest = queries.latest_signoff(relationship.id)
    if latest is not None and latest.voided_at is None:
        return None  # already waiting for signatures on the answers as they stand
    reference = latest.reference if latest is not None else opening.new_reference("EV")
    number = latest.number + 1 if latest is not None else 1
    snapshot = record.snapshot_of(relationship, answered, reference=reference, number=number)
    text = record.text(snapshot)
    signoff = EvaluationSignoff(reference=reference, relationship_id=relationship.id,
                                scheme_id=relationship.scheme_id, number=number,
                                snapshot=snapshot, text=text, sha256=canonical.sha256(text),
                                created_at=utcnow())
    db.session.add(signoff)
    db.session.flush()
    audit.record(db.session, "evaluation_signoff", signoff.id, "sent_for_signatures",
                 relationship_id=relationship.id, reference=reference, version=number,
                 sha256=signoff.sha256)
    for party in ("mentor", "mentee"):
        queue_sign_request(relationship, signoff, party)
    return signoff


def queue_sign_request(relationship: Relationship, signoff: EvaluationSignoff, party: str, *,
                       reminder: bool = False) -> None:
    """Email one person their link to sign this version (first, or as the one reminder)."""
    person = relationship.mentor if party == "mentor" else relationship.mentee
    other = relationship.mentee if party == "mentor" else relationship.mentor
    mail.queue(person.email, "evaluation_sign", scheme=relationship.scheme, signoff=signoff,
               name=person.full_name, other=other, role=party, reminder=reminder,
               token=links.make_sign_link(signoff, person), days=links.sign_link_days(),
               remind_days=REMIND_TO_SIGN_AFTER.days)


def sign(signoff_id: int, user: User, *, shown_sha256: str, typed_name: str, confirmed: bool,
         ip_address: str, user_agent: str, via: str) -> tuple[EvaluationSignoff, bool]:
    """Sign the version the person was shown. Returns (version, signed_now): signing a second
    time changes nothing and returns False."""
    found = queries.get_signoff(signoff_id)
    if found is None:
        abort(404)
    relationship_id = found.relationship_id
    db.session.rollback()  # ends the read, so the lock starts the transaction
    relationship = relationship_queries.lock(relationship_id)
    signoff = db.session.get(EvaluationSignoff, signoff_id, populate_existing=True)
    party = relationship.party(user.id)
    if party is None:
        raise NotAllowed("Only the mentor and the mentee can sign this evaluation.")
    if signoff.signature_of(party) is not None:
        return signoff, False
    links.refuse_voided(signoff)
    if shown_sha256 != signoff.sha256:
        raise DomainError("The evaluation changed while you were reading it. Read it again "
                          "before you sign.")
    if not confirmed or not names_match(typed_name, user):
        raise DomainError("Type your full name and confirm that you agree, then sign.")
    now = utcnow()
    signoff.signatures.append(EvaluationSignature(
        user_id=user.id, user=user, party=party, typed_name=" ".join(typed_name.split()),
        signed_at=now, ip_address=ip_address[:64], user_agent=(user_agent or "")[:500],
        text_sha256=signoff.sha256, via=via))
    audit.record(db.session, "evaluation_signoff", signoff.id, "signed", actor_id=user.id,
                 ip_address=ip_address, party=party, version=signoff.number,
                 sha256=signoff.sha256, via=via)
    if signoff.signed_by_both:
        signoff.signed_at = now
        audit.record(db.session, "evaluation_signoff", signoff.id, "signed_by_both",
                     version=signoff.number, sha256=signoff.sha256)
        _queue_signed_emails(relationship, signoff)
    db.session.commit()
    return signoff, True


def change_answers(evaluation_id: int, user: User, *, ip_address: str) -> Evaluation:
    """Take ``user``'s own sent answers back to change them, while the evaluation is open and
    before both have signed: the version waiting for signatures is voided and the other person
    told. Only the evaluation's own person (anyone else: not found)."""
    found = queries.get(evaluation_id)
    if found is None or found.user_id != user.id:
        abort(404)
    relationship_id = found.relationship_id
    db.session.rollback()  # ends the read, so the lock starts the transaction
    relationship = relationship_queries.lock(relationship_id)
    evaluation = queries.lock(evaluation_id)
    if not signs_together(evaluation):
        raise DomainError(f"You sent your answers on {format_date(evaluation.submitted_at)}. "
                          "They cannot be changed.", title="Already sent")
    if evaluation.state != EvaluationState.SUBMITTED:
        raise DomainError("You have not sent your answers yet, so there is nothing to take "
                          "back: change them on the form and send them.")
    if not evaluation.window_open():
        raise DomainError(f"This evaluation closed on {format_date(evaluation.closes_at)}, so "
                          "the answers can no longer be changed.",
                          title="This evaluation has closed")
    signoff = queries.latest_signoff(relationship.id)
    if signoff is not None and signoff.signed_by_both:
        raise DomainError(f"You both signed this evaluation on {format_date(signoff.signed_at)}"
                          ", so the answers can no longer be changed.", title="Already signed")
    now = utcnow()
    evaluation.move_to(EvaluationState.OPEN)
    evaluation.submitted_at = None
    audit.record(db.session, "evaluation", evaluation.id, "taken_back", actor_id=user.id,
                 ip_address=ip_address)
    if signoff is not None and signoff.voided_at is None:
        signoff.voided_at = now
        signoff.voided_by_id = user.id
        audit.record(db.session, "evaluation_signoff", signoff.id, "voided", actor_id=user.id,
                     ip_address=ip_address, version=signoff.number,
                     signatures=len(signoff.signatures))
        other = relationship.mentee if evaluation.party == "mentor" else relationship.mentor
        mail.queue(other.email, "evaluation_answers_changed", scheme=relationship.scheme,
                   name=other.full_name, changed_by=user, signoff=signoff,
                   had_signed=signoff.signature_of(
                       "mentee" if evaluation.party == "mentor" else "mentor") is not None)
    db.session.commit()
    return evaluation


def attachment(signoff: EvaluationSignoff) -> Attachment:
    return Attachment(filename(signoff), "application/pdf",
                      pdf.render_signed(record.document(signoff)))


def filename(signoff: EvaluationSignoff) -> str:
    return f"mentoring-evaluation-{signoff.reference}-v{signoff.number}.pdf"


def _queue_signed_emails(relationship: Relationship, signoff: EvaluationSignoff) -> None:
    attached = attachment(signoff)
    scheme = relationship.scheme
    for person, other in ((relationship.mentor, relationship.mentee),
                          (relationship.mentee, relationship.mentor)):
        mail.queue(person.email, "evaluation_signed", scheme=scheme, signoff=signoff,
                   name=person.full_name, other=other, attachments=[attached])
    mail.queue(scheme.admin_email, "evaluation_signed_admin", scheme=scheme, signoff=signoff,
               mentor=relationship.mentor, mentee=relationship.mentee, attachments=[attached])
