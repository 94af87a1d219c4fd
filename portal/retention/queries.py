"""Every read of the retention sweep: what is due, the one rule for "active", and the locks.

Each ``*_due`` function returns a SELECT of the keys of rows past their period; the sweep
(portal.retention.applying) takes them a batch at a time with ``claim`` and changes them with
UPDATE or DELETE statements that repeat the same conditions, so a row changed by another run
a moment ago is simply not counted again.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal import db as portal_db
from portal.accounts.models import Membership, Role, User
from portal.agreements.canonical import add_months
from portal.agreements.models import Agreement, AgreementSignature
from portal.audit import AuditEvent
from portal.calls.models import LineManagerApproval
from portal.evaluations.models import EvaluationSignature, EvaluationSignoff
from portal.extensions import db
from portal.mail.models import MessageState, OutboxAttachment, OutboxMessage
from portal.relationships.models import Relationship, RelationshipState
from portal.retention.models import InactivityWarning
from portal.schemes.models import Scheme
from portal.tokens import EmailedLink, UsedToken


def months_before(now: dt.datetime, months: int) -> dt.datetime:
    """The same moment ``months`` earlier (the month's last day when it is shorter)."""
    day = add_months(now.date(), -months)
    return now.replace(year=day.year, month=day.month, day=day.day)


def claim(stmt: sa.Select, limit: int) -> list:
    """The next ``limit`` keys from ``stmt``, locked for the change that follows.

    Lock: two runs at once (two cron hosts) must not both count the same row. PostgreSQL:
    FOR UPDATE SKIP LOCKED, so the second run takes the rows the first has not, instead of
    waiting for them; SQLite has no row locks, so the write transaction starts first
    (BEGIN IMMEDIATE) and the second run waits its turn, then finds the rows done."""
    session = db.session()
    stmt = stmt.limit(limit)
    if session.get_bind().dialect.name == "sqlite":
        if not session.info.get("immediate"):
            if session.in_transaction():
                session.commit()
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            session.info["immediate"] = True
        return list(session.scalars(stmt))
    return list(session.scalars(stmt.with_for_update(skip_locked=True)))


# --- signed agreements and signed evaluations ----------------------------------------------

def schemes() -> list[tuple[int, int]]:
    """Each scheme's id and its retention_years."""
    rows = db.session.execute(sa.select(Scheme.id, Scheme.retention_years).order_by(Scheme.id))
    return [(scheme_id, years) for scheme_id, years in rows]


def _ended_before(scheme_id: int, cutoff: dt.datetime):
    """Relationships of the scheme that ended before ``cutoff`` (never one still running)."""
    return sa.and_(Relationship.scheme_id == scheme_id,
                   Relationship.state == RelationshipState.ENDED,
                   Relationship.ended_at.is_not(None), Relationship.ended_at < cutoff)


def agreements_due(scheme_id: int, cutoff: dt.datetime) -> sa.Select:
    return (sa.select(Agreement.id)
            .join(Relationship, Relationship.id == Agreement.relationship_id)
            .where(_ended_before(scheme_id, cutoff)).order_by(Agreement.id))


def signoffs_due(scheme_id: int, cutoff: dt.datetime) -> sa.Select:
    return (sa.select(EvaluationSignoff.id)
            .join(Relationship, Relationship.id == EvaluationSignoff.relationship_id)
            .where(_ended_before(scheme_id, cutoff)).order_by(EvaluationSignoff.id))


# --- IP addresses and browser strings --------------------------------------------------------

def audit_addresses_due(cutoff: dt.datetime) -> sa.Select:
    return (sa.select(AuditEvent.id)
            .where(AuditEvent.at < cutoff, AuditEvent.ip_address.is_not(None))
            .order_by(AuditEvent.id))


def signature_addresses_due(model, cutoff: dt.datetime) -> sa.Select:
    """``model``: AgreementSignature or EvaluationSignature."""
    return (sa.select(model.id)
            .where(model.signed_at < cutoff, sa.or_(model.ip_address != "",
                                                    model.user_agent != ""))
            .order_by(model.id))


def approval_addresses_due(cutoff: dt.datetime) -> sa.Select:
    return (sa.select(LineManagerApproval.id)
            .where(LineManagerApproval.decided_at < cutoff,
                   LineManagerApproval.decided_ip.is_not(None))
            .order_by(LineManagerApproval.id))


SIGNATURES = (AgreementSignature, EvaluationSignature)


# --- sent emails -------------------------------------------------------------------------------

def sent_before(cutoff: dt.datetime):
    return sa.and_(OutboxMessage.state == MessageState.SENT, OutboxMessage.sent_at < cutoff)


def bodies_due(cutoff: dt.datetime) -> sa.Select:
    return (sa.select(OutboxMessage.id)
            .where(sent_before(cutoff), sa.or_(OutboxMessage.body_text != "",
                                               OutboxMessage.body_html != ""))
            .order_by(OutboxMessage.id))


def attachments_due(cutoff: dt.datetime) -> sa.Select:
    return (sa.select(OutboxAttachment.id)
            .join(OutboxMessage, OutboxMessage.id == OutboxAttachment.message_pk)
            .where(sent_before(cutoff)).order_by(OutboxAttachment.id))


# --- emailed links -----------------------------------------------------------------------------

def links_due(purposes: list[str], cutoff: dt.datetime, *, other_than: bool = False) -> sa.Select:
    """Link records of these purposes (or, ``other_than``, of any other) made before
    ``cutoff``: past their lifetime, so no link can use them any more."""
    purpose = (EmailedLink.purpose.not_in(purposes) if other_than
               else EmailedLink.purpose.in_(purposes))
    return (sa.select(EmailedLink.digest).where(purpose, EmailedLink.created_at < cutoff)
            .order_by(EmailedLink.digest))


def used_tokens_due(purposes: list[str], cutoff: dt.datetime, *,
                    other_than: bool = False) -> sa.Select:
    """Used nonces of the earlier link format: a link is used after it was made, so once its
    lifetime has passed since it was used it could not be used again anyway."""
    purpose = (UsedToken.purpose.not_in(purposes) if other_than
               else UsedToken.purpose.in_(purposes))
    return (sa.select(UsedToken.nonce).where(purpose, UsedToken.used_at < cutoff)
            .order_by(UsedToken.nonce))


# --- accounts nobody uses ----------------------------------------------------------------------

def active_since(cutoff: dt.datetime):
    """The one rule for "active": the account was made, or its person signed in, or did
    anything the audit trail records (signing by emailed link, answering, booking ...), at or
    after ``cutoff``."""
    signed_in = sa.and_(User.last_signed_in_at.is_not(None), User.last_signed_in_at >= cutoff)
    return sa.or_(User.created_at >= cutoff, signed_in,  # never NULL, so NOT means "inactive"
                  sa.exists().where(AuditEvent.actor_id == User.id, AuditEvent.at >= cutoff))


def last_active_at(user: User) -> dt.datetime:
    """When the person was last active, by the same rule."""
    acted = db.session.scalar(sa.select(sa.func.max(AuditEvent.at))
                              .where(AuditEvent.actor_id == user.id))
    return max(moment for moment in (user.created_at, user.last_signed_in_at, acted)
               if moment is not None)


def _warned_since_last_active():
    """A warning about this spell of inactivity went already: nothing active since it."""
    warning = InactivityWarning
    return sa.exists().where(
        warning.user_id == User.id,
        sa.or_(User.last_signed_in_at.is_(None), User.last_signed_in_at <= warning.warned_at),
        ~sa.exists().where(AuditEvent.actor_id == User.id, AuditEvent.at > warning.warned_at))


def to_warn(cutoff: dt.datetime) -> list[int]:
    """The people inactive since ``cutoff`` not yet warned about it."""
    return list(db.session.scalars(sa.select(User.id)
                                   .where(User.erased_at.is_(None), ~active_since(cutoff),
                                          ~_warned_since_last_active())
                                   .order_by(User.id)))


def still_to_warn(user_id: int, cutoff: dt.datetime) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        User.id == user_id, User.erased_at.is_(None), ~active_since(cutoff),
        ~_warned_since_last_active()))) or False


def _unused_since_warned(warned_before: dt.datetime):
    """Warned at or before ``warned_before``, and nothing done since that warning; never a
    scheme's administrator (the portal does not remove its own staff on a timer)."""
    warning = InactivityWarning
    return sa.and_(
        User.erased_at.is_(None),
        sa.exists().where(
            warning.user_id == User.id, warning.warned_at <= warned_before,
            sa.or_(User.last_signed_in_at.is_(None), User.last_signed_in_at <= warning.warned_at),
            ~sa.exists().where(AuditEvent.actor_id == User.id,
                               AuditEvent.at > warning.warned_at)),
        ~sa.exists().where(Membership.user_id == User.id, Membership.role == Role.ADMIN))


def to_delete(warned_before: dt.datetime) -> list[int]:
    """The people warned long enough ago who have not used their account since."""
    return list(db.session.scalars(sa.select(User.id).where(_unused_since_warned(warned_before))
                                   .order_by(User.id)))


def still_to_delete(user_id: int, warned_before: dt.datetime) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        User.id == user_id, _unused_since_warned(warned_before)))) or False


def lock_user(user_id: int) -> User | None:
    """Lock: the warning about one person is written once, by one run."""
    return portal_db.lock(db.session, sa.select(User).where(User.id == user_id))
