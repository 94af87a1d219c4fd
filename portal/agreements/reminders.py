"""Reminders: an unsigned party after 3 days, then every 2 days, at most 3 times; the mentee
once, 2 days after both signed, if they have not submitted.

Run by `flask agreements remind` (e.g. hourly). Each reminder is a row with a unique key, so a
second run, or two runs at once, never send the same reminder twice.
"""

from __future__ import annotations

import datetime as dt

from portal import audit, mail
from portal.agreements import links, queries, terms
from portal.agreements.models import Agreement, AgreementReminder, AgreementState
from portal.db import commit_first, utcnow
from portal.extensions import db
from portal.relationships.models import RelationshipState

SIGN_FIRST = dt.timedelta(days=3)
SIGN_EVERY = dt.timedelta(days=2)
SIGN_MAX = 3
SUBMIT_AFTER = dt.timedelta(days=2)


def due(agreement: Agreement, now: dt.datetime) -> list[tuple[str, str, int]]:
    """The reminders due now for one agreement, as (kind, party, number)."""
    if agreement.relationship.state == RelationshipState.ENDED:
        return []
    found = []
    if agreement.state in (AgreementState.SENT, AgreementState.SIGNED_BY_ONE):
        version = agreement.current_version
        for party in ("mentor", "mentee"):
            if version is None or version.signature_of(party) is not None:
                continue
            sent = queries.reminders_sent(agreement, "sign", party)
            if len(sent) >= SIGN_MAX:
                continue
            next_at = (sent[-1].sent_at + SIGN_EVERY) if sent else version.created_at + SIGN_FIRST
            if now >= next_at:
                found.append(("sign", party, len(sent) + 1))
    elif (agreement.state == AgreementState.SIGNED_BY_BOTH
          and now >= agreement.signed_at + SUBMIT_AFTER
          and not queries.reminders_sent(agreement, "submit", "mentee")):
        found.append(("submit", "mentee", 1))
    return found


def send_due(now: dt.datetime | None = None) -> int:
    """Send every reminder that is due; returns how many were sent."""
    now = now or utcnow()
    count = 0
    for agreement_id in queries.awaiting_reminders():
        # One short transaction per agreement, holding its lock: a signature arriving at the
        # same moment is either seen (no reminder) or comes after it, and a second run at the
        # same moment waits, then finds the reminder row (or fails on its unique key).
        agreement = queries.lock(agreement_id)
        reminders = due(agreement, now)
        for kind, party, number in reminders:
            db.session.add(AgreementReminder(agreement_id=agreement.id, version=agreement.version,
                                             kind=kind, party=party, number=number, sent_at=now))
            if kind == "sign":
                terms.queue_sign_request(agreement, party, reminder=number)
            else:
                mentee = agreement.mentee
                mail.queue(mentee.email, "agreement_submit_reminder", scheme=agreement.scheme,
                           agreement=agreement, name=mentee.full_name,
                           token=links.make_submit_link(agreement, mentee))
            audit.record(db.session, "agreement", agreement.id, "reminder_sent", kind=kind,
                         party=party, number=number, version=agreement.version)
        if not commit_first(db.session):
            continue  # another run sent these a moment ago
        count += len(reminders)
    return count
