"""Answering an evaluation: its own person sends their answers once, while it is open (where
both people sign it together, they may take them back to change them until both have signed).

The draft kept as they typed (portal.drafts) goes in the same transaction. A second send is
refused with when the first was sent; a send after the window closed is refused with when it
closed. Only the person's own evaluation: anyone else is told it does not exist.
"""

from __future__ import annotations

from flask import abort

from portal import audit, drafts
from portal.accounts.models import User
from portal.db import utcnow
from portal.errors import DomainError
from portal.evaluations import queries, signing
from portal.evaluations.models import Evaluation, EvaluationState
from portal.extensions import db
from portal.relationships import queries as relationship_queries
from portal.templating import format_date


def draft_key(evaluation_id: int) -> str:
    """The evaluation form's key among the person's drafts."""
    return f"evaluation:{evaluation_id}"


def refuse_if_done(evaluation: Evaluation) -> None:
    """Refuse anything more on an evaluation already sent, or whose window has closed."""
    if evaluation.state == EvaluationState.SUBMITTED:
        evaluation.move_to(EvaluationState.SUBMITTED)  # raises, saying when it was sent
    if evaluation.is_closed():
        raise DomainError(f"This evaluation closed on {format_date(evaluation.closes_at)}, so it "
                          "no longer takes answers.", title="This evaluation has closed")


def submit(evaluation_id: int, person: User, answers: list[str], *,
           ip: str | None = None) -> Evaluation:
    """Record ``person``'s answers (one per question, "" for one left blank), once. Where both
    people sign the evaluation together, the second to send makes the version they sign
    (portal.evaluations.signing), under the relationship's lock taken first."""
    found = queries.get(evaluation_id)
    if found is None or found.user_id != person.id:
        db.session.rollback()
        abort(404)
    relationship_id = found.relationship_id
    db.session.rollback()  # ends the read, so the lock starts the transaction
    relationship = relationship_queries.lock(relationship_id)
    evaluation = queries.lock(evaluation_id)
    refuse_if_done(evaluation)
    if len(answers) != len(evaluation.questions) or not any(a.strip() for a in answers):
        raise DomainError("Answer at least one question.", status=400)
    evaluation.move_to(EvaluationState.SUBMITTED)
    evaluation.answers = list(answers)
    evaluation.submitted_at = utcnow()
    drafts.discard(person.id, draft_key(evaluation.id))
    audit.record(db.session, "evaluation", evaluation.id, "submitted", actor_id=person.id,
                 ip_address=ip, answered=sum(1 for a in answers if a.strip()))
    if signing.signs_together(evaluation):
        db.session.flush()
        signing.prepare(relationship)
    db.session.commit()
    return evaluation
