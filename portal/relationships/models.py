"""A mentoring relationship: from both saying yes after the chemistry call, to its ending."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, Lifecycle, TransitionRefused, enum_column, utcnow
from portal.errors import DomainError
from portal.schemes.models import Scheme


class RelationshipState(enum.StrEnum):
    #: Both want to work together; the agreement is being drawn up and signed.
    AGREEING = "agreeing"
    #: The signed agreement has been submitted to the scheme administrator.
    ACTIVE = "active"
    ENDED = "ended"


#: The only state changes a relationship may make.
RELATIONSHIP_LIFECYCLE: Lifecycle[RelationshipState] = Lifecycle({
    RelationshipState.AGREEING: {RelationshipState.ACTIVE, RelationshipState.ENDED},
    RelationshipState.ACTIVE: {RelationshipState.ENDED},
    RelationshipState.ENDED: set(),
})


def _refuse_move(relationship: Relationship, to: RelationshipState) -> DomainError:
    # Only an ended relationship refuses what people can ask for (activating it by submitting
    # its agreement); anything else would be a bug in the caller.
    if relationship.state == RelationshipState.ENDED and to == RelationshipState.ACTIVE:
        return DomainError("This mentoring relationship has ended, so the agreement cannot be "
                           "submitted.")
    return TransitionRefused(f"Relationship cannot go from {relationship.state} to {to}")


class Relationship(Base):
    __tablename__ = "relationship"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor_profile.id"), index=True)
    state: Mapped[RelationshipState] = mapped_column(enum_column(RelationshipState),
                                                     default=RelationshipState.AGREEING)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    #: Kept for the administrator only; never shown to the other party.
    end_reason: Mapped[str | None] = mapped_column(sa.Text)

    scheme: Mapped[Scheme] = relationship(lazy="joined")
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id], lazy="joined")
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id], lazy="joined")

    @property
    def may_sessions_start(self) -> bool:
        """The one guard for sessions: only once the signed agreement has been submitted."""
        return self.state == RelationshipState.ACTIVE

    def move_to(self, state: RelationshipState) -> None:
        """Change state along an allowed transition, or refuse with nothing changed."""
        RELATIONSHIP_LIFECYCLE.move(self, state, refuse=_refuse_move)

    def party(self, user_id: int) -> str | None:
        """'mentor', 'mentee' or None for someone outside the pair."""
        if user_id == self.mentor_id:
            return "mentor"
        if user_id == self.mentee_id:
            return "mentee"
        return None
