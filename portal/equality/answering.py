"""Answering a scheme's equality-monitoring questions, or saying "No thanks": once, by a mentor
or mentee of the scheme.

Sending adds one to the count of each answer given (a question left blank counts as "Not
answered") for each of the person's roles there, and leaves a marker that they have been
through the questions, in one transaction; "No thanks" leaves the same marker and counts
nothing. The marker does not say which they chose, so nobody reading the database can tell the
people who answered from those who declined. Unlike the portal's other verbs, this one stamps
no time, writes no audit entry and queues no email: anything that said who answered when would
let the counts that changed at that moment be tied to them. Both choices rewrite every count
row of the scheme (the ones that did not change by 0), so the database's record of which rows a
transaction wrote gives nothing away either.

The person's row is locked first, so a second send (two tabs, a double click) finds the
first's marker and is refused, with nothing counted twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.dialects import postgresql, sqlite

from portal.accounts.models import User
from portal.equality import queries
from portal.equality.models import EqualityCount, EqualityDone
from portal.errors import DomainError
from portal.extensions import db
from portal.schemes.models import Scheme
from portal.schemes.packs import NOT_ANSWERED, PREFER_NOT_TO_SAY


def options_of(question: dict) -> list[str]:
    """What a question offers: the pack's options, then "Prefer not to say"."""
    return [*question["options"], PREFER_NOT_TO_SAY]


def refuse_if_done(marker: EqualityDone | None) -> None:
    if marker is not None:
        raise DomainError(
            "You have already been through this scheme's equality monitoring questions, so "
            "they cannot be answered again. Answers are kept only as anonymous counts, which "
            "cannot be linked back to you, so they cannot be changed either.",
            title="You have already done this")


def send(scheme_id: int, person: User, answers: dict[str, str]) -> None:
    """Count ``answers`` ({question key: option}, questions left out counted as "Not
    answered") once for each of ``person``'s roles in the scheme, and mark them done."""
    _record(scheme_id, person, answers)


def decline(scheme_id: int, person: User) -> None:
    """Mark ``person`` done in the scheme without counting anything ("No thanks")."""
    _record(scheme_id, person, None)


def _record(scheme_id: int, person: User, answers: dict[str, str] | None) -> None:
    db.session.rollback()  # ends the read, so the lock starts the transaction
    person = queries.lock_person(person.id)
    scheme = db.session.get(Scheme, scheme_id)
    roles = queries.asked_roles(person, scheme_id) if person and scheme else []
    if not roles or not scheme.equality_questions:
        db.session.rollback()
        abort(404)
    refuse_if_done(queries.done_of(person.id, scheme_id))
    questions = scheme.equality_questions
    if answers is not None:
        asked = {q["key"]: options_of(q) for q in questions}
        if set(answers) - set(asked) or any(
                answer not in asked[key] for key, answer in answers.items()):
            raise DomainError("Choose one of the answers shown for each question, or leave it "
                              "blank.", status=400, title="Those answers were not on the form")
    db.session.add(EqualityDone(user_id=person.id, scheme_id=scheme_id))
    _count(scheme_id, questions, roles, answers)
    db.session.commit()


def _count(scheme_id: int, questions: list[dict], roles: list[str],
           answers: dict[str, str] | None) -> None:
    """Add one to each answer given (none for "No thanks"), for each role, rewriting every
    count row of the scheme either way."""
    rows = [{"scheme_id": scheme_id, "role": role, "question": q["key"], "answer": answer,
             "count": 0}
            for role in ("mentor", "mentee") for q in questions
            for answer in [*options_of(q), NOT_ANSWERED]]
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Another person's first answer may be making the same rows at this moment: theirs stand.
    db.session.execute(insert(EqualityCount).values(rows).on_conflict_do_nothing())
    queries.lock_counts(scheme_id)
    given = sa.or_(*(sa.and_(EqualityCount.role == role, EqualityCount.question == q["key"],
                             EqualityCount.answer == answers.get(q["key"], NOT_ANSWERED))
                     for role in roles for q in questions)) if answers is not None else sa.false()
    db.session.execute(
        sa.update(EqualityCount).where(EqualityCount.scheme_id == scheme_id)
        .values(count=EqualityCount.count + sa.case((given, 1), else_=0))
        .execution_options(synchronize_session=False))
