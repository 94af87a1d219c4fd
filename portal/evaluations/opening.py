"""Opening evaluations: each person in the pair gets their role's questions from the scheme's
pack, exactly as written there, and an email with a link to their form.

``open_at_end`` runs inside every ending's transaction and locks (portal.relationships.ending
calls it from ``_finish``), so the evaluations exist exactly when the relationship has ended.
The sweep (portal.evaluations.reminders) opens the review-date and follow-up ones under the
relationship's lock. Each kind opens once per relationship: the rows are unique per
relationship, person and kind.
"""

from __future__ import annotations

import datetime as dt

from portal import audit, mail
from portal.db import utcnow
from portal.evaluations import queries, signing
from portal.evaluations.models import Evaluation, EvaluationKind, questions_for, settings
from portal.extensions import db
from portal.relationships.models import Relationship


def open_at_end(relationship: Relationship) -> list[Evaluation]:
    """Open both people's end-of-mentoring evaluations and email each a link (the ending's
    transaction: nothing is committed here). Only for mentoring that ran: a pair who ended
    before their agreement was submitted had no sessions to evaluate."""
    if relationship.activated_at is None:
        return []
    return open_kind(relationship, EvaluationKind.END, utcnow())


def open_kind(relationship: Relationship, kind: EvaluationKind,
              now: dt.datetime) -> list[Evaluation]:
    """Open this kind of evaluation for each person whose role has questions in the pack, and
    queue their emails, in the caller's transaction (which holds the relationship's lock).
    Nothing if it is already open: a kind is asked once."""
    if kind in queries.kinds_of(relationship.id):
        return []
    scheme = relationship.scheme
    chosen = settings(scheme)
    closes_at = now + dt.timedelta(days=chosen["window_days"])
    opened = []
    for party, person in (("mentee", relationship.mentee), ("mentor", relationship.mentor)):
        questions = questions_for(scheme, party)
        if not questions:
            continue
        evaluation = Evaluation(relationship_id=relationship.id, scheme_id=scheme.id,
                                user_id=person.id, party=party, kind=kind,
                                questions=questions, anonymous=chosen["anonymous"],
                                opened_at=now, closes_at=closes_at)
        db.session.add(evaluation)
        opened.append((evaluation, person))
    if not opened:
        return []
    db.session.flush()  # the ids, for the links (a second opening fails here on the unique key)
    for evaluation, person in opened:
        audit.record(db.session, "evaluation", evaluation.id, "opened",
                     relationship_id=relationship.id, kind=kind.value, party=evaluation.party)
        send(evaluation, person, reminder=False)
    return [evaluation for evaluation, _ in opened]


def send(evaluation: Evaluation, person, *, reminder: bool) -> None:
    """Queue the email with the link to the person's form (caller's transaction)."""
    mail.queue(person.email, "evaluation_reminder" if reminder else "evaluation_opened",
               scheme=evaluation.scheme, evaluation=evaluation,
               name=person.full_name, role=evaluation.party,
               other_name=queries.other_name(evaluation),
               together=signing.signs_together(evaluation))

