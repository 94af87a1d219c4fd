"""An append-only trail of who did what, when and from where."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    #: The person who acted; null for the system (scheduled commands) or someone without an account.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: What the event is about, e.g. ("agreement", 12).
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),
                      # What each person last did: the retention sweep's rule for "active".
                      sa.Index("ix_audit_event_actor_at", "actor_id", "at"))


def record(session, subject_type: str, subject_id: int, action: str, *, actor_id: int | None = None,
           ip_address: str | None = None, **detail: Any) -> AuditEvent:
    """Add an audit event to the session (committed with the change it describes)."""
    event = AuditEvent(subject_type=subject_type, subject_id=subject_id, action=action,
                       actor_id=actor_id, ip_address=ip_address, detail=detail)
    session.add(event)
    return event
