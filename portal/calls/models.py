"""Chemistry calls: a mentee's request, the mentor's answer, the call, and what both decide after.

Also the line manager's approval that some schemes need before a mentee may request a call.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, Lifecycle, enum_column, utcnow
from portal.errors import DomainError
from portal.mentors.models import MentorProfile
from portal.schemes.models import Scheme
from portal.templating import format_date, format_datetime

__all__ = [
    "CALL_LIFECYCLE",
    "APPROVAL_LIFECYCLE",
    "ApprovalState",
    "CallFollowUp",
    "CallFormat",
    "CallState",
    "ChemistryCall",
    "DeclineReason",
    "Decision",
    "LineManagerApproval",
    "ProposedTime",
]


class CallState(enum.StrEnum):
    #: Waiting for the mentor to answer.
    REQUESTED = "requested"
    #: The mentor accepted and a time is set; a place is held for the mentee.
    ACCEPTED = "accepted"
    DECLINED = "declined"
    #: The mentee withdrew the request (before or after it was accepted).
    WITHDRAWN = "withdrawn"
    #: Nobody answered within the scheme's expiry period.
    EXPIRED = "expired"
    #: The mentor called off an accepted call.
    CANCELLED = "cancelled"
    #: Both said "let's work together": the pair moves on to their agreement.
    MATCHED = "matched"
    #: One of them said "not for us" after the call.
    NOT_TAKEN_FORWARD = "not_taken_forward"


#: The only state changes a chemistry call may make.
CALL_LIFECYCLE: Lifecycle[CallState] = Lifecycle({
    CallState.REQUESTED: {CallState.ACCEPTED, CallState.DECLINED, CallState.WITHDRAWN,
                          CallState.EXPIRED},
    CallState.ACCEPTED: {CallState.WITHDRAWN, CallState.CANCELLED, CallState.MATCHED,
                         CallState.NOT_TAKEN_FORWARD},
    CallState.DECLINED: set(),
    CallState.WITHDRAWN: set(),
    CallState.EXPIRED: set(),
    CallState.CANCELLED: set(),
    CallState.MATCHED: set(),
    CallState.NOT_TAKEN_FORWARD: set(),
})

#: Requests that count against the scheme's limit and block a second request to the same mentor.
OPEN_STATES = frozenset({CallState.REQUESTED, CallState.ACCEPTED})


class CallFormat(enum.StrEnum):
    VIDEO = "video"
    PHONE = "phone"
    IN_PERSON = "in_person"
    ANY = "any"

    @property
    def label(self) -> str:
        return {"video": "Video call", "phone": "Phone call", "in_person": "In person",
                "any": "No preference"}[self.value]


class DeclineReason(enum.StrEnum):
    NO_TIME = "no_time"
    NOT_A_MATCH = "not_a_match"
    FULL = "full"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "no_time": "I do not have time at the moment",
            "not_a_match": "My experience does not fit what they are looking for",
            "full": "I am not taking on anyone new just now",
            "other": "Another reason",
        }[self.value]


class Decision(enum.StrEnum):
    """What each person says after the call's time."""

    YES = "yes"
    NO = "no"
    #: The call did not take place: either may then propose a new time (which clears it).
    DID_NOT_MEET = "did_not_meet"

    @property
    def label(self) -> str:
        return {"yes": "Let's work together", "no": "Not for us",
                "did_not_meet": "We did not meet"}[self.value]


