"""A mentoring relationship: from both saying yes after the chemistry call, to its ending."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, utcnow
from portal.schemes.models import Scheme


class RelationshipState(enum.StrEnum):
    #: Both want to work together; the agreement is being drawn up and signed.
    AGREEING = "agreeing"
    #: The signed agreement has been submitted to the scheme administrator.
    ACTIVE = "active"
    ENDED = "ended"


RELATIONSHIP_TRANSITIONS: dict[RelationshipState, set[RelationshipState]] = {
    RelationshipState.AGREEING: {RelationshipState.ACTIVE, RelationshipState.ENDED},
    RelationshipState.ACTIVE: {RelationshipState.ENDED},
    RelationshipState.ENDED: set(),
}


class Relationship(Base):
    __tablename__ = "relationship"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor_profile.id"), index=True)
    state: Mapped[RelationshipState] = mapped_column(
        sa.Enum(RelationshipState, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e]),
        default=RelationshipState.AGREEING,
    )
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

    def party(self, user_id: int) -> str | None:
        """'mentor', 'mentee' or None for someone outside the pair."""
        if user_id == self.mentor_id:
            return "mentor"
        if user_id == self.mentee_id:
            return "mentee"
        return None
