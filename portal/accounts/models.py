"""People and their roles in schemes."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.schemes.models import Scheme


class Role(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    ADMIN = "admin"


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Always stored lower-cased, so one address is one account.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: A mentee's work, given with their first chemistry call request and shown to each mentor
    #: they ask (schemes such as the GLA's ask for a mentor outside one's own team).
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    grade: Mapped[str | None] = mapped_column(sa.String(100))
    #: Bumped on sign-out: every session carries the version it began with and dies with it.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[dt.datetime | None]
    #: When the account was deleted (portal.personal_data.erasure): the row stays, as "Former
    #: participant", so the records others still need keep their shape; it signs nobody in.
    erased_at: Mapped[dt.datetime | None]

    # Loaded when asked for (one query, schemes joined): pages load many people (the other
    # party of every call and agreement) but ask for the roles of the one signed in.
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    # A role deactivated by the scheme's administrators (a leaver) is not held: every check of
    # a role goes through these four.
    def roles_in(self, scheme_id: int) -> set[Role]:
        return {m.role for m in self.memberships if m.scheme_id == scheme_id and m.active}

    def has_role(self, role: Role, scheme_id: int | None = None) -> bool:
        return any(m.role == role and m.active and (scheme_id is None or m.scheme_id == scheme_id)
                   for m in self.memberships)

    def scheme_ids(self, role: Role) -> list[int]:
        """The ids of the schemes where this person has ``role``."""
        return sorted({m.scheme_id for m in self.memberships if m.role == role and m.active})

    def schemes(self, role: Role) -> list:
        """The schemes where this person has ``role``, by name."""
        return sorted({m.scheme for m in self.memberships if m.role == role and m.active},
                      key=lambda scheme: scheme.name)

    @property
    def work(self) -> str:
        """"Senior planner at Testborough Council, grade 7", from what they gave; "" if none."""
        where = " at ".join(part for part in (self.job_title, self.organisation) if part)
        if self.grade:
            where = f"{where}, {self.grade}" if where else self.grade
        return where

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(Base):
    """A person's role in a scheme: mentor, mentee or administrator."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    scheme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scheme.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20,
                                               values_callable=lambda e: [m.value for m in e]))
    #: When the person confirmed the scheme's eligibility statement for this role.
    eligibility_confirmed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Set while the scheme's administrators have deactivated this role (a leaver): the
    #: person keeps their account, and what they signed, but does not hold the role.
    deactivated_at: Mapped[dt.datetime | None]
    #: Why, if the administrator said (administrators only see it).
    deactivation_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: A mentor's profile state when deactivated, given back on reactivation.
    profile_was: Mapped[str | None] = mapped_column(sa.String(20))

    user: Mapped[User] = relationship(back_populates="memberships")
    scheme: Mapped[Scheme] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        return self.deactivated_at is None

    __table_args__ = (sa.UniqueConstraint("user_id", "scheme_id", "role",
                                          name="uq_membership_user_scheme_role"),)
