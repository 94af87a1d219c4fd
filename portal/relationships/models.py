"""A mentoring relationship: from both saying yes after the chemistry call, to its ending."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, Lifecycle, TransitionRefused, enum_column, utcnow
from portal.errors import DomainError
from portal.mentors.models import MentorProfile
from portal.schemes.models import Scheme


class RelationshipState(enum.StrEnum):
    #: Both want to work together; the agreement is being drawn up and signed.
    AGREEING = "agreeing"
    #: The signed agreement has been submitted to the scheme administrator.
    ACTIVE = "active"
    ENDED = "ended"


class EndKind(enum.StrEnum):
    ENDED_EARLY = "ended_early"
    COMPLETED = "completed"


class EndCategory(enum.StrEnum):
    """Why a relationship ended early, as the person ending it chose (never shown to the other
    person)."""

    NOT_WORKING = "not_working"
    CIRCUMSTANCES = "circumstances"
    GOALS_MET = "goals_met"
    LEAVING = "leaving"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"not_working": "The mentoring is not working as we hoped",
                "circumstances": "Work or personal circumstances have changed",
                "goals_met": "The goals have been met sooner than planned",
                "leaving": "Leaving the organisation or the scheme",
                "other": "Another reason"}[self.value]


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
    #: How it ended: early (by either person or an administrator) or completed (the agreed
    #: duration ran out).
    end_kind: Mapped[EndKind | None] = mapped_column(enum_column(EndKind))
    #: The reason's category, for the scheme's reports; administrators only, like the reason.
    end_category: Mapped[EndCategory | None] = mapped_column(enum_column(EndCategory))

    scheme: Mapped[Scheme] = relationship(lazy="joined")
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id], lazy="joined")
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id], lazy="joined")
    #: The mentor's profile: their name as mentees see it, and the places the relationship holds.
    profile: Mapped[MentorProfile] = relationship(lazy="select")

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


# --- the running relationship: sessions, actions, check-ins, reminders ---------------------------

class SessionState(enum.StrEnum):
    #: Booked for a time to come (or just past, not yet logged).
    BOOKED = "booked"
    #: It took place ("we met").
    HELD = "held"
    #: The time came and the pair did not meet.
    NOT_HELD = "not_held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"booked": "Booked", "held": "Took place", "not_held": "Did not happen",
                "cancelled": "Cancelled"}[self.value]


#: A booked session is logged (held or not) or cancelled; those are final.
SESSION_LIFECYCLE: Lifecycle[SessionState] = Lifecycle({
    SessionState.BOOKED: {SessionState.HELD, SessionState.NOT_HELD, SessionState.CANCELLED},
    SessionState.HELD: set(),
    SessionState.NOT_HELD: set(),
    SessionState.CANCELLED: set(),
})


class SessionFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {"in_person": "In person", "video": "Video call", "phone": "Phone call"}[self.value]


class MentoringSession(Base):
    """One mentoring session: booked ahead (with a calendar invitation), or logged afterwards.

    A session logged without a booking has no ``starts_at``; ``held_on`` and ``held_minutes``
    say when it took place and for how long.
    """

    __tablename__ = "mentoring_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        sa.ForeignKey("relationship.id", ondelete="CASCADE"), index=True)
    state: Mapped[SessionState] = mapped_column(enum_column(SessionState),
                                                default=SessionState.BOOKED)
    starts_at: Mapped[dt.datetime | None]
    duration_minutes: Mapped[int] = mapped_column(default=60)
    format: Mapped[SessionFormat] = mapped_column(enum_column(SessionFormat),
                                                  default=SessionFormat.IN_PERSON)
    #: The address, room or video link; for a phone call, who calls whom.
    place: Mapped[str] = mapped_column(sa.Text, default="")
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    booked_at: Mapped[dt.datetime | None]
    #: One calendar UID per session; the sequence rises with each update or the cancellation.
    invite_uid: Mapped[str | None] = mapped_column(sa.String(200))
    invite_sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: Cancelled with less notice than the agreement asks for (allowed, but recorded).
    late_notice: Mapped[bool] = mapped_column(default=False)
    logged_at: Mapped[dt.datetime | None]
    logged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    held_on: Mapped[dt.date | None]
    held_minutes: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    relationship: Mapped[Relationship] = relationship(lazy="joined")

    __table_args__ = (sa.Index("ix_mentoring_session_state_starts", "state", "starts_at"),)

    @property
    def ends_at(self) -> dt.datetime | None:
        return (self.starts_at + dt.timedelta(minutes=self.duration_minutes)
                if self.starts_at is not None else None)

    def move_to(self, state: SessionState) -> None:
        """Change state along an allowed transition, or refuse with nothing changed."""
        SESSION_LIFECYCLE.move(self, state, refuse=lambda session, to: DomainError(
            f"This session is already {session.state.label.lower()}."))


class ActionOwner(enum.StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    BOTH = "both"


class ActionItem(Base):
    """One action in a pair's action plan: what, who, by when, against which goal."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        sa.ForeignKey("relationship.id", ondelete="CASCADE"), index=True)
    #: The session it came out of, if any.
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mentoring_session.id", ondelete="SET NULL"))
    #: The agreement's goal it serves, as the goal was worded; empty for none.
    goal: Mapped[str] = mapped_column(sa.String(300), default="")
    what: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[ActionOwner] = mapped_column(enum_column(ActionOwner),
                                               default=ActionOwner.MENTEE)
    due_on: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    done_at: Mapped[dt.datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))


class CheckInAnswer(enum.StrEnum):
    ON_TRACK = "on_track"
    NEED_HELP = "need_help"
    WANT_TO_END = "want_to_end"

    @property
    def label(self) -> str:
        return {"on_track": "We are on track", "need_help": "We need help",
                "want_to_end": "I want to end the mentoring"}[self.value]


class CheckIn(Base):
    """A review check-in: on the agreement's review date (and, where the pack asks, at the
    midpoint) each person says how the mentoring is going."""

    __tablename__ = "check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        sa.ForeignKey("relationship.id", ondelete="CASCADE"))
    #: "review" or "midpoint"
    kind: Mapped[str] = mapped_column(sa.String(20))
    due_on: Mapped[dt.date]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    mentor_answer: Mapped[CheckInAnswer | None] = mapped_column(enum_column(CheckInAnswer))
    mentor_answered_at: Mapped[dt.datetime | None]
    mentee_answer: Mapped[CheckInAnswer | None] = mapped_column(enum_column(CheckInAnswer))
    mentee_answered_at: Mapped[dt.datetime | None]

    relationship: Mapped[Relationship] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("relationship_id", "kind"),)

    def answer_of(self, party: str) -> CheckInAnswer | None:
        return getattr(self, f"{party}_answer")


class RelationshipReminder(Base):
    """One reminder or nudge sent about a relationship. The unique key makes every sweep
    idempotent: a second run, or two at once, never sends the same one twice.

    ``kind`` says what it was ("session_follow_up", "quiet", "quiet_admin", ...) and ``key``
    which occasion (a session's id, the date of the last activity, ...).
    """

    __tablename__ = "relationship_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        sa.ForeignKey("relationship.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    key: Mapped[str] = mapped_column(sa.String(40))
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("relationship_id", "kind", "key"),)
