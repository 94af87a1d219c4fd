"""Reads of the outbox: dead letters for administrators, the development mailbox, and what
/health needs to tell moving mail from stalled mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from flask import abort

from portal.accounts.models import Role, User
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MessageState, OutboxMessage, WorkerHeartbeat


def dead_letters(scheme_ids: Sequence[int] | None, limit: int = 200) -> list[OutboxMessage]:
    """Dead letters, newest first: of these schemes, or of every scheme and none (``None``)."""
    query = (sa.select(OutboxMessage).where(OutboxMessage.state == MessageState.DEAD)
             .order_by(OutboxMessage.id.desc()).limit(limit))
    if scheme_ids is not None:
        query = query.where(OutboxMessage.scheme_id.in_(list(scheme_ids)))
    return list(db.session.scalars(query))


def dead_letter_count(user: User) -> int:
    """How many of the user's schemes' emails could not be delivered."""
    scheme_ids = user.scheme_ids(Role.ADMIN)
    if not scheme_ids:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.state == MessageState.DEAD, OutboxMessage.scheme_id.in_(scheme_ids))
    )


def visible_to(message: OutboxMessage | None, user: User) -> bool:
    """An administrator sees their own schemes' emails; no one sees another scheme's here."""
    return (message is not None and message.scheme_id is not None
            and user.has_role(Role.ADMIN, message.scheme_id))


def visible_or_404(message_id: int, user: User) -> OutboxMessage:
    """The email, or "not found" for another scheme's (do not say that it exists)."""
    message = db.session.get(OutboxMessage, message_id)
    if not visible_to(message, user):
        abort(404)
    return message


def latest(limit: int = 200) -> list[OutboxMessage]:
    """The development mailbox: the newest emails first."""
    return list(db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))


def message_or_404(message_id: int) -> OutboxMessage:
    return db.session.get(OutboxMessage, message_id) or abort(404)


def waiting_count(now: dt.datetime | None = None) -> int:
    """Messages a worker could send now: queued, due, and claimed by no worker (or by one whose
    lease has run out). The same rows a worker's claim picks (portal.mail.delivery.claim)."""
    now = now or utcnow()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.state == MessageState.QUEUED, OutboxMessage.next_attempt_at <= now,
               sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
    )


def last_worker_seen() -> WorkerHeartbeat | None:
    """The mail worker that recorded a heartbeat most recently, or None if none has."""
    return db.session.scalars(
        sa.select(WorkerHeartbeat).order_by(WorkerHeartbeat.seen_at.desc()).limit(1)
    ).first()
