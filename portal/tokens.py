"""Tokens for emailed links: one salt and lifetime per purpose, single use where it matters.

A link carries a short random reference, signed with the purpose's salt (``<ref>.<signature>``,
50 characters), and nothing else: what the link is for (the record's ids, the version, the
state it is bound to) stays in the database, in an ``EmailedLink`` row keyed by the
reference's SHA-256. So emailed addresses are short enough to read on a phone, reveal nothing
about the records, and a copy of the database alone cannot make a working link.

Every link's GET only shows what will happen; the POST that follows calls ``load`` again and then
``consume`` (for single-use purposes) or checks the state the token is bound to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, Signer, URLSafeTimedSerializer
from sqlalchemy.orm import Mapped, mapped_column

from portal import db as portal_db
from portal.db import Base, utcnow
from portal.errors import DomainError
from portal.extensions import db

DAY = 24 * 3600

#: purpose -> lifetime in seconds (None: the sign-in setting). Each purpose is its own salt, so a
#: link made for one purpose is never accepted for another.
PURPOSES: dict[str, int | None] = {
    "sign-in": None,
    "register": None,
    "answer-call": 14 * DAY,
    "line-manager": 21 * DAY,
    "sign-agreement": 30 * DAY,
    "submit-agreement": 60 * DAY,
    "acknowledge-agreement": 90 * DAY,
    "call-outcome": 21 * DAY,
    "log-session": 30 * DAY,
    "check-in": 30 * DAY,
    "admin-invite": 14 * DAY,
    "sign-evaluation": 30 * DAY,
    "change-email": 1 * DAY,
    "join-invite": 30 * DAY,
}


class LinkError(DomainError):
    """An emailed link that cannot be used: expired, used, tampered, or for an old state."""

    status = 410

    def __init__(self, message: str, next_step: str | None = None, status: int = 410):
        super().__init__(message, next_step=next_step, status=status,
                         title="This link cannot be used")


class EmailedLink(Base):
    """What one emailed link is for. The link itself carries only a random reference; this row
    is found by that reference's SHA-256."""

    __tablename__ = "emailed_link"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    #: Set when a single-use link is used.
    used_at: Mapped[dt.datetime | None]


class UsedToken(Base):
    """Nonces of single-use links of the earlier format (the payload inside the token) that
    have been used. Kept while such links can still be in people's inboxes."""

    __tablename__ = "used_token"

    nonce: Mapped[str] = mapped_column(sa.String(43), primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(40))
    used_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


#: The payload key that names a link's row (links of the earlier format carry "n" instead).
_REF = "_link"


def _salt(purpose: str, *, earlier_format: bool = False) -> str:
    """Each purpose is its own salt, and so is each format: a token of one is never read as
    the other."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return f"portal.{purpose}" if earlier_format else f"portal.link.{purpose}"


def _digest(reference: str) -> str:
    return hashlib.sha256(reference.encode()).hexdigest()


def max_age(purpose: str) -> int:
    """How long a link for this purpose lives, in seconds."""
    seconds = PURPOSES[purpose]
    return seconds if seconds is not None else current_app.config["SIGN_IN_LINK_MINUTES"] * 60


def make(purpose: str, **payload: Any) -> str:
    """A short signed token for a new link carrying ``payload``, recorded in the caller's
    transaction (the link works once that commits, as the email it goes in is queued there)."""
    reference = secrets.token_urlsafe(16)
    db.session.add(EmailedLink(digest=_digest(reference), purpose=purpose, payload=payload))
    return Signer(current_app.config["SECRET_KEY"], salt=_salt(purpose)).sign(reference).decode()


def _invalid(what: str) -> LinkError:
    return LinkError(f"This {what} is not valid. Check that you copied the whole address from "
                     "the email.", next_step="invalid", status=400)


def _expired(what: str) -> LinkError:
    return LinkError(f"This {what} has expired.", next_step="expired")


def load(purpose: str, token: str, *, what: str = "link", lock: bool = False) -> dict[str, Any]:
    """Verify a token and return its payload, or raise LinkError with a clear reason.

    ``lock``: for the verb that uses a single-use link, called first in its transaction. The
    link's row is locked (portal.db.lock), so of two uses at the same moment the second waits
    and then finds the link used, rather than failing on SQLite's write lock."""
    try:
        reference = Signer(current_app.config["SECRET_KEY"], salt=_salt(purpose)).unsign(token)
    except BadSignature:
        return _load_earlier_format(purpose, token, what)
    digest = _digest(reference.decode())
    link = (portal_db.lock(db.session, sa.select(EmailedLink).where(EmailedLink.digest == digest))
            if lock else db.session.get(EmailedLink, digest))
    if link is None or link.purpose != purpose:
        raise _invalid(what)
    if utcnow() - link.created_at > dt.timedelta(seconds=max_age(purpose)):
        raise _expired(what)
    return {**link.payload, _REF: link.digest}


def _load_earlier_format(purpose: str, token: str, what: str) -> dict[str, Any]:
    """Links emailed before references replaced payloads (December 2026) carry their payload;
    they keep working until they expire (90 days at most). Remove after March 2027."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                        salt=_salt(purpose, earlier_format=True))
    try:
        return serializer.loads(token, max_age=max_age(purpose))
    except SignatureExpired:
        raise _expired(what) from None
    except BadSignature:
        raise _invalid(what) from None


def is_used(session, payload: dict[str, Any]) -> bool:
    """Whether a single-use token has already been used."""
    if _REF in payload:
        link = session.get(EmailedLink, payload[_REF])
        return link is None or link.used_at is not None
    return session.get(UsedToken, payload["n"]) is not None


def consume(session, purpose: str, payload: dict[str, Any], *, what: str = "link") -> None:
    """Mark a single-use token as used, in the caller's transaction; refuse if it was used.

    One conditional UPDATE: of two uses at the same moment, exactly one changes the row."""
    if _REF in payload:
        changed = session.execute(
            sa.update(EmailedLink)
            .where(EmailedLink.digest == payload[_REF], EmailedLink.used_at.is_(None))
            .values(used_at=utcnow())).rowcount
        if changed != 1:
            raise LinkError(f"This {what} has already been used.", next_step="used")
        return
    if is_used(session, payload):
        raise LinkError(f"This {what} has already been used.", next_step="used")
    session.add(UsedToken(nonce=payload["n"], purpose=purpose))
    try:
        session.flush()
    except sa.exc.IntegrityError:
        session.rollback()
        raise LinkError(f"This {what} has already been used.", next_step="used") from None
