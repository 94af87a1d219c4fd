"""Quiet pairs: a running relationship with no session booked or logged for the scheme's
quiet_weeks (a pack's [running] setting, 6 by default) gets one gentle nudge to both people;
still quiet another quiet_weeks after the nudge, one email to the scheme's administrator
mailbox. From the moment the nudge falls due until new activity, the pair is also on the desk's
"Needs attention" list (portal.admin.attention), by the same quiet_span.

The clock starts at the latest of: the relationship starting, a session booked, a session
logged. Each email is a RelationshipReminder row keyed by that date ("quiet" for the nudge,
"quiet_admin" for the mailbox), so new activity starts the clock again with a new key, and a
second run, or two runs at once, never send the same email twice. The emails carry counts,
dates and states only, never notes or actions.

Run by `flask relationships remind` (e.g. hourly).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal import audit, mail
from portal.db import commit_first, utcnow
from portal.extensions import db
from portal.relationships import queries
from portal.relationships.models import Relationship, RelationshipReminder
from portal.relationships.queries import lock  # by name: a test holds it to race two runs
from portal.templating import london

NUDGE, ADMIN = "quiet", "quiet_admin"


@dataclass
class Sweep:
    nudged: int = 0
    told_administrators: int = 0


def last_activity(activated_at: dt.datetime | None,
                  session_activity: dt.datetime | None) -> dt.datetime | None:
    """The latest of the relationship's start and its sessions' bookings and logs."""
    moments = [m for m in (activated_at, session_activity) if m is not None]
    return max(moments) if moments else None


def quiet_span(scheme) -> dt.timedelta:
    """How long a running pair may go without activity before it is quiet: the scheme's
    quiet_weeks. The one rule, for this sweep and for the administrators' "Needs attention"
    list (which reads the same clock in SQL: portal.relationships.queries.quiet_clocks)."""
    return dt.timedelta(weeks=scheme.running_setting("quiet_weeks"))


def key_of(last: dt.datetime) -> str:
    """The reminders' key: the date (UK) of the last activity."""
    return london(last).date().isoformat()


def due(relationship: Relationship, last: dt.datetime | None, sent: dict[str, dt.datetime],
        now: dt.datetime) -> str | None:
    """What is due now, if anything: the nudge once the pair has been quiet for quiet_weeks;
    the administrators' email once the nudge has gone and quiet_weeks more have passed.
    ``sent`` maps kind -> when it was sent, for this quiet spell (this last activity)."""
    if not relationship.may_sessions_start or last is None:
        return None
    weeks = quiet_span(relationship.scheme)
    if NUDGE not in sent:
        return NUDGE if now >= last + weeks else None
    if ADMIN not in sent and now >= sent[NUDGE] + weeks:
        return ADMIN
    return None


def send_due(now: dt.datetime | None = None) -> Sweep:
    """Nudge quiet pairs, then tell the administrators of pairs still quiet; safe to run as
    often as you like, and twice at once."""
    now = now or utcnow()
    sweep = Sweep()
    running = queries.running()
    ids = [relationship.id for relationship in running]
    activity = queries.session_activity(ids)
    sent = queries.reminder_keys(ids, NUDGE, ADMIN)
    candidates = []
    for relationship in running:
        last = last_activity(relationship.activated_at, activity[relationship.id])
        if last is None:
            continue
        key = key_of(last)
        spell = {kind: at for kind in (NUDGE, ADMIN)
                 if (at := sent[relationship.id].get(f"{kind}:{key}")) is not None}
        if due(relationship, last, spell, now):
            candidates.append(relationship.id)
    db.session.rollback()  # ends the read, so each relationship below has its own transaction
    for relationship_id in candidates:
        kind = _send(relationship_id, now)
        if kind == NUDGE:
            sweep.nudged += 1
        elif kind == ADMIN:
            sweep.told_administrators += 1
    return sweep


def _send(relationship_id: int, now: dt.datetime) -> str | None:
    # Under the relationship's lock: a session booked at the same moment is either seen (a new
    # clock) or comes after; a second run waits, then finds the row (or fails on its key).
    relationship = lock(relationship_id)
    last = last_activity(relationship.activated_at,
                         queries.session_activity([relationship.id])[relationship.id])
    if last is None:
        db.session.rollback()
        return None
    key = key_of(last)
    sent = {kind: at for kind in (NUDGE, ADMIN)
            if (at := queries.reminder_sent_at(relationship.id, kind, key)) is not None}
    kind = due(relationship, last, sent, now)
    if kind is None:
        db.session.rollback()
        return None
    db.session.add(RelationshipReminder(relationship_id=relationship.id, kind=kind, key=key,
                                        sent_at=now))
    weeks = relationship.scheme.running_setting("quiet_weeks")
    held = queries.held_count(relationship.id)
    audit.record(db.session, "relationship", relationship.id,
                 "quiet_nudged" if kind == NUDGE else "quiet_reported", last_activity=key)
    scheme = relationship.scheme
    if kind == NUDGE:
        for party in ("mentor", "mentee"):
            person = relationship.mentor if party == "mentor" else relationship.mentee
            other = relationship.mentee if party == "mentor" else relationship.mentor
            mail.queue(person.email, "relationship_quiet", scheme=scheme,
                       relationship=relationship, name=person.full_name,
                       other_name=other.full_name, role=party, last=last, weeks=weeks,
                       held=held)
    else:
        mail.queue(scheme.admin_email, "relationship_quiet_admin", scheme=scheme,
                   relationship=relationship, last=last, weeks=weeks, nudged_at=sent[NUDGE],
                   held=held)
    return kind if commit_first(db.session) else None
