"""Answering an evaluation: its own person sends their answers once, while it is open.

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
from portal.evaluations import queries
from portal.evaluations.models import Evaluation, EvaluationState
from portal.extensions import db
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
    """Record ``person``'s answers (one per question, "" for one left blank), once."""
    evaluation = queries.lock(evaluation_id)
    if evaluation is None or evaluation.user_id != person.id:
        db.session.rollback()
        abort(404)
    refuse_if_done(evaluation)
    if len(answers) != len(evaluation.questions) or not any(a.strip() for a in answers):
        raise DomainError("Answer at least one question.", status=400)
    evaluation.move_to(EvaluationState.SUBMITTED)
    evaluation.answers = list(answers)
    evaluation.submitted_at = utcnow()
    drafts.discard(person.id, draft_key(evaluation.id))
    audit.record(db.session, "evaluation", evaluation.id, "submitted", actor_id=person.id,
                 ip_address=ip, answered=sum(1 for a in answers if a.strip()))
    db.session.commit()
    return evaluation
