"""Tokens for emailed links: one salt and lifetime per purpose, single use where it matters.

Every link's GET only shows what will happen; the POST that follows calls ``load`` again and then
``consume`` (for single-use purposes) or checks the state the token is bound to.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow
from portal.errors import DomainError

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
}


class LinkError(DomainError):
    """An emailed link that cannot be used: expired, used, tampered, or for an old state."""

    status = 410

    def __init__(self, message: str, next_step: str | None = None, status: int = 410):
        super().__init__(message, next_step=next_step, status=status,
                         title="This link cannot be used")


class UsedToken(Base):
    """Nonces of single-use links that have been used."""

    __tablename__ = "used_token"

    nonce: Mapped[str] = mapped_column(sa.String(43), primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(40))
    used_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def max_age(purpose: str) -> int:
    """How long a link for this purpose lives, in seconds."""
    seconds = PURPOSES[purpose]
    return seconds if seconds is not None else current_app.config["SIGN_IN_LINK_MINUTES"] * 60


def make(purpose: str, **payload: Any) -> str:
    """A signed, timestamped token carrying ``payload`` and a fresh nonce."""
    return _serializer(purpose).dumps({**payload, "n": secrets.token_urlsafe(16)})


def load(purpose: str, token: str, *, what: str = "link") -> dict[str, Any]:
    """Verify a token and return its payload, or raise LinkError with a clear reason."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age(purpose))
    except SignatureExpired:
        raise LinkError(f"This {what} has expired.", next_step="expired") from None
    except BadSignature:
        raise LinkError(f"This {what} is not valid. Check that you copied the whole address from "
                        "the email.", next_step="invalid", status=400) from None


def is_used(session, payload: dict[str, Any]) -> bool:
    """Whether a single-use token has already been used."""
    return session.get(UsedToken, payload["n"]) is not None


def consume(session, purpose: str, payload: dict[str, Any], *, what: str = "link") -> None:
    """Mark a single-use token as used, in the caller's transaction; refuse if it was used."""
    if is_used(session, payload):
        raise LinkError(f"This {what} has already been used.", next_step="used")
    session.add(UsedToken(nonce=payload["n"], purpose=purpose))
    try:
        session.flush()
    except sa.exc.IntegrityError:
        session.rollback()
        raise LinkError(f"This {what} has already been used.", next_step="used") from None
