"""After the call: "How did your call go?" to each person who has not said, once the call's
end time has passed, and one reminder three days after the first email to anyone still silent.

Run by `flask calls follow-up` (e.g. hourly). Each email is a row with a unique key (call,
person, number), written in the transaction that queues the email under the call's lock, so a
second run, or two runs at once, never send the same email twice. A new time for the call (after
"we did not meet") forgets the rows, so the follow-up runs again after the new time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from portal import audit, mail
from portal.calls import queries
from portal.calls.links import make_call_outcome_link
from portal.calls.models import CallFollowUp, CallState, ChemistryCall
from portal.calls.queries import lock_call  # by name: a test holds it to race two runs
from portal.db import commit_first, utcnow
from portal.extensions import db

#: The reminder goes this long after the first email, to a person who has still not answered.
REMIND_AFTER = dt.timedelta(days=3)
#: The first email (1) and the one reminder (2).
FIRST, REMINDER = 1, 2


@dataclass
class Sweep:
    asked: int = 0
    reminded: int = 0


def due(call: ChemistryCall, sent: dict[tuple[str, int], dt.datetime],
        now: dt.datetime) -> list[tuple[str, int]]:
    """The follow-up emails due now for one call, as (party, number): none before the call's
    end time, none once it has moved on or either said "we did not meet", none to a person who
    has answered."""
    if (call.state != CallState.ACCEPTED or call.ends_at is None or call.ends_at > now
            or call.did_not_happen):
        return []
    found = []
    for party in ("mentor", "mentee"):
        if call.decision_of(party) is not None:
            continue
        first = sent.get((party, FIRST))
        if first is None:
            found.append((party, FIRST))
        elif (party, REMINDER) not in sent and now >= first + REMIND_AFTER:
            found.append((party, REMINDER))
    return found


def send_due(now: dt.datetime | None = None) -> Sweep:
    """Send every follow-up email that is due; safe to run as often as you like, and twice at
    once."""
    now = now or utcnow()
    sweep = Sweep()
    waiting = [call.id for call in queries.calls_awaiting_follow_up(now)
               if due(call, queries.follow_ups_sent(call.id), now)]
    db.session.rollback()  # ends the read, so each call below starts its own transaction
    for call_id in waiting:
        # One short transaction per call under its lock: an answer arriving at the same moment
        # is either seen (no email) or comes after; a second run waits, then finds the rows (or
        # fails on their unique key).
        call = lock_call(call_id)
        emails = due(call, queries.follow_ups_sent(call.id), now)
        if not emails:
            db.session.rollback()
            continue
        for party, number in emails:
            record(call, party, number, now)
            send_question(call, party, reminder=number == REMINDER)
        if not commit_first(db.session):
            continue  # another run sent these a moment ago
        sweep.asked += sum(1 for _, number in emails if number == FIRST)
        sweep.reminded += sum(1 for _, number in emails if number == REMINDER)
    return sweep


def record(call: ChemistryCall, party: str, number: int, now: dt.datetime) -> None:
    """Note, in the caller's transaction, that follow-up email ``number`` went to ``party``."""
    db.session.add(CallFollowUp(call_id=call.id, party=party, number=number, sent_at=now))
    audit.record(db.session, "chemistry_call", call.id, "follow_up_sent", party=party,
                 number=number)


def send_question(call: ChemistryCall, party: str, *, reminder: bool = False) -> None:
    """Queue "How did your call go?" with this person's own one-tap answers."""
    other = "mentee" if party == "mentor" else "mentor"
    person = call.person(party)
    mail.queue(person.email, "call_follow_up", scheme=call.scheme, call=call,
               name=call.name_of(party), role=party, other_name=call.name_of(other),
               token=make_call_outcome_link(call, person), reminder=reminder)


def forget(call: ChemistryCall) -> None:
    """A new time for the call: the follow-up starts again after it (caller's transaction)."""
    db.session.execute(sa.delete(CallFollowUp).where(CallFollowUp.call_id == call.id))
