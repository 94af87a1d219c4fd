"""`flask retention apply`: each kind of personal data kept no longer than the portal promises.

What goes, and when (the README's "Personal data" says the same for operators):

- A relationship's signed record, ``retention_years`` (the scheme pack's) after the relationship
  ended: its agreement with every version, signature and reminder, the evaluation both people
  signed (every version and signature), and the audit events about those. /verify then finds
  no match. The relationship itself (who mentored whom, when, how it ended), its sessions and
  the evaluation answers stay: the scheme's reports count them, and they go with the account
  of the person they belong to. A relationship not ended is never touched.
- IP addresses and browser strings, after ``IP_RETENTION_MONTHS``: blanked, not the rows, in
  the audit trail, agreement and evaluation signatures, and line managers' answers.
- Sent emails, 30 days after sending: their text and HTML bodies and attachments (the links
  in them with them); the headers, recipient, template, state and delivery record stay.
  Dead letters keep their bodies so an administrator can send them again.
- Emailed link records once no link could use them (older than their purpose's lifetime).
- Accounts nobody has used for ``INACTIVE_ACCOUNT_MONTHS``: one warning email; then, if still
  unused ``INACTIVE_GRACE_DAYS`` later, the account is deleted by the same verb as "Delete your
  account" (portal.personal_data.erasure), which re-checks under the account's lock. Never a
  scheme administrator's account.

Every change is an UPDATE or DELETE that repeats its conditions, taken a batch at a time
(``BATCH`` rows, one transaction each), so the command is safe to repeat, safe to run twice at
once (portal.retention.queries.claim), and never holds one huge transaction. The warnings write
one row each with a unique key (portal.db.commit_first). It records counts, never content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask import current_app

from portal import audit, mail, tokens
from portal.accounts.models import User
from portal.agreements.models import (
    Agreement,
    AgreementReminder,
    AgreementSignature,
    AgreementVersion,
)
from portal.audit import AuditEvent
from portal.calls.models import LineManagerApproval
from portal.db import commit_first, utcnow
from portal.errors import DomainError
from portal.evaluations.models import (
    EvaluationSignature,
    EvaluationSignoff,
    EvaluationSignReminder,
)
from portal.extensions import db
from portal.mail.models import OutboxAttachment, OutboxMessage
from portal.personal_data import erasure
from portal.retention import queries
from portal.retention.models import InactivityWarning
from portal.tokens import EmailedLink, UsedToken

#: Rows changed in one transaction.
BATCH = 500
#: Sent emails keep their bodies this long.
EMAIL_BODY_DAYS = 30


@dataclass
class Tally:
    """What one run destroyed, by kind: counts only."""
    agreements: int = 0
    agreement_versions: int = 0
    agreement_signatures: int = 0
    signed_evaluations: int = 0
    evaluation_signatures: int = 0
    audit_events: int = 0
    addresses_audit: int = 0
    addresses_agreement_signatures: int = 0
    addresses_evaluation_signatures: int = 0
    addresses_line_managers: int = 0
    email_bodies: int = 0
    email_attachments: int = 0
    emailed_links: int = 0
    used_tokens: int = 0
    inactive_warned: int = 0
    inactive_deleted: int = 0


def apply(now: dt.datetime | None = None) -> Tally:
    """Apply every period once, then record the run's counts in the audit trail."""
    now = now or utcnow()
    tally = Tally()
    _signed_records(tally, now)
    _addresses(tally, queries.months_before(now, current_app.config["IP_RETENTION_MONTHS"]))
    _email_bodies(tally, now - dt.timedelta(days=EMAIL_BODY_DAYS))
    _links(tally, now)
    tally.inactive_warned = _warn_inactive(
        queries.months_before(now, current_app.config["INACTIVE_ACCOUNT_MONTHS"]), now)
    tally.inactive_deleted = _delete_unused(
        now - dt.timedelta(days=current_app.config["INACTIVE_GRACE_DAYS"]))
    db.session.rollback()
    audit.record(db.session, "retention", 0, "applied", **asdict(tally))
    db.session.commit()
    return tally


def _in_batches(due: sa.Select, change: Callable[[list], None]) -> None:
    """Claim ``due`` a batch at a time and change each batch in its own transaction."""
    while True:
        keys = queries.claim(due, BATCH)
        if not keys:
            db.session.rollback()
            return
        change(keys)
        db.session.commit()
        if len(keys) < BATCH:
            return


def _count(stmt) -> int:
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount


# --- signed records ----------------------------------------------------------------------------

def _signed_records(tally: Tally, now: dt.datetime) -> None:
    schemes = queries.schemes()
    db.session.rollback()
    for scheme_id, years in schemes:
        cutoff = queries.months_before(now, 12 * years)
        _in_batches(queries.agreements_due(scheme_id, cutoff),
                    lambda ids: _delete_agreements(ids, tally))
        _in_batches(queries.signoffs_due(scheme_id, cutoff),
                    lambda ids: _delete_signoffs(ids, tally))


def _delete_agreements(ids: list[int], tally: Tally) -> None:
    versions = sa.select(AgreementVersion.id).where(AgreementVersion.agreement_id.in_(ids))
    tally.agreement_signatures += _count(
        sa.delete(AgreementSignature).where(AgreementSignature.version_id.in_(versions)))
    tally.agreement_versions += _count(
        sa.delete(AgreementVersion).where(AgreementVersion.agreement_id.in_(ids)))
    _count(sa.delete(AgreementReminder).where(AgreementReminder.agreement_id.in_(ids)))
    tally.audit_events += _count(sa.delete(AuditEvent).where(
        AuditEvent.subject_type == "agreement", AuditEvent.subject_id.in_(ids)))
    tally.agreements += _count(sa.delete(Agreement).where(Agreement.id.in_(ids)))


