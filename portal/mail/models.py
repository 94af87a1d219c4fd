"""The outbox: every email, queued in the transaction of the change that caused it."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Lifecycle, utcnow

__all__ = ["OUTBOX_LIFECYCLE", "MessageState", "OutboxAttachment", "OutboxMessage",
           "WorkerHeartbeat", "may_become"]


class MessageState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    #: Refused permanently (SMTP 5xx) or out of retries; an administrator can send it again.
    DEAD = "dead"


#: Allowed changes of state: a dead letter goes back to the queue when someone sends it again.
#: Only delivery and resending move messages, never a person directly, so a move the table does
#: not allow is a programming error (TransitionRefused).
OUTBOX_LIFECYCLE: Lifecycle[MessageState] = Lifecycle({
    MessageState.QUEUED: {MessageState.SENT, MessageState.DEAD},
    MessageState.SENT: set(),
    MessageState.DEAD: {MessageState.QUEUED},
})


def may_become(state: MessageState) -> list[MessageState]:
    """The states the lifecycle allows to move to ``state``: for bulk UPDATEs' WHERE clauses."""
    return [source for source in MessageState if OUTBOX_LIFECYCLE.allows(source, state)]


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable RFC 5322 Message-ID, so a duplicate delivery after a crash is recognisable.
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: The email template that produced it, e.g. "sign_in".
    template: Mapped[str] = mapped_column(sa.String(80), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    #: The scheme the email is about, if any: its administrators see its dead letters.
    scheme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("scheme.id", ondelete="SET NULL"), index=True
    )
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[MessageState] = mapped_column(
        sa.Enum(MessageState, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e]),
        default=MessageState.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Set while a worker holds the message; a claim older than the lease is taken over.
    claimed_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OutboxAttachment.id"
    )

    __table_args__ = (sa.Index("ix_outbox_message_due", "state", "next_attempt_at"),)

    def move_to(self, state: MessageState) -> None:
        """Change state along an allowed transition (TransitionRefused otherwise)."""
        OUTBOX_LIFECYCLE.move(self, state)


class OutboxAttachment(Base):
    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_pk: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


class WorkerHeartbeat(Base):
    """One row per mail worker process, stamped as it goes round its loop, so /health can tell
    mail that is moving from mail that waits with no worker to send it (portal.mail.heartbeat).
    """

    __tablename__ = "mail_worker_heartbeat"

    #: "<host name>:<pid>": one process on one host.
    id: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    started_at: Mapped[dt.datetime]
    seen_at: Mapped[dt.datetime] = mapped_column(index=True)
