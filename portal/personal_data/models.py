"""A download of one person's data: asked for in the portal, built by the worker as a ZIP,
kept for a week for them to download, then emptied."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, enum_column, utcnow


class ExportState(enum.StrEnum):
    #: Asked for; the worker has not built it yet.
    WAITING = "waiting"
    #: Built: the ZIP is here until it expires.
    READY = "ready"
    #: The download period passed: the ZIP is gone, the record of the request stays.
    EXPIRED = "expired"


class DataExport(Base):
    __tablename__ = "data_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         index=True)
    state: Mapped[ExportState] = mapped_column(enum_column(ExportState),
                                               default=ExportState.WAITING)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    size_bytes: Mapped[int | None]
    #: The ZIP itself, loaded only for the download.
    archive: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))

    user: Mapped[User] = relationship()

    def is_downloadable(self, now: dt.datetime | None = None) -> bool:
        return (self.state == ExportState.READY and self.expires_at is not None
                and (now or utcnow()) < self.expires_at)
