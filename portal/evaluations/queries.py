"""Every read of the evaluations area: a person's own evaluation (anyone else: not found), the
ones waiting for them, what the sweep has to do, the row lock, and what administrators see."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort
from sqlalchemy import orm

from portal import db as portal_db
from portal.accounts.models import Role, User
from portal.evaluations.models import (
    Evaluation,
    EvaluationKind,
    EvaluationReminder,
    EvaluationSignature,
    EvaluationSignoff,
    EvaluationSignReminder,
    EvaluationState,
)
from portal.extensions import db
from portal.relationships.models import Relationship, RelationshipState

#: Where the pack promises anonymity, no answer is shown until this many people of one kind and
#: role have answered: fewer, and each could be told apart.
ANONYMOUS_THRESHOLD = 5


def get(evaluation_id: int) -> Evaluation | None:
    return db.session.get(Evaluation, evaluation_id)


def own_or_404(evaluation_id: int, user: User) -> Evaluation:
    """The evaluation, if it is ``user``'s own; 404 for anyone else (the other person in the
    pair and the scheme's administrators too: they see answers only on the scheme's page)."""
    evaluation = get(evaluation_id)
    if evaluation is None or evaluation.user_id != user.id:
        abort(404)
    return evaluation


def lock(evaluation_id: int) -> Evaluation | None:
    """The evaluation, locked and read fresh.

    Why: sending answers and the sweep's reminder both take this lock, so a reminder is never
    sent about an evaluation being answered at that moment, and two sends are one after the
    other (the second sees the first)."""
    stmt = (sa.select(Evaluation).where(Evaluation.id == evaluation_id)
            .options(orm.lazyload("*")).execution_options(populate_existing=True))
    return portal_db.lock(db.session(), stmt)


def kinds_of(relationship_id: int) -> set[EvaluationKind]:
    """The kinds of evaluation a relationship has had opened."""
    return set(db.session.scalars(sa.select(Evaluation.kind).distinct().where(
        Evaluation.relationship_id == relationship_id)))


def waiting_for(user_id: int, now: dt.datetime) -> list[Evaluation]:
    """The person's evaluations still open for answers, the one closing first first."""
    return list(db.session.scalars(
        sa.select(Evaluation).where(Evaluation.user_id == user_id,
                                    Evaluation.state == EvaluationState.OPEN,
                                    Evaluation.closes_at > now)
        .order_by(Evaluation.closes_at, Evaluation.id)))


def other_name(evaluation: Evaluation) -> str:
    """The name of the other person in the pair, as the evaluation's person knows them."""
    relationship = db.session.get(Relationship, evaluation.relationship_id)
    if evaluation.party == "mentee":
        return relationship.profile.display_name
    return relationship.mentee.full_name


def ended_since(after: dt.datetime) -> list[Relationship]:
    """Relationships that ended after ``after`` (for the follow-up evaluations)."""
    return list(db.session.scalars(
        sa.select(Relationship).where(Relationship.state == RelationshipState.ENDED,
                                      Relationship.ended_at >= after)
        .order_by(Relationship.id)))


def to_remind(opened_before: dt.datetime, now: dt.datetime) -> list[int]:
    """Ids of open evaluations, opened before ``opened_before`` and not yet closed, whose person
    has not answered and has had no reminder."""
    reminded = sa.select(EvaluationReminder.id).where(
        EvaluationReminder.evaluation_id == Evaluation.id)
    return list(db.session.scalars(
        sa.select(Evaluation.id).where(Evaluation.state == EvaluationState.OPEN,
                                       Evaluation.opened_at <= opened_before,
                                       Evaluation.closes_at > now,
                                       ~sa.exists(reminded))
        .order_by(Evaluation.id)))


def reminded(evaluation_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        EvaluationReminder.evaluation_id == evaluation_id))) or False


# --- the evaluation both people sign (packs with signed_together) ---------------------------

def end_evaluations(relationship_id: int) -> dict[str, Evaluation]:
    """The relationship's end-of-mentoring evaluations by party, read fresh."""
    rows = db.session.scalars(
        sa.select(Evaluation).where(Evaluation.relationship_id == relationship_id,
                                    Evaluation.kind == EvaluationKind.END)
        .execution_options(populate_existing=True))
    return {evaluation.party: evaluation for evaluation in rows}


def latest_signoff(relationship_id: int) -> EvaluationSignoff | None:
    """The relationship's newest version of the signed evaluation (voided or not), read fresh:
    callers that change it hold the relationship's lock."""
    return db.session.scalar(
        sa.select(EvaluationSignoff).where(EvaluationSignoff.relationship_id == relationship_id)
        .order_by(EvaluationSignoff.number.desc()).limit(1)
        .execution_options(populate_existing=True))


def to_sign(user_id: int) -> list[Evaluation]:
    """The person's end-of-mentoring evaluations whose signed form waits for their signature
    (both sent their answers; this person has not signed the version standing)."""
    signed = sa.select(EvaluationSignature.id).where(
        EvaluationSignature.signoff_id == EvaluationSignoff.id,
        EvaluationSignature.user_id == user_id)
    return list(db.session.scalars(
        sa.select(Evaluation)
        .join(EvaluationSignoff, EvaluationSignoff.relationship_id == Evaluation.relationship_id)
        .where(Evaluation.user_id == user_id, Evaluation.kind == EvaluationKind.END,
               EvaluationSignoff.voided_at.is_(None), EvaluationSignoff.signed_at.is_(None),
               ~sa.exists(signed))
        .order_by(EvaluationSignoff.created_at, Evaluation.id)))


