"""What equality monitoring keeps: counts, and a marker per person and scheme; never both
together.

``EqualityCount`` holds, per scheme, role, question and answer, how many people gave that
answer: no row per person, no time, so nothing in it points at anyone, and no two answers can
be put side by side for one person. ``EqualityDone`` says only that a person has been through a
scheme's questions, so they are not asked again: not whether they answered or said "No thanks",
no answers, no time. So the database knows who has been through them and how many answered,
never which of them did. Both change in one transaction (portal.equality.answering), which also
rewrites every count row of the scheme, whether or not anything was counted, so not even the
database's own bookkeeping of which rows that transaction wrote tells what was chosen.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class EqualityDone(Base):
    """A person has been through a scheme's equality questions (answered or said no thanks:
    deliberately not which)."""

    __tablename__ = "equality_done"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)


class EqualityCount(Base):
    """How many of a scheme's mentors (or mentees) gave one answer to one question."""

    __tablename__ = "equality_count"

    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id", ondelete="CASCADE"),
                                           primary_key=True)
    #: "mentor" or "mentee": someone who is both in the scheme counts once in each.
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    #: The question's key in the pack.
    question: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    #: The option as the pack worded it, "Prefer not to say" or "Not answered".
    answer: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