def _delete_signoffs(ids: list[int], tally: Tally) -> None:
    tally.evaluation_signatures += _count(
        sa.delete(EvaluationSignature).where(EvaluationSignature.signoff_id.in_(ids)))
    _count(sa.delete(EvaluationSignReminder).where(EvaluationSignReminder.signoff_id.in_(ids)))
    tally.audit_events += _count(sa.delete(AuditEvent).where(
        AuditEvent.subject_type == "evaluation_signoff", AuditEvent.subject_id.in_(ids)))
    tally.signed_evaluations += _count(
        sa.delete(EvaluationSignoff).where(EvaluationSignoff.id.in_(ids)))


# --- IP addresses and browser strings ----------------------------------------------------------

def _addresses(tally: Tally, cutoff: dt.datetime) -> None:
    def audit_events(ids: list[int]) -> None:
        tally.addresses_audit += _count(
            sa.update(AuditEvent).where(AuditEvent.id.in_(ids), AuditEvent.ip_address.is_not(None))
            .values(ip_address=None))

    def signatures(model, field: str) -> Callable[[list[int]], None]:
        def blank(ids: list[int]) -> None:
            changed = _count(sa.update(model).where(
                model.id.in_(ids), sa.or_(model.ip_address != "", model.user_agent != ""))
                .values(ip_address="", user_agent=""))
            setattr(tally, field, getattr(tally, field) + changed)
        return blank

    def approvals(ids: list[int]) -> None:
        tally.addresses_line_managers += _count(
            sa.update(LineManagerApproval).where(LineManagerApproval.id.in_(ids),
                                                 LineManagerApproval.decided_ip.is_not(None))
            .values(decided_ip=None))

    _in_batches(queries.audit_addresses_due(cutoff), audit_events)
    _in_batches(queries.signature_addresses_due(AgreementSignature, cutoff),
                signatures(AgreementSignature, "addresses_agreement_signatures"))
    _in_batches(queries.signature_addresses_due(EvaluationSignature, cutoff),
                signatures(EvaluationSignature, "addresses_evaluation_signatures"))
    _in_batches(queries.approval_addresses_due(cutoff), approvals)


# --- sent emails -------------------------------------------------------------------------------

def _email_bodies(tally: Tally, cutoff: dt.datetime) -> None:
    def attachments(ids: list[int]) -> None:
        tally.email_attachments += _count(
            sa.delete(OutboxAttachment).where(OutboxAttachment.id.in_(ids)))

    def bodies(ids: list[int]) -> None:
        tally.email_bodies += _count(
            sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids), sa.or_(
                OutboxMessage.body_text != "", OutboxMessage.body_html != ""))
            .values(body_text="", body_html=""))

    _in_batches(queries.attachments_due(cutoff), attachments)
    _in_batches(queries.bodies_due(cutoff), bodies)


# --- emailed links -----------------------------------------------------------------------------

def _links(tally: Tally, now: dt.datetime) -> None:
    def links(keys: list[str]) -> None:
        tally.emailed_links += _count(sa.delete(EmailedLink).where(EmailedLink.digest.in_(keys)))

    def used(keys: list[str]) -> None:
        tally.used_tokens += _count(sa.delete(UsedToken).where(UsedToken.nonce.in_(keys)))

    purposes = list(tokens.PURPOSES)
    for purpose in purposes:
        cutoff = now - dt.timedelta(seconds=tokens.max_age(purpose))
        _in_batches(queries.links_due([purpose], cutoff), links)
        _in_batches(queries.used_tokens_due([purpose], cutoff), used)
    # A purpose no longer in use: gone once the longest lifetime has passed.
    longest = now - dt.timedelta(seconds=max(tokens.max_age(p) for p in purposes))
    _in_batches(queries.links_due(purposes, longest, other_than=True), links)
    _in_batches(queries.used_tokens_due(purposes, longest, other_than=True), used)


# --- accounts nobody uses ----------------------------------------------------------------------

def _warn_inactive(cutoff: dt.datetime, now: dt.datetime) -> int:
    waiting = queries.to_warn(cutoff)
    db.session.rollback()
    warned = 0
    for user_id in waiting:
        warned += _warn(user_id, cutoff, now)
    return warned


def _warn(user_id: int, cutoff: dt.datetime, now: dt.datetime) -> int:
    user = queries.lock_user(user_id)
    if user is None or not queries.still_to_warn(user_id, cutoff):
        db.session.rollback()  # active again, or warned by another run a moment ago
        return 0
    last_active = queries.last_active_at(user)
    db.session.add(InactivityWarning(user_id=user.id, last_active_at=last_active, warned_at=now))
    audit.record(db.session, "user", user.id, "warned_inactive")
    mail.queue(user.email, "inactive_account", name=user.full_name, last_active=last_active,
               months=current_app.config["INACTIVE_ACCOUNT_MONTHS"],
               deletes_on=now + dt.timedelta(days=current_app.config["INACTIVE_GRACE_DAYS"]))
    return 1 if commit_first(db.session) else 0


def _delete_unused(warned_before: dt.datetime) -> int:
    """Delete the accounts still unused ``INACTIVE_GRACE_DAYS`` after their warning, one
    transaction each (the erasure verb's); a person who came back, or an account another run
    deleted a moment ago, is skipped."""
    due = queries.to_delete(warned_before)
    db.session.rollback()
    deleted = 0
    for user_id in due:
        person = db.session.get(User, user_id)
        try:
            erasure.erase(user_id, person, ip_address=None, reason="unused account",
                          still_due=lambda user: queries.still_to_delete(user.id, warned_before))
        except DomainError:
            db.session.rollback()
            continue
        deleted += 1
    return deleted