def to_remind_to_sign(made_before: dt.datetime, made_after: dt.datetime) -> list[tuple[int, str]]:
    """(version id, party) of each person who has not signed a version standing since before
    ``made_before`` (and after ``made_after``, while its link still works), and has had no
    reminder to sign it."""
    found = []
    for party in ("mentor", "mentee"):
        signed = sa.select(EvaluationSignature.id).where(
            EvaluationSignature.signoff_id == EvaluationSignoff.id,
            EvaluationSignature.party == party)
        reminded = sa.select(EvaluationSignReminder.id).where(
            EvaluationSignReminder.signoff_id == EvaluationSignoff.id,
            EvaluationSignReminder.party == party)
        found += [(signoff_id, party) for signoff_id in db.session.scalars(
            sa.select(EvaluationSignoff.id).where(
                EvaluationSignoff.voided_at.is_(None), EvaluationSignoff.signed_at.is_(None),
                EvaluationSignoff.created_at <= made_before,
                EvaluationSignoff.created_at > made_after,
                ~sa.exists(signed), ~sa.exists(reminded)))]
    return sorted(found)


def reminded_to_sign(signoff_id: int, party: str) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        EvaluationSignReminder.signoff_id == signoff_id,
        EvaluationSignReminder.party == party))) or False


def get_signoff(signoff_id: int) -> EvaluationSignoff | None:
    return db.session.get(EvaluationSignoff, signoff_id)


def signoff_by_hash(reference: str, sha256: str) -> EvaluationSignoff | None:
    """The version of signed evaluation ``reference`` whose text has this SHA-256, if any."""
    return db.session.scalar(
        sa.select(EvaluationSignoff).where(EvaluationSignoff.reference == reference,
                                           EvaluationSignoff.sha256 == sha256))


def signed_signoffs(scheme_id: int) -> list[EvaluationSignoff]:
    """The scheme's evaluations signed by both, newest first (the administrators' page)."""
    return list(db.session.scalars(
        sa.select(EvaluationSignoff).where(EvaluationSignoff.scheme_id == scheme_id,
                                           EvaluationSignoff.signed_at.is_not(None))
        .order_by(EvaluationSignoff.signed_at.desc(), EvaluationSignoff.id.desc())))


def signed_signoff_or_404(reference: str, user: User) -> EvaluationSignoff:
    """The version both signed of evaluation ``reference``, for its mentor or mentee or an
    administrator of its scheme; 404 for anyone else, and while nobody has signed it all."""
    signoff = db.session.scalar(
        sa.select(EvaluationSignoff).where(EvaluationSignoff.reference == reference,
                                           EvaluationSignoff.signed_at.is_not(None)))
    if signoff is None:
        abort(404)
    relationship = db.session.get(Relationship, signoff.relationship_id)
    if (relationship.party(user.id) is None
            and not user.has_role(Role.ADMIN, signoff.scheme_id)):
        abort(404)
    return signoff


# --- what administrators see -----------------------------------------------------------------

@dataclass
class Answer:
    text: str
    #: Who gave it: only where the evaluation was not anonymous.
    by: str | None = None


@dataclass
class Group:
    """One kind of evaluation for one role in a scheme: how many were sent and answered, and
    the answers to each question (none where anonymity hides them)."""

    kind: EvaluationKind
    party: str
    sent: int = 0
    answered: int = 0
    anonymous: bool = False
    questions: list[str] = field(default_factory=list)
    answers: dict[str, list[Answer]] = field(default_factory=dict)

    @property
    def rate(self) -> int:
        """The response rate, as a whole percentage."""
        return round(100 * self.answered / self.sent) if self.sent else 0

    @property
    def hidden(self) -> bool:
        """Anonymous, and too few answers in to show any without telling people apart."""
        return self.anonymous and self.answered < ANONYMOUS_THRESHOLD


def results(scheme_id: int) -> list[Group]:
    """The scheme's evaluations by kind and role: the counts, and each question's answers.

    Where any evaluation of a group was opened under the pack's promise of anonymity, the whole
    group is anonymous: no answer until ANONYMOUS_THRESHOLD are in, then each question's
    answers without names, in a random order of their own (never in the order of the people
    who gave them, and not the same order from one question to the next)."""
    evaluations = list(db.session.scalars(
        sa.select(Evaluation).where(Evaluation.scheme_id == scheme_id)
        .order_by(Evaluation.submitted_at, Evaluation.id)))
    groups: dict[tuple[EvaluationKind, str], Group] = {}
    given: dict[tuple[EvaluationKind, str], dict[str, list[Answer]]] = defaultdict(
        lambda: defaultdict(list))
    for evaluation in evaluations:
        key = (evaluation.kind, evaluation.party)
        group = groups.setdefault(key, Group(evaluation.kind, evaluation.party))
        group.sent += 1
        group.anonymous = group.anonymous or evaluation.anonymous
        for question in evaluation.questions:
            if question not in group.questions:
                group.questions.append(question)
        if evaluation.state != EvaluationState.SUBMITTED:
            continue
        group.answered += 1
        for question, text in zip(evaluation.questions, evaluation.answers or [], strict=False):
            if text:
                given[key][question].append(Answer(text, evaluation.user.full_name))
    shuffle = random.SystemRandom().shuffle
    for key, group in groups.items():
        if group.hidden:
            continue
        for question in group.questions:
            answers = list(given[key].get(question, []))
            if group.anonymous:
                answers = [Answer(answer.text) for answer in answers]
                shuffle(answers)
            group.answers[question] = answers
    order = {kind: n for n, kind in enumerate(EvaluationKind)}
    return sorted(groups.values(), key=lambda g: (order[g.kind], g.party != "mentee"))
