"""A call's life after the request: withdraw, cancel, reschedule, and the scheduled reminder
and expiry of requests nobody answered.

Changes meant for the future stop once the call's time has passed: a call that has taken place
cannot be moved, cancelled or withdrawn. After "we did not meet" it can again: either may propose
a new time (which clears both answers and starts the follow-up again), or call it off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal import audit, mail
from portal.accounts.models import User
from portal.calls import follow_up, invites, queries
from portal.calls.links import find_mentors_url
from portal.calls.models import CallState, ChemistryCall
from portal.calls.places import give_place_back
from portal.calls.queries import lock_call  # by name: a test holds it to race two sweeps
from portal.calls.requesting import LATEST_PROPOSAL, send_request_to_mentor
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db


def withdraw(call_id: int, mentee: User, *, ip: str | None = None) -> ChemistryCall:
    """The mentee withdraws a request, or calls off an accepted call (its place is freed)."""
    call = lock_call(call_id)
    if call.mentee_id != mentee.id:
        raise NotAllowed("Only the mentee who made this request can withdraw it.")
    if call.state == CallState.ACCEPTED:
        refuse_once_past(call, "withdrawn")
    _withdraw(call, mentee, ip)
    db.session.commit()
    return call


def _withdraw(call: ChemistryCall, mentee: User, ip: str | None) -> None:
    was_accepted = call.state == CallState.ACCEPTED
    call.move_to(CallState.WITHDRAWN, "mentee")
    call.ended_at = utcnow()
    call.ended_by_id = mentee.id
    audit.record(db.session, "chemistry_call", call.id, "withdrawn", actor_id=mentee.id,
                 ip_address=ip, after_acceptance=was_accepted)
    if was_accepted:
        give_place_back(call.profile)
        _send_cancellation(call, by=mentee)
    else:
        mail.queue(call.mentor.email, "call_withdrawn", scheme=call.scheme, call=call,
                   name=call.profile.display_name)


def withdraw_others(kept_call_id: int, mentee: User, *, ip: str | None = None) -> int:
    """After one request is accepted, withdraw the mentee's other unanswered requests."""
    kept = queries.get_call(kept_call_id)
    if kept is None or kept.mentee_id != mentee.id:
        raise NotAllowed("Only the mentee who made this request can do this.")
    if kept.state != CallState.ACCEPTED:
        raise DomainError("You can withdraw your other requests once a mentor has accepted one.")
    withdrawn = 0
    for call_id in queries.other_open_request_ids(kept):
        # Each in its own transaction, under its mentor's lock: one that was answered meanwhile
        # is left as it is.
        call = lock_call(call_id)
        if call.state == CallState.REQUESTED:
            _withdraw(call, mentee, ip)
            withdrawn += 1
        db.session.commit()
    return withdrawn


def cancel(call_id: int, mentor: User, *, ip: str | None = None) -> ChemistryCall:
    """The mentor calls off an accepted call; both get the cancellation for their calendars."""
    call = lock_call(call_id)
    if call.mentor_id != mentor.id:
        raise NotAllowed("Only the mentor can cancel this call. As the mentee, you can "
                         "withdraw instead.")
    if call.state != CallState.ACCEPTED:
        raise DomainError(call.what_happened("mentor"))
    refuse_once_past(call, "cancelled")
    call.move_to(CallState.CANCELLED, "mentor")
    call.ended_at = utcnow()
    call.ended_by_id = mentor.id
    give_place_back(call.profile)
    audit.record(db.session, "chemistry_call", call.id, "cancelled", actor_id=mentor.id,
                 ip_address=ip)
    _send_cancellation(call, by=mentor)
    db.session.commit()
    return call


def _send_cancellation(call: ChemistryCall, *, by: User) -> None:
    call.invite_sequence += 1
    invite = invites.attachment(call, cancel=True)
    for person, name, role, other_name in (
            (call.mentee, call.mentee.full_name, "mentee", call.profile.display_name),
            (call.mentor, call.profile.display_name, "mentor", call.mentee.full_name)):
        mail.queue(person.email, "call_cancelled", scheme=call.scheme, call=call,
                   attachments=[invite], name=name, role=role, other_name=other_name,
                   by_you=person.id == by.id, find_url=find_mentors_url())


