"""Finding agreements: for a person, for a page, for the administrators, for the reminders and
the verify page, and locked for a state change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy import orm

from portal import db as portal_db
from portal.accounts.models import User
from portal.agreements.models import (
    Agreement,
    AgreementReminder,
    AgreementState,
    AgreementVersion,
)
from portal.audit import AuditEvent
from portal.errors import DomainError
from portal.extensions import db
from portal.relationships.models import Relationship, RelationshipState


def lock(agreement_id: int) -> Agreement:
    """The agreement, locked against concurrent changes, read fresh from the database.

    Why: every change to an agreement (terms, void, send, sign, submit, acknowledge, a reminder)
    first takes this one lock, so two signatures, a change of terms and a signature, or two
    reminder runs happen one after the other, each seeing what the other did."""
    stmt = (sa.select(Agreement).where(Agreement.id == agreement_id)
            # FOR UPDATE cannot lock the outer-joined side of an eager join, and need not:
            # the agreement row is the one lock every change to an agreement takes.
            .options(orm.lazyload("*"))
            .execution_options(populate_existing=True))
    agreement = portal_db.lock(db.session(), stmt)
    if agreement is None:
        raise DomainError("This agreement no longer exists.", status=404)
    # Anything read before the lock (the link's agreement, its versions and signatures) may be
    # stale under READ COMMITTED: read it all again now that the row is ours.
    db.session.expire_all()
    return agreement


def by_reference(reference: str) -> Agreement | None:
    return db.session.scalar(sa.select(Agreement).where(Agreement.reference == reference))


def for_party_or_404(reference: str, user) -> Agreement:
    """The agreement, if ``user`` is its mentor or mentee; 404 for anyone else."""
    agreement = by_reference(reference)
    if agreement is None or agreement.party(user.id) is None:
        abort(404)
    return agreement


def for_relationship(relationship_id: int) -> Agreement | None:
    """The agreement of a relationship (each has one): its agreed terms, for the sessions and
    the action plan."""
    return db.session.scalar(sa.select(Agreement).where(
        Agreement.relationship_id == relationship_id))


#: Ended relationships' agreements stay on the dashboard this long, as a record; the
#: relationship's page keeps them after.
SHOW_ENDED_FOR = dt.timedelta(days=60)


def on_dashboard(user_id: int) -> list[Agreement]:
    """The agreements a person's dashboard shows: being agreed, active, or ended in the last
    ``SHOW_ENDED_FOR``."""
    return for_person(user_id, ended_since=portal_db.utcnow() - SHOW_ENDED_FOR)


def for_person(user_id: int, ended_since: dt.datetime | None = None) -> list[Agreement]:
    """The agreements of a person's relationships that are being agreed or are active, and
    (``ended_since``) of those that ended since then."""
    current = Relationship.state.in_([RelationshipState.AGREEING, RelationshipState.ACTIVE])
    if ended_since is not None:
        current = sa.or_(current, sa.and_(Relationship.state == RelationshipState.ENDED,
                                          Relationship.ended_at >= ended_since))
    return list(db.session.scalars(
        sa.select(Agreement).join(Agreement.relationship)
        .where(sa.or_(Relationship.mentor_id == user_id, Relationship.mentee_id == user_id),
               current)
        .order_by(Agreement.created_at.desc())
    ).unique())


def version_by_hash(reference: str, sha256: str) -> AgreementVersion | None:
    """The version of agreement ``reference`` whose text has this SHA-256, if any."""
    return db.session.scalar(
        sa.select(AgreementVersion).join(AgreementVersion.agreement)
        .where(Agreement.reference == reference, AgreementVersion.sha256 == sha256))


# --- reminders -----------------------------------------------------------------------------

def awaiting_reminders() -> list[int]:
    """Ids of the agreements that may be owed a reminder: waiting for a signature or for the
    mentee to submit."""
    return list(db.session.scalars(
        sa.select(Agreement.id).where(Agreement.state.in_([
            AgreementState.SENT, AgreementState.SIGNED_BY_ONE, AgreementState.SIGNED_BY_BOTH]))
        .order_by(Agreement.id)))


def reminders_sent(agreement: Agreement, kind: str, party: str) -> list[AgreementReminder]:
    """The reminders of one kind already sent to one party about the current version."""
    return list(db.session.scalars(
        sa.select(AgreementReminder).where(
            AgreementReminder.agreement_id == agreement.id,
            AgreementReminder.version == agreement.version,
            AgreementReminder.kind == kind, AgreementReminder.party == party)
        .order_by(AgreementReminder.number)))


# --- for the scheme administrators ---------------------------------------------------------

def state_counts_by_scheme(scheme_ids) -> dict[int, dict[AgreementState, int]]:
    """How many agreements each scheme has in each state (states with none left out)."""
    counts: dict[int, dict[AgreementState, int]] = {scheme_id: {} for scheme_id in scheme_ids}
    rows = db.session.execute(
        sa.select(Agreement.scheme_id, Agreement.state, sa.func.count())
        .where(Agreement.scheme_id.in_(counts)).group_by(Agreement.scheme_id, Agreement.state))
    for scheme_id, state, count in rows:
        counts[scheme_id][AgreementState(state)] = count
    return counts


def state_counts(scheme_id: int) -> dict[AgreementState, int]:
    """How many of one scheme's agreements are in each state (states with none left out)."""
    rows = db.session.execute(
        sa.select(Agreement.state, sa.func.count()).where(Agreement.scheme_id == scheme_id)
        .group_by(Agreement.state)).all()
    return {AgreementState(state): count for state, count in rows}


def for_scheme(scheme_id: int, state: str | None, limit: int) -> list[Agreement]:
    """A scheme's newest agreements, in one state if given."""
    query = (sa.select(Agreement).where(Agreement.scheme_id == scheme_id)
             .options(orm.lazyload(Agreement.versions))  # the list never shows the text
             .order_by(Agreement.created_at.desc()).limit(limit))
    if state:
        query = query.where(Agreement.state == state)
    return list(db.session.scalars(query))


def audit_trail(agreement: Agreement) -> list[Any]:
    """The agreement's and its relationship's audit events, oldest first, each with the name
    of the person who acted (None for the system or a mailbox without an account)."""
    return list(db.session.execute(
        sa.select(AuditEvent, User.full_name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(sa.or_(
            sa.and_(AuditEvent.subject_type == "agreement", AuditEvent.subject_id == agreement.id),
            sa.and_(AuditEvent.subject_type == "relationship",
                    AuditEvent.subject_id == agreement.relationship_id)))
        .order_by(AuditEvent.at, AuditEvent.id)))
