"""What the desk keeps of its own: an administrator's upload of names and addresses to invite,
previewed, then sent as one invitation each; and which items on a scheme's "Needs attention"
list an administrator has marked as dealt with."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Role, User
from portal.db import Base, Lifecycle, enum_column, utcnow
from portal.schemes.models import Scheme


class UploadState(enum.StrEnum):
    #: Read and checked; nothing has been sent.
    PREVIEWED = "previewed"
    #: Its invitations are in the outbox.
    SENT = "sent"


#: An upload is sent once; a second "Send" finds it sent and sends nothing.
UPLOAD_LIFECYCLE: Lifecycle[UploadState] = Lifecycle({
    UploadState.PREVIEWED: {UploadState.SENT},
    UploadState.SENT: set(),
})


class InvitationUpload(Base):
    """One file (or pasted list) of people to invite into a scheme in one role, as previewed.

    ``rows`` keeps every row as read, with its problem (None: ready to invite), so the preview
    and the send work from the same reading of the file."""

    __tablename__ = "invitation_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The upload form's own random key: the same form posted twice makes one upload.
    key: Mapped[str] = mapped_column(sa.String(43), unique=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id", ondelete="CASCADE"),
                                           index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    rows: Mapped[list] = mapped_column(default=list)
    state: Mapped[UploadState] = mapped_column(enum_column(UploadState),
                                               default=UploadState.PREVIEWED)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    sent_at: Mapped[dt.datetime | None]
    #: How many invitations the send queued (rows that became a problem since the preview, an
    #: address invited by another upload meanwhile for example, are skipped).
    queued: Mapped[int] = mapped_column(default=0)

    scheme: Mapped[Scheme] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def move_to(self, state: UploadState) -> None:
        UPLOAD_LIFECYCLE.move(self, state)

    @property
    def ready(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if not row.get("problem")]

    @property
    def problems(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row.get("problem")]


class InvitationState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    #: Its link's time ran out before it was used (set when the address is invited again).
    EXPIRED = "expired"


INVITATION_LIFECYCLE: Lifecycle[InvitationState] = Lifecycle({
    InvitationState.PENDING: {InvitationState.ACCEPTED, InvitationState.EXPIRED},
    InvitationState.ACCEPTED: set(),
    InvitationState.EXPIRED: set(),
})


class Invitation(Base):
    """An emailed invitation to join a scheme in one role, from an upload."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invitation_upload.id", ondelete="CASCADE"), index=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id", ondelete="CASCADE"),
                                           index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: Lower-cased, as accounts store it.
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    state: Mapped[InvitationState] = mapped_column(enum_column(InvitationState),
                                                   default=InvitationState.PENDING)
    #: "<scheme id>:<role>:<email>" while pending, None after: one pending invitation per
    #: address and role in a scheme, held by the database (NULLs never clash).
    pending_key: Mapped[str | None] = mapped_column(sa.String(300), unique=True)
    #: The invitation's email in the outbox, for the upload's progress count.
    message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[dt.datetime | None]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    scheme: Mapped[Scheme] = relationship(lazy="joined")

    def move_to(self, state: InvitationState) -> None:
        INVITATION_LIFECYCLE.move(self, state)
        if state != InvitationState.PENDING:
            self.pending_key = None

    @staticmethod
    def key_for(scheme_id: int, role: Role | str, email: str) -> str:
        return f"{scheme_id}:{Role(role).value}:{email}"


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