def reschedule(call_id: int, person: User, *, start: dt.datetime, details: str,
               ip: str | None = None) -> ChemistryCall:
    """Either party moves an accepted call; both get the updated invite (same UID)."""
    call = lock_call(call_id)
    party = call.party(person.id)
    if party is None:
        raise NotAllowed("Only the mentor and the mentee can change this call.")
    if call.state != CallState.ACCEPTED:
        raise DomainError(call.what_happened(party))
    refuse_once_past(call, "moved")
    now = utcnow()
    if start <= now:
        raise DomainError("Choose a time in the future.")
    if start > now + LATEST_PROPOSAL:
        raise DomainError("Choose a time in the next six months.")
    details = details.strip()
    if not details:
        raise DomainError("Say where to meet, or give the video link or phone number.")
    if start == call.scheduled_at and details == call.meeting_details:
        raise DomainError("The time and the details are the same as before: nothing to change.")
    previous = call.scheduled_at
    did_not_happen = call.did_not_happen
    if did_not_happen:
        # A fresh call: both answer again after it, and the follow-up runs again.
        for side in ("mentor", "mentee"):
            setattr(call, f"{side}_decision", None)
            setattr(call, f"{side}_decided_at", None)
            setattr(call, f"{side}_reason", "")
    follow_up.forget(call)
    call.scheduled_at = start
    call.meeting_details = details
    call.invite_sequence += 1
    audit.record(db.session, "chemistry_call", call.id, "rescheduled", actor_id=person.id,
                 ip_address=ip, previous=previous.isoformat(), start=start.isoformat(),
                 after_did_not_meet=did_not_happen)
    invite = invites.attachment(call)
    for who, name in ((call.mentee, call.mentee.full_name),
                      (call.mentor, call.profile.display_name)):
        mail.queue(who.email, "call_rescheduled", scheme=call.scheme, call=call,
                   attachments=[invite], name=name, previous=previous,
                   by_you=who.id == person.id,
                   by_name=call.profile.display_name if party == "mentor"
                   else call.mentee.full_name)
    db.session.commit()
    return call


def refuse_once_past(call: ChemistryCall, done: str) -> None:
    """An accepted call may be moved, cancelled or withdrawn until its time has passed, or
    after either said "we did not meet"; never once either has said how it went."""
    if call.did_not_happen:
        return
    if call.mentor_decision or call.mentee_decision:
        raise DomainError(f"You have already said how the call went, so it cannot be {done}.",
                          title="The call has taken place")
    if call.has_ended:
        raise DomainError(f"The call\u2019s time has passed, so it cannot be {done}. Say how it "
                          "went instead. If you did not meet, say so: either of you can then "
                          "propose a new time.", title="The call has taken place")


@dataclass
class Sweep:
    reminded: int = 0
    expired: int = 0


def remind_and_expire(now: dt.datetime | None = None) -> Sweep:
    """Remind mentors of unanswered requests, and expire those left too long.

    Safe to run as often as you like, and twice at once: each request is handled in its own
    transaction under its mentor's lock and checked again there, and a reminder is sent once.
    """
    now = now or utcnow()
    sweep = Sweep()
    rows = queries.unanswered_requests()
    db.session.rollback()  # ends the read, so each request below starts its own transaction
    for call_id, requested_at, reminded_at, remind_days, expiry_days in rows:
        if now >= requested_at + dt.timedelta(days=expiry_days):
            sweep.expired += _expire(call_id, now)
        elif reminded_at is None and now >= requested_at + dt.timedelta(days=remind_days):
            sweep.reminded += _remind(call_id, now)
    return sweep


def _expire(call_id: int, now: dt.datetime) -> int:
    call = lock_call(call_id)
    if call.state != CallState.REQUESTED:
        db.session.rollback()
        return 0
    call.move_to(CallState.EXPIRED)
    call.ended_at = now
    audit.record(db.session, "chemistry_call", call.id, "expired",
                 days=call.scheme.request_expiry_days)
    mail.queue(call.mentee.email, "call_expired", scheme=call.scheme, call=call,
               name=call.mentee.full_name, find_url=find_mentors_url())
    db.session.commit()
    return 1


def _remind(call_id: int, now: dt.datetime) -> int:
    call = lock_call(call_id)
    if call.state != CallState.REQUESTED or call.reminded_at is not None:
        db.session.rollback()
        return 0
    call.reminded_at = now
    audit.record(db.session, "chemistry_call", call.id, "reminded")
    send_request_to_mentor(call, reminder=True)
    db.session.commit()
    return 1
