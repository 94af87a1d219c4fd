"""Finding agreements: for a person, for a page, and locked for a state change."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy import orm

from portal import db as portal_db
from portal.agreements.models import Agreement
from portal.errors import DomainError
from portal.extensions import db
from portal.relationships.models import Relationship, RelationshipState


def lock(agreement_id: int) -> Agreement:
    """The agreement, locked against concurrent changes, read fresh from the database."""
    stmt = (sa.select(Agreement).where(Agreement.id == agreement_id)
            # FOR UPDATE cannot lock the outer-joined side of an eager join, and need not:
            # the agreement row is the one lock every change to an agreement takes.
            .options(orm.lazyload("*"))
            .execution_options(populate_existing=True))
    agreement = portal_db.lock(db.session(), stmt)
    if agreement is None:
        raise DomainError("This agreement no longer exists.", status=404)
    # Anything read before the lock (the link's agreement, its versions and signatures) may be
    # stale under READ COMMITTED: read it all again now that the row is ours.
    db.session.expire_all()
    return agreement


def by_reference(reference: str) -> Agreement | None:
    return db.session.scalar(sa.select(Agreement).where(Agreement.reference == reference))


def for_party_or_404(reference: str, user) -> Agreement:
    """The agreement, if ``user`` is its mentor or mentee; 404 for anyone else."""
    agreement = by_reference(reference)
    if agreement is None or agreement.party(user.id) is None:
        abort(404)
    return agreement


def for_person(user_id: int) -> list[Agreement]:
    """The agreements of a person's relationships that are being agreed or are active."""
    return list(db.session.scalars(
        sa.select(Agreement).join(Agreement.relationship)
        .where(sa.or_(Relationship.mentor_id == user_id, Relationship.mentee_id == user_id),
               Relationship.state.in_([RelationshipState.AGREEING, RelationshipState.ACTIVE]))
        .order_by(Agreement.created_at.desc())
    ).unique())
