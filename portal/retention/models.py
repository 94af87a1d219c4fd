"""What retention records of its own: the warnings sent to people whose accounts are unused."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class InactivityWarning(Base):
    """One warning email to a person whose account has not been used for the set period.

    Keyed by the person and the moment they were last active, so a spell of inactivity is
    warned about once, even by two runs at once, and a person who comes back and later goes
    quiet again is warned again."""

    __tablename__ = "inactivity_warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    #: When the person was last active when the warning went (portal.retention.queries).
    last_active_at: Mapped[dt.datetime]
    warned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "last_active_at",
                                          name="uq_inactivity_warning_once"),)
