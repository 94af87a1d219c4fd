"""`flask evaluations remind`: opens the evaluations a pack asks for along the way (on the
agreement's review date where it says at_midpoint, and follow_up_months after the end), sends
the one reminder, a week after an evaluation opened, to whoever has not answered it, and, where
both people sign the evaluation, the one reminder to sign, a week after a version was made, to
whoever has not signed it.

Safe to run as often as you like, and twice at once: each opening takes the relationship's lock
and finds the rows already there (or fails on their unique key and sends nothing); each reminder
takes the evaluation's lock and writes its row with a unique key in the transaction that queues
the email. An evaluation is opened only within its window after the day it falls due, so a pack
changed late does not ask about something long past.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from portal import audit
from portal.agreements.canonical import add_months
from portal.db import commit_first, utcnow
from portal.evaluations import links, opening, queries, signing
from portal.evaluations.models import (
    EvaluationKind,
    EvaluationReminder,
    EvaluationSignoff,
    EvaluationSignReminder,
    EvaluationState,
    settings,
)
from portal.extensions import db
from portal.relationships import queries as relationship_queries
from portal.relationships.check_ins import agreed_dates
from portal.relationships.models import Relationship, RelationshipState
from portal.relationships.queries import lock  # by name: a test holds it to race two runs
from portal.templating import london

#: The one reminder goes this long after the evaluation opened.
REMIND_AFTER = dt.timedelta(days=7)
#: How far back the follow-up sweep looks: the longest follow-up and the longest window.
FOLLOW_UP_REACH = dt.timedelta(days=24 * 31 + 90)


@dataclass
class Sweep:
    opened: int = 0
    reminded: int = 0
    reminded_to_sign: int = 0


def due_day(relationship: Relationship, kind: EvaluationKind, agreement=None) -> dt.date | None:
    """The day this kind of evaluation falls due for the relationship, if the pack asks for it:
    the review date (its agreement's, else half way through) for "midpoint", the end plus
    follow_up_months for "follow_up"."""
    chosen = settings(relationship.scheme)
    if kind == EvaluationKind.MIDPOINT:
        if (not chosen["at_midpoint"] or agreement is None
                or relationship.state != RelationshipState.ACTIVE):
            return None
        return agreed_dates(relationship, agreement)["review"]
    if kind == EvaluationKind.FOLLOW_UP:
        months = chosen["follow_up_months"]
        if not months or relationship.state != RelationshipState.ENDED or not relationship.ended_at:
            return None
        return add_months(london(relationship.ended_at).date(), months)
    return None


def _is_due(relationship: Relationship, kind: EvaluationKind, on: dt.date,
            agreement=None) -> bool:
    day = due_day(relationship, kind, agreement)
    window = dt.timedelta(days=settings(relationship.scheme)["window_days"])
    return day is not None and day <= on < day + window


def send_due(now: dt.datetime | None = None) -> Sweep:
    """Open what is due, then send the reminders that are due."""
    now = now or utcnow()
    on = london(now).date()
    sweep = Sweep()
    waiting: list[tuple[int, EvaluationKind]] = []
    for relationship, agreement in relationship_queries.running_with_agreements():
        if _is_due(relationship, EvaluationKind.MIDPOINT, on, agreement):
            waiting.append((relationship.id, EvaluationKind.MIDPOINT))
    for relationship in queries.ended_since(now - FOLLOW_UP_REACH):
        if _is_due(relationship, EvaluationKind.FOLLOW_UP, on):
            waiting.append((relationship.id, EvaluationKind.FOLLOW_UP))
    db.session.rollback()  # ends the read, so each relationship below has its own transaction
    for relationship_id, kind in waiting:
        sweep.opened += _open(relationship_id, kind, now, on)
    remind = queries.to_remind(now - REMIND_AFTER, now)
    db.session.rollback()
    for evaluation_id in remind:
        sweep.reminded += _remind(evaluation_id, now)
    to_sign = queries.to_remind_to_sign(now - signing.REMIND_TO_SIGN_AFTER,
                                        now - dt.timedelta(days=links.sign_link_days()))
    db.session.rollback()
    for signoff_id, party in to_sign:
        sweep.reminded_to_sign += _remind_to_sign(signoff_id, party, now)
    return sweep


def _open(relationship_id: int, kind: EvaluationKind, now: dt.datetime, on: dt.date) -> int:
    relationship = lock(relationship_id)
    agreement = relationship_queries.agreement_of(relationship)
    if kind in queries.kinds_of(relationship.id) or not _is_due(relationship, kind, on,
                                                                agreement):
        db.session.rollback()  # opened a moment ago by another run, or no longer due
        return 0
    try:
        opened = opening.open_kind(relationship, kind, now)
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # another run opened them a moment ago
        return 0
    return len(opened)


def _remind_to_sign(signoff_id: int, party: str, now: dt.datetime) -> int:
    """The one reminder to sign a version, under the relationship's lock like signing itself:
    a signature or a change of answers at the same moment is either seen (no reminder) or comes
    after it."""
    found = queries.get_signoff(signoff_id)
    if found is None:
        db.session.rollback()
        return 0
    relationship_id = found.relationship_id
    db.session.rollback()  # ends the read, so the lock starts the transaction
    relationship = lock(relationship_id)
    signoff = db.session.get(EvaluationSignoff, signoff_id, populate_existing=True)
    if (signoff is None or signoff.voided_at is not None or signoff.signed_at is not None
            or signoff.signature_of(party) is not None
            or now < signoff.created_at + signing.REMIND_TO_SIGN_AFTER
            or queries.reminded_to_sign(signoff_id, party)):
        db.session.rollback()  # signed, changed, or reminded by another run a moment ago
        return 0
    db.session.add(EvaluationSignReminder(signoff_id=signoff.id, party=party, sent_at=now))
    audit.record(db.session, "evaluation_signoff", signoff.id, "reminded_to_sign", party=party,
                 version=signoff.number)
    signing.queue_sign_request(relationship, signoff, party, reminder=True)
    return 1 if commit_first(db.session) else 0


def _remind(evaluation_id: int, now: dt.datetime) -> int:
    evaluation = queries.lock(evaluation_id)
    if (evaluation is None or evaluation.state != EvaluationState.OPEN
            or evaluation.is_closed(now) or now < evaluation.opened_at + REMIND_AFTER
            or queries.reminded(evaluation.id)):
        db.session.rollback()  # answered, closed, or reminded by another run a moment ago
        return 0
    db.session.add(EvaluationReminder(evaluation_id=evaluation.id, sent_at=now))
    audit.record(db.session, "evaluation", evaluation.id, "reminded")
    opening.send(evaluation, evaluation.user, reminder=True)
    return 1 if commit_first(db.session) else 0
