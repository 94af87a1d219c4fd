"""Mentor profiles and mentees' shortlists."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, Lifecycle, TransitionRefused, enum_column, utcnow
from portal.errors import DomainError
from portal.mentors.search_index import install_index, remove_index
from portal.schemes.models import Scheme

__all__ = ["MeetingFormat", "MentorProfile", "PROFILE_LIFECYCLE", "ProfileExpertise",
           "ProfileState", "Sector", "ShortlistEntry"]


class Sector(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    VOLUNTARY = "voluntary"


class MeetingFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    EITHER = "either"


class ProfileState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    HIDDEN = "hidden"


#: The only state changes a profile may make; edits keep the state.
PROFILE_LIFECYCLE: Lifecycle[ProfileState] = Lifecycle({
    ProfileState.DRAFT: {ProfileState.PUBLISHED},
    ProfileState.PUBLISHED: {ProfileState.HIDDEN},
    ProfileState.HIDDEN: {ProfileState.PUBLISHED},
})

#: What the mentor is told when they ask for a change their profile cannot make: (from, to).
_WRONG_STATE = {
    (ProfileState.PUBLISHED, ProfileState.PUBLISHED): "Your profile is already published.",
    (ProfileState.DRAFT, ProfileState.HIDDEN):
        "Your profile is a draft, so mentees cannot see it already. There is nothing to hide.",
    (ProfileState.HIDDEN, ProfileState.HIDDEN): "Your profile is already hidden.",
}
_WRONG_STATE_TITLE = {ProfileState.PUBLISHED: "Your profile cannot be published",
                      ProfileState.HIDDEN: "Your profile cannot be hidden"}


def _refuse_move(profile: MentorProfile, to: ProfileState) -> Exception:
    """A mentor's publish or hide that the profile's state does not allow, worded for them.
    No page offers any other change, so any other is a bug."""
    message = _WRONG_STATE.get((profile.state, to))
    if message is None:
        return TransitionRefused(f"MentorProfile cannot go from {profile.state} to {to}")
    return DomainError(message,
                       next_step="Nothing has changed. Go to your mentor profile to see where "
                                 "things stand.",
                       title=_WRONG_STATE_TITLE[to])


class MentorProfile(Base):
    """What a mentor publishes in one scheme. Never holds email or phone."""

    __tablename__ = "mentor_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(sa.String(200))
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    sector: Mapped[Sector] = mapped_column(enum_column(Sector), default=Sector.PUBLIC)
    #: Grade or level as the scheme's organisations name it (e.g. "Principal planner", "Grade 7").
    grade: Mapped[str] = mapped_column(sa.String(100), default="")
    background: Mapped[str] = mapped_column(sa.Text, default="")
    offer: Mapped[str] = mapped_column(sa.Text, default="")
    experience: Mapped[str] = mapped_column(sa.Text, default="")
    meeting_format: Mapped[MeetingFormat] = mapped_column(enum_column(MeetingFormat),
                                                          default=MeetingFormat.EITHER)
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The expertise areas as one text, for the search index. Written only by database triggers
    #: on profile_expertise (see portal.mentors.search_index), so rows inserted directly stay
    #: in step.
    expertise_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="",
                                                deferred=True)
    #: How many mentees at once.
    capacity: Mapped[int] = mapped_column(default=2)
    accepting: Mapped[bool] = mapped_column(default=True)
    #: Mentees currently taking a place (accepted calls and active relationships), kept in step
    #: by the chemistry-call and relationship transitions so search can filter on free places.
    places_taken: Mapped[int] = mapped_column(default=0)
    state: Mapped[ProfileState] = mapped_column(enum_column(ProfileState),
                                                default=ProfileState.DRAFT)
    published_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    scheme: Mapped[Scheme] = relationship(lazy="joined")
    expertise_links: Mapped[list[ProfileExpertise]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ProfileExpertise.area"
    )

    __table_args__ = (
        sa.UniqueConstraint("user_id", "scheme_id", name="uq_mentor_profile_user_scheme"),
        # Search without words lists a scheme's published profiles by name, a page at a time.
        sa.Index("ix_mentor_profile_scheme_state_name", "scheme_id", "state", "display_name",
                 "id"),
    )

    @property
    def expertise(self) -> list[str]:
        return [link.area for link in self.expertise_links]

    @property
    def has_capacity(self) -> bool:
        return self.accepting and self.places_taken < self.capacity

    @property
    def is_visible(self) -> bool:
        return self.state == ProfileState.PUBLISHED

    def move_to(self, state: ProfileState) -> None:
        """Change state along an allowed transition, or refuse with nothing changed."""
        PROFILE_LIFECYCLE.move(self, state, refuse=_refuse_move)


class ProfileExpertise(Base):
    """One expertise area (from the scheme's list) on a profile."""

    __tablename__ = "profile_expertise"

    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentor_profile.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(sa.String(120), primary_key=True, index=True)


class ShortlistEntry(Base):
    """A mentor a mentee is considering, with a note only the mentee sees."""

    __tablename__ = "shortlist_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentor_profile.id", ondelete="CASCADE"), index=True
    )
    #: The profile's scheme, copied so the per-scheme limit is one indexed count.
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id", ondelete="CASCADE"))
    #: Private to the mentee: never shown to the mentor or the administrator.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    profile: Mapped[MentorProfile] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("mentee_id", "profile_id", name="uq_shortlist_entry_mentee_profile"),
        sa.Index("ix_shortlist_entry_mentee_scheme", "mentee_id", "scheme_id"),
    )


@sa.event.listens_for(ProfileExpertise.__table__, "after_create")
def _build_search_index(target, connection, **kw) -> None:
    """create_all (the tests) builds the search index as the migration does."""
    install_index(connection)


@sa.event.listens_for(ProfileExpertise.__table__, "before_drop")
def _drop_search_index(target, connection, **kw) -> None:
    remove_index(connection)
