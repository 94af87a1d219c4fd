"""Looking relationships, their sessions, actions and check-ins up, for pages, links and the
sweeps, and locking a relationship for a change (each lock with its reason)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from portal import db as portal_db
from portal.accounts.models import User
from portal.errors import DomainError
from portal.extensions import db
from portal.relationships.models import Relationship


class RelationshipNotFound(DomainError):
    """Also what someone outside the pair sees: they learn nothing about it."""

    status = 404

    def __init__(self) -> None:
        super().__init__("We cannot find this mentoring relationship.",
                         title="Mentoring relationship not found")


def get(relationship_id: int) -> Relationship | None:
    return db.session.get(Relationship, relationship_id)


def for_party_or_404(relationship_id: int, user: User) -> tuple[Relationship, str]:
    """The relationship and the viewer's part in it ("mentor" or "mentee"); anyone else gets
    404, as if it did not exist."""
    relationship = get(relationship_id)
    party = relationship.party(user.id) if relationship is not None else None
    if party is None:
        raise RelationshipNotFound()
    return relationship, party


def lock(relationship_id: int) -> Relationship:
    """The relationship, locked and read fresh.

    Why: every change within a relationship (booking, cancelling or logging a session, an
    action, a check-in answer, a reminder) first takes this one lock, so two changes at once
    happen one after the other, each seeing what the other did."""
    stmt = (sa.select(Relationship).where(Relationship.id == relationship_id)
            .options(orm.lazyload("*"))
            .execution_options(populate_existing=True))
    relationship = portal_db.lock(db.session(), stmt)
    if relationship is None:
        raise RelationshipNotFound()
    return relationship


# --- sessions and the action plan -----------------------------------------------------------------


# --- check-ins and quiet pairs -------------------------------------------------------------------