class ChemistryCall(Base):
    """One mentee's request for a chemistry call with one mentor, and everything after it."""

    __tablename__ = "chemistry_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id", ondelete="CASCADE"),
                                           index=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentor_profile.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    state: Mapped[CallState] = mapped_column(enum_column(CallState), default=CallState.REQUESTED)

    #: What the mentee hopes to get from mentoring (shown to the mentor).
    hopes: Mapped[str] = mapped_column(sa.Text)
    #: Any earlier experience of mentoring, as mentee or mentor.
    experience: Mapped[str] = mapped_column(sa.Text, default="")
    #: The mentee is happy for the mentor to suggest any time.
    flexible: Mapped[bool] = mapped_column(default=False)
    preferred_format: Mapped[CallFormat] = mapped_column(enum_column(CallFormat),
                                                         default=CallFormat.ANY)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: When the mentor was reminded of the unanswered request (at most once).
    reminded_at: Mapped[dt.datetime | None]

    answered_at: Mapped[dt.datetime | None]
    #: When the call starts (set on acceptance, changed by a reschedule).
    scheduled_at: Mapped[dt.datetime | None]
    duration_minutes: Mapped[int] = mapped_column(default=30)
    #: Where or how to meet: a place, a video link or a phone number.
    meeting_details: Mapped[str] = mapped_column(sa.Text, default="")
    #: The calendar invite's UID, fixed at acceptance, and its SEQUENCE (bumped on each change).
    invite_uid: Mapped[str | None] = mapped_column(sa.String(200))
    invite_sequence: Mapped[int] = mapped_column(default=0)

    #: Kept from the mentee: only the mentor and the scheme administrator see it.
    decline_reason: Mapped[DeclineReason | None] = mapped_column(enum_column(DeclineReason))
    decline_note: Mapped[str] = mapped_column(sa.Text, default="")

    #: When and by whom the call was withdrawn, cancelled, expired or decided.
    ended_at: Mapped[dt.datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    mentor_decision: Mapped[Decision | None] = mapped_column(enum_column(Decision))
    mentor_decided_at: Mapped[dt.datetime | None]
    #: Private: never shown to the other party.
    mentor_reason: Mapped[str] = mapped_column(sa.Text, default="")
    mentee_decision: Mapped[Decision | None] = mapped_column(enum_column(Decision))
    mentee_decided_at: Mapped[dt.datetime | None]
    mentee_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: The relationship created when both said "let's work together".
    relationship_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("relationship.id", ondelete="SET NULL"))

    scheme: Mapped[Scheme] = relationship(lazy="joined")
    profile: Mapped[MentorProfile] = relationship(lazy="selectin")
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id], lazy="selectin")
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id], lazy="selectin")
    proposed_times: Mapped[list[ProposedTime]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ProposedTime.starts_at")

    __table_args__ = (
        sa.Index("ix_chemistry_call_mentee_state", "mentee_id", "state"),
        sa.Index("ix_chemistry_call_state_requested", "state", "requested_at"),
    )

    @property
    def awaits_answer(self) -> bool:
        """Whether the mentor can still accept or decline the request."""
        return self.state == CallState.REQUESTED

    @property
    def closes_at(self) -> dt.datetime:
        """When an unanswered request expires (the scheme's setting)."""
        return self.requested_at + dt.timedelta(days=self.scheme.request_expiry_days)

    @property
    def ends_at(self) -> dt.datetime | None:
        if self.scheduled_at is None:
            return None
        return self.scheduled_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def has_ended(self) -> bool:
        """Whether the call's end time (start plus length) has passed."""
        return self.ends_at is not None and self.ends_at <= utcnow()

    @property
    def did_not_happen(self) -> bool:
        """Whether either person said "we did not meet" (until a new time is set)."""
        return Decision.DID_NOT_MEET in (self.mentor_decision, self.mentee_decision)

    @property
    def said_how_it_went(self) -> bool:
        """Whether either person has said "let's work together" or "not for us"."""
        return bool({self.mentor_decision, self.mentee_decision} & {Decision.YES, Decision.NO})

    @property
    def status(self) -> str:
        """The state as people see it: an accepted call whose time has passed "took place" (or
        "did not happen", once either said so); otherwise the state's own value."""
        if self.state == CallState.ACCEPTED:
            if self.did_not_happen:
                return "did_not_happen"
            if self.has_ended:
                return "took_place"
        return self.state.value

    @property
    def contacts_shared(self) -> bool:
        """Each sees the other's email address from acceptance on (never before)."""
        return self.answered_at is not None and self.state not in {
            CallState.REQUESTED, CallState.DECLINED, CallState.EXPIRED}

    def party(self, user_id: int | None) -> str | None:
        """'mentor', 'mentee' or None for someone outside the call."""
        if user_id == self.mentor_id:
            return "mentor"
        if user_id == self.mentee_id:
            return "mentee"
        return None

    def person(self, party: str) -> User:
        return self.mentor if party == "mentor" else self.mentee

    def name_of(self, party: str) -> str:
        """The name each person goes by here: the mentor's profile name, the mentee's own."""
        return self.profile.display_name if party == "mentor" else self.mentee.full_name

    def decision_of(self, party: str) -> Decision | None:
        return self.mentor_decision if party == "mentor" else self.mentee_decision

    def move_to(self, state: CallState, party: str | None = None) -> None:
        """Change state along an allowed transition, or refuse with nothing changed, saying in
        the words for ``party`` what has happened to the call instead."""
        CALL_LIFECYCLE.move(self, state, refuse=lambda call, to: DomainError(
            call.what_happened(party), title="This chemistry call has moved on"))

    def what_happened(self, party: str | None = None) -> str:
        """One sentence on where the call stands, for a link or button that can no longer act
        (``party`` is who reads it: "mentor", "mentee" or None)."""
        mentee = "you" if party == "mentee" else self.mentee.full_name
        mentor = "you" if party == "mentor" else self.profile.display_name
        state = self.state
        if state == CallState.REQUESTED:
            return f"This request is waiting for {mentor} to answer."
        if state == CallState.ACCEPTED and self.did_not_happen:
            return (f"The call on {format_datetime(self.scheduled_at)} (UK time) did not take "
                    "place. Either of you can propose a new time.")
        if state == CallState.ACCEPTED and self.has_ended:
            return (f"The call took place on {format_datetime(self.scheduled_at)} (UK time).")
        if state == CallState.ACCEPTED:
            return (f"This request was accepted on {format_date(self.answered_at)}. The call is "
                    f"on {format_datetime(self.scheduled_at)} (UK time).")
        if state == CallState.DECLINED:
            return f"This request was declined on {format_date(self.answered_at)}."
        if state == CallState.WITHDRAWN:
            who = "You" if party == "mentee" else mentee[:1].upper() + mentee[1:]
            return f"{who} withdrew this request on {format_date(self.ended_at)}."
        if state == CallState.EXPIRED:
            return (f"This request expired on {format_date(self.ended_at)} because it was not "
                    "answered in time.")
        if state == CallState.CANCELLED:
            return f"This call was cancelled on {format_date(self.ended_at)}."
        if state == CallState.MATCHED:
            return "The chemistry call has taken place and you have both agreed to work together."
        return "The chemistry call has taken place and you will not be working together."

    def __repr__(self) -> str:
        return f"<ChemistryCall {self.id} {self.state}>"


class CallFollowUp(Base):
    """One "How did your call go?" email sent to one person: number 1 the first, 2 the
    reminder. The unique key makes the follow-up command send each once, however often it runs
    (and when two runs overlap). A new time for the call deletes its rows, so the follow-up runs
    again after the new time."""

    __tablename__ = "chemistry_call_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("chemistry_call.id", ondelete="CASCADE"))
    #: "mentor" or "mentee"
    party: Mapped[str] = mapped_column(sa.String(10))
    number: Mapped[int]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("call_id", "party", "number", name="uq_chemistry_call_follow_up_once"),
    )


