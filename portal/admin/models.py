"""What the desk keeps of its own: which items on a scheme's "Needs attention" list an
administrator has marked as dealt with."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class DealtWith(Base):
    """One item of a scheme's "Needs attention" list that an administrator has dealt with: a
    note someone wrote for the scheme, or a "we need help" check-in. The other kinds leave the
    list by themselves (signed, active again, sent again). ``kind`` and ``subject_id`` name the
    item (see portal.admin.attention); the unique key lets it be marked once."""

    __tablename__ = "attention_dealt_with"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    subject_id: Mapped[int]
    dealt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    dealt_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (sa.UniqueConstraint("kind", "subject_id"),)
