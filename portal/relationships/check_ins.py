"""Review check-ins: on the agreement's review date (and, where the scheme's pack asks, at the
midpoint of the agreed duration) each person in a running relationship is asked how the
mentoring is going, with one-tap answers: on track, we need help, I want to end it.

Run by `flask relationships remind` (e.g. hourly). A check-in is one row, unique per
relationship and kind, written in the transaction that queues its emails under the
relationship's lock; its one reminder is a RelationshipReminder row with a unique key. So a
second run, or two runs at once, never send the same email twice.

"We need help" and "I want to end the mentoring" reach the scheme's administrator mailbox at
once; "I want to end" then leads to ending it (portal/relationships/ending.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from portal import audit, mail
from portal.accounts.models import User
from portal.agreements.models import Agreement
from portal.db import commit_first, utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.relationships import progress, queries
from portal.relationships.links import make_check_in_link
from portal.relationships.models import (
    CheckIn,
    CheckInAnswer,
    Relationship,
    RelationshipReminder,
    RelationshipState,
)
from portal.relationships.queries import lock  # by name: a test holds it to race two runs
from portal.templating import format_date, london

#: The one reminder goes this long after the check-in, to a person who has not answered.
REMIND_AFTER = dt.timedelta(days=7)
#: What reaches the scheme's administrator mailbox at once, by answer.
TO_ADMINISTRATORS = {CheckInAnswer.NEED_HELP: "check_in_need_help",
                     CheckInAnswer.WANT_TO_END: "check_in_want_to_end"}


@dataclass
class Sweep:
    sent: int = 0
    reminded: int = 0


def today(now: dt.datetime) -> dt.date:
    """The date in the UK: a check-in is due from the start of its day there."""
    return london(now).date()


def agreed_dates(relationship: Relationship, agreement: Agreement) -> dict[str, dt.date]:
    """When each check-in falls: "review" on the agreement's review date (if it has none, half
    way through the agreed duration) and, where the pack asks, "midpoint" half way through,
    unless that is the review date itself. The duration runs from the agreed start date (if
    none, from the day the relationship started)."""
    span = progress.agreed_span(relationship, agreement)
    if span is None:  # not started: nothing to check in on yet
        return {}
    start, end = span
    midpoint = start + (end - start) // 2
    found = {"review": agreement.review_date or midpoint}
    if relationship.scheme.running_setting("midpoint_check_in") and midpoint != found["review"]:
        found["midpoint"] = midpoint
    return found


def due(relationship: Relationship, agreement: Agreement, had: dict[str, dt.date],
        on: dt.date) -> tuple[str, dt.date] | None:
    """The check-in due on the day ``on``, as (kind, date), if any: none before its date, none
    twice, none for a relationship that is not running, and never one dated before a check-in
    already sent (a late start, or a changed review date, asks once, not twice at once)."""
    if not relationship.may_sessions_start:
        return None
    latest = max(had.values(), default=None)
    waiting = [(day, kind) for kind, day in agreed_dates(relationship, agreement).items()
               if kind not in had and day <= on and (latest is None or day > latest)]
    if not waiting:
        return None
    day, kind = max(waiting)
    return kind, day


def send_due(now: dt.datetime | None = None) -> Sweep:
    """Send every check-in that is due, then the one reminder to whoever has not answered a
    week later; safe to run as often as you like, and twice at once."""
    now = now or utcnow()
    on = today(now)
    sweep = Sweep()
    pairs = queries.running_with_agreements()
    had = queries.check_in_kinds([relationship.id for relationship, _ in pairs])
    waiting = [relationship.id for relationship, agreement in pairs
               if due(relationship, agreement, had[relationship.id], on)]
    db.session.rollback()  # ends the read, so each relationship below has its own transaction
    for relationship_id in waiting:
        sweep.sent += _send(relationship_id, now, on)
    reminders = queries.check_ins_to_remind(now - REMIND_AFTER)
    db.session.rollback()
    for check_in_id, party in reminders:
        sweep.reminded += _remind(check_in_id, party, now)
    return sweep


def _send(relationship_id: int, now: dt.datetime, on: dt.date) -> int:
    # Under the relationship's lock: a second run waits, then finds the check-in (or fails on
    # its unique key) and sends nothing.
    relationship = lock(relationship_id)
    agreement = queries.agreement_of(relationship)
    had = queries.check_in_kinds([relationship_id])[relationship_id]
    found = due(relationship, agreement, had, on) if agreement is not None else None
    if found is None:
        db.session.rollback()
        return 0
    kind, due_on = found
    check_in = CheckIn(relationship_id=relationship.id, kind=kind, due_on=due_on, sent_at=now)
    db.session.add(check_in)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()  # another run sent it a moment ago
        return 0
    audit.record(db.session, "relationship", relationship.id, "check_in_sent", kind=kind,
                 due_on=due_on.isoformat(), check_in_id=check_in.id)
    for party in ("mentor", "mentee"):
        send_question(check_in, relationship, party)
    return 1 if commit_first(db.session) else 0


def _remind(check_in_id: int, party: str, now: dt.datetime) -> int:
    check_in = queries.lock_check_in(check_in_id)
    relationship = check_in.relationship
    key = queries.check_in_reminder_key(check_in.id, party)
    if (relationship.state != RelationshipState.ACTIVE or check_in.answer_of(party) is not None
            or now < check_in.sent_at + REMIND_AFTER
            or key in queries.reminder_keys([relationship.id], "check_in")[relationship.id]):
        db.session.rollback()
        return 0
    db.session.add(RelationshipReminder(relationship_id=relationship.id, kind="check_in",
                                        key=key, sent_at=now))
    audit.record(db.session, "relationship", relationship.id, "check_in_reminded",
                 check_in_id=check_in.id, party=party)
    send_question(check_in, relationship, party, reminder=True)
    return 1 if commit_first(db.session) else 0


def send_question(check_in: CheckIn, relationship: Relationship, party: str, *,
                  reminder: bool = False) -> None:
    """Queue "How is your mentoring going?" with this person's own one-tap answers (caller's
    transaction)."""
    person = relationship.mentor if party == "mentor" else relationship.mentee
    other = relationship.mentee if party == "mentor" else relationship.mentor
    mail.queue(person.email, "check_in", scheme=relationship.scheme, check_in=check_in,
               relationship=relationship, name=person.full_name, other_name=other.full_name,
               role=party, held=queries.held_count(relationship.id),
               token=make_check_in_link(check_in, person), reminder=reminder,
               answers=list(CheckInAnswer))


def answer(check_in_id: int, person: User, given: CheckInAnswer, *, via: str,
           ip: str | None = None) -> CheckIn:
    """Record one person's answer to a check-in, once. "We need help" and "I want to end the
    mentoring" go to the scheme's administrator mailbox in the same transaction."""
    check_in = queries.lock_check_in(check_in_id)
    relationship = check_in.relationship
    party = relationship.party(person.id)
    if party is None:
        raise NotAllowed("Only the mentor and the mentee can answer this check-in.")
    if relationship.state != RelationshipState.ACTIVE:
        raise DomainError("This mentoring relationship has ended, so the check-in is closed.")
    already = check_in.answer_of(party)
    if already is not None:
        raise DomainError(f"You have already answered this check-in: \u201c{already.label}\u201d, "
                          f"on {format_date(getattr(check_in, f'{party}_answered_at'))}.",
                          title="Already answered")
    now = utcnow()
    setattr(check_in, f"{party}_answer", given)
    setattr(check_in, f"{party}_answered_at", now)
    audit.record(db.session, "relationship", relationship.id, "check_in_answered",
                 actor_id=person.id, ip_address=ip, check_in_id=check_in.id, party=party,
                 answer=given.value, via=via)
    template = TO_ADMINISTRATORS.get(given)
    if template is not None:
        scheme = relationship.scheme
        mail.queue(scheme.admin_email, template, scheme=scheme, check_in=check_in,
                   relationship=relationship, role=party, by_name=person.full_name,
                   answered_at=now, held=queries.held_count(relationship.id))
    db.session.commit()
    return check_in
