"""Agreeing the terms: either party changes them, then one sends the agreement for signatures.

A change after sending voids the version that was sent (and any signatures on it): the
agreement returns to draft under a new version number, and both people are told.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal import audit, drafts, mail
from portal.accounts.models import User
from portal.agreements import canonical, links, queries
from portal.agreements.models import Agreement, AgreementState, AgreementVersion
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.relationships.models import RelationshipState

#: The terms both parties may change, as the form names them.
SHARED_FIELDS = ("start_date", "duration_months", "sessions", "frequency", "min_minutes",
                 "max_minutes", "meeting_format", "meeting_place", "contact_between",
                 "notice_hours", "arranges_meetings", "sets_agenda", "goals", "review_date")
#: Each party's own contact details, which only they change.
OWN_FIELDS = ("email", "phone")

FIELD_NAMES = {
    "start_date": "start date", "duration_months": "length of the mentoring",
    "sessions": "number of sessions", "frequency": "how often you meet",
    "min_minutes": "shortest meeting", "max_minutes": "longest meeting",
    "meeting_format": "how you meet", "meeting_place": "where you meet",
    "contact_between": "contact between sessions", "notice_hours": "notice for cancelling",
    "arranges_meetings": "who arranges meetings", "sets_agenda": "who sets the agenda",
    "goals": "the mentee's goals", "review_date": "review date",
    "mentor_email": "the mentor's email", "mentor_phone": "the mentor's phone",
    "mentee_email": "the mentee's email", "mentee_phone": "the mentee's phone",
}


def _party_or_refuse(agreement: Agreement, user: User) -> str:
    party = agreement.party(user.id)
    if party is None:
        raise NotAllowed("Only the mentor and the mentee can change this agreement.")
    return party


def _check_open(agreement: Agreement) -> None:
    if agreement.relationship.state == RelationshipState.ENDED:
        raise DomainError("This mentoring relationship has ended, so its agreement cannot "
                          "change.")


def missing_terms(agreement: Agreement) -> list[str]:
    """What still needs filling in before the agreement can be sent for signatures."""
    missing = []
    if agreement.terms_saved_at is None:
        missing.append("the terms")
    if agreement.start_date is None:
        missing.append("the start date")
    if agreement.review_date is None:
        missing.append("the review date")
    if not [g for g in agreement.goals if canonical.clean(g)]:
        missing.append("at least one goal")
    return missing


def update_terms(agreement_id: int, user: User, values: dict[str, Any], *,
                 ip_address: str) -> list[str]:
    """Save the terms; returns what changed. A change after sending voids the version sent."""
    agreement = queries.lock(agreement_id)
    party = _party_or_refuse(agreement, user)
    _check_open(agreement)
    if not agreement.is_editable:
        raise DomainError("This agreement has been submitted to the scheme administrator, so "
                          "its terms can no longer change.",
                          next_step="If something needs to change, talk to your scheme "
                                    "administrator.")
    wanted = {name: values[name] for name in SHARED_FIELDS}
    wanted["goals"] = [canonical.clean(g) for g in values["goals"] if canonical.clean(g)]
    for name in OWN_FIELDS:
        wanted[f"{party}_{name}"] = (values[name] or "").strip()
    changed = [name for name, value in wanted.items() if getattr(agreement, name) != value]
    for name, value in wanted.items():
        setattr(agreement, name, value)
    first_save = agreement.terms_saved_at is None
    agreement.terms_saved_at = utcnow()
    agreement.terms_saved_by_id = user.id
    if changed or first_save:
        audit.record(db.session, "agreement", agreement.id, "terms_changed", actor_id=user.id,
                     ip_address=ip_address, changed=changed, version=agreement.version)
    if changed and agreement.state != AgreementState.DRAFT:
        _void(agreement, user, changed, ip_address=ip_address)
    drafts.discard(user.id, drafts.terms_key(agreement.id))
    db.session.commit()
    return changed


def _void(agreement: Agreement, user: User, changed: list[str], *, ip_address: str) -> None:
    """Void the version sent for signatures and start the next one in draft; tell both."""
    version = agreement.current_version
    now = utcnow()
    had_signatures = bool(version and version.signatures)
    if version is not None:
        version.voided_at = now
        version.voided_by_id = user.id
        version.void_reason = "terms changed: " + ", ".join(FIELD_NAMES[c] for c in changed)
    audit.record(db.session, "agreement", agreement.id, "version_voided", actor_id=user.id,
                 ip_address=ip_address, version=agreement.version,
                 signatures_cancelled=len(version.signatures) if version else 0)
    agreement.move_to(AgreementState.DRAFT)
    agreement.version += 1
    agreement.sent_at = None
    agreement.signed_at = None
    for party in ("mentor", "mentee"):
        person = agreement.person(party)
        mail.queue(person.email, "agreement_voided", scheme=agreement.scheme,
                   agreement=agreement, name=person.full_name, changed_by=user,
                   changed=[FIELD_NAMES[c] for c in changed], had_signatures=had_signatures,
                   by_you=person.id == user.id)


def send_for_signatures(agreement_id: int, user: User, *, ip_address: str) -> AgreementVersion:
    """Freeze the terms as the next version's canonical text and email both signing links."""
    agreement = queries.lock(agreement_id)
    _party_or_refuse(agreement, user)
    _check_open(agreement)
    if agreement.state != AgreementState.DRAFT:
        raise DomainError("This agreement has already been sent for signatures.",
                          next_step="Each of you has an email with a link to sign it.")
    missing = missing_terms(agreement)
    if missing:
        raise DomainError("The agreement cannot be sent yet. Fill in " + ", ".join(missing) + ".")
    snapshot = canonical.snapshot_of(agreement)
    text = canonical.text(snapshot)
    version = AgreementVersion(number=agreement.version, snapshot=snapshot, text=text,
                               sha256=canonical.sha256(text), created_by_id=user.id)
    agreement.versions.append(version)
    agreement.move_to(AgreementState.SENT)
    agreement.sent_at = utcnow()
    agreement.sent_by_id = user.id
    audit.record(db.session, "agreement", agreement.id, "sent_for_signatures", actor_id=user.id,
                 ip_address=ip_address, version=version.number, sha256=version.sha256)
    for party in ("mentor", "mentee"):
        queue_sign_request(agreement, party, sent_by=user)
    db.session.commit()
    return version


def queue_sign_request(agreement: Agreement, party: str, *, sent_by: User | None = None,
                       reminder: int = 0) -> None:
    """Email one party a personal link to sign the current version."""
    person = agreement.person(party)
    mail.queue(person.email, "agreement_sign_reminder" if reminder else "agreement_sign",
               scheme=agreement.scheme, agreement=agreement, name=person.full_name,
               token=links.make_sign_link(agreement, person),
               sent_by=sent_by, by_you=sent_by is not None and sent_by.id == person.id,
               other=agreement.person("mentee" if party == "mentor" else "mentor"),
               reminder=reminder, days=links.sign_link_days())


def default_review_date(agreement: Agreement, start: dt.date | None) -> dt.date | None:
    """The scheme's usual review point after the start date, to suggest in the form."""
    if start is None:
        return None
    months = int((agreement.template or {}).get("review_after_months") or 3)
    return canonical.add_months(start, months)