class ProposedTime(Base):
    """A start time the mentee proposed (two or three of them, unless they are flexible)."""

    __tablename__ = "chemistry_call_time"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("chemistry_call.id", ondelete="CASCADE"),
                                         index=True)
    starts_at: Mapped[dt.datetime]


class ApprovalState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    #: The mentee asked again (another manager, or a fresh link): the old link is dead.
    REPLACED = "replaced"


#: Only a pending request can be answered or replaced.
APPROVAL_LIFECYCLE: Lifecycle[ApprovalState] = Lifecycle({
    ApprovalState.PENDING: {ApprovalState.APPROVED, ApprovalState.DECLINED,
                            ApprovalState.REPLACED},
    ApprovalState.APPROVED: set(),
    ApprovalState.DECLINED: set(),
    ApprovalState.REPLACED: set(),
})


class LineManagerApproval(Base):
    """A line manager's yes or no to a mentee taking part in a scheme. The manager has no
    account: they answer through an emailed link."""

    __tablename__ = "line_manager_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    manager_name: Mapped[str] = mapped_column(sa.String(200))
    manager_email: Mapped[str] = mapped_column(sa.String(254))
    state: Mapped[ApprovalState] = mapped_column(enum_column(ApprovalState),
                                                 default=ApprovalState.PENDING)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    #: Where the manager answered from, for the audit trail.
    decided_ip: Mapped[str | None] = mapped_column(sa.String(64))

    scheme: Mapped[Scheme] = relationship(lazy="joined")
    mentee: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        sa.Index("ix_line_manager_approval_mentee_scheme", "mentee_id", "scheme_id"),
    )

    def move_to(self, state: ApprovalState) -> None:
        """Change state along an allowed transition, or tell the manager what has become of
        the request instead."""
        APPROVAL_LIFECYCLE.move(self, state, refuse=lambda approval, to: DomainError(
            approval.outcome_text(), title="This request has already been answered"))

    def outcome_text(self) -> str:
        """What happened to the request, for the manager's link once it can no longer act."""
        mentee = self.mentee.full_name
        when = format_date(self.decided_at or self.requested_at)
        if self.state == ApprovalState.APPROVED:
            return f"You approved {mentee} taking part on {when}. Thank you."
        if self.state == ApprovalState.DECLINED:
            return f"You said on {when} that {mentee} should not take part at the moment."
        if self.state == ApprovalState.REPLACED:
            return (f"{mentee} has since sent a new request, so this link no longer works. "
                    "Use the link in the most recent email.")
        return f"{mentee} is waiting for your answer."
