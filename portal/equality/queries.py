"""Every read of equality monitoring: who is asked, who has been through the questions, the
counts for the desk's report, and the lock taken before answering."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import abort

from portal import db as portal_db
from portal.accounts.models import Role, User
from portal.equality.models import EqualityCount, EqualityDone
from portal.extensions import db
from portal.schemes.models import Scheme
from portal.schemes.queries import get_scheme_or_404

#: The roles whose people are asked, in the report's order.
ROLES = (Role.MENTOR, Role.MENTEE)


def asked_roles(user: User, scheme_id: int) -> list[str]:
    """The roles in which ``user`` is asked in the scheme (held now, mentor or mentee)."""
    held = user.roles_in(scheme_id)
    return [role.value for role in ROLES if role in held]


def member_scheme_or_404(slug: str, user: User) -> Scheme:
    """The scheme, if it asks equality questions and ``user`` is a mentor or mentee in it; 404
    for anyone else (nothing says whether the scheme asks)."""
    scheme = get_scheme_or_404(slug)
    if not scheme.equality_questions or not asked_roles(user, scheme.id):
        abort(404)
    return scheme


def done_of(user_id: int, scheme_id: int) -> EqualityDone | None:
    return db.session.get(EqualityDone, (user_id, scheme_id))


def done_by(user_id: int) -> list[EqualityDone]:
    """Every scheme where the person has answered or declined."""
    return list(db.session.scalars(sa.select(EqualityDone).where(
        EqualityDone.user_id == user_id)))


def waiting_schemes(user: User) -> list[Scheme]:
    """The schemes whose questions ``user`` has not been through yet, by name."""
    asking = {m.scheme for m in user.memberships
              if m.active and m.role in ROLES and m.scheme.equality_questions}
    if not asking:
        return []  # most schemes ask nothing: no statement
    done = {marker.scheme_id for marker in done_by(user.id)}
    return sorted((s for s in asking if s.id not in done), key=lambda s: s.name)


def lock_person(user_id: int) -> User | None:
    """The person, locked and read fresh.

    Why: answering and declining take this lock before they look for the marker, so two sends
    at once are one after the other and the second finds the first's marker (an account's
    deletion takes the same lock)."""
    return portal_db.lock(db.session(), sa.select(User).where(User.id == user_id)
                          .execution_options(populate_existing=True))


def lock_counts(scheme_id: int) -> None:
    """Every count row of the scheme, locked in one order.

    Why: each answer rewrites all of them; two answers at once (two people) then wait for each
    other in the same order rather than each holding rows the other needs. SQLite has no row
    locks: its writers already take turns (portal.db.lock)."""
    db.session.execute(
        sa.select(EqualityCount.role).where(EqualityCount.scheme_id == scheme_id)
        .order_by(EqualityCount.role, EqualityCount.question, EqualityCount.answer)
        .with_for_update())


def counts(scheme_id: int) -> dict[tuple[str, str], dict[str, int]]:
    """{(role, question key): {answer: count}} for the scheme, in one query."""
    found: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for role, question, answer, n in db.session.execute(
            sa.select(EqualityCount.role, EqualityCount.question, EqualityCount.answer,
                      EqualityCount.count).where(EqualityCount.scheme_id == scheme_id)):
        found[(role, question)][answer] = n
    return found
