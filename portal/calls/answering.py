"""The mentor answers a request: accept (with a time and meeting details) or decline."""

from __future__ import annotations

import datetime as dt

from portal import audit, mail
from portal.accounts.models import User
from portal.calls import invites, queries
from portal.calls.links import find_mentors_url
from portal.calls.models import CallState, ChemistryCall, DeclineReason
from portal.calls.places import take_place
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db


def refuse_if_answered(call: ChemistryCall, method: str) -> None:
    """A POST to a request that has moved on is refused with what happened (a GET only looks)."""
    if method == "POST":
        _check(call, call.mentor)


def _check(call: ChemistryCall, mentor: User) -> None:
    # Before anything else (the place count, the form): a request that has moved on says what
    # happened to it, with a title for the mentor who answered and the one who came too late.
    if call.mentor_id != mentor.id:
        raise NotAllowed("This request was sent to another mentor.")
    if not call.awaits_answer:
        raise DomainError(call.what_happened("mentor"),
                          title="This request has already been answered"
                          if call.answered_at else "This request is closed")


def accept_call(call_id: int, mentor: User, *, proposed_time_id: int | None = None,
                other_start: dt.datetime | None = None, details: str, via: str = "portal",
                ip: str | None = None) -> ChemistryCall:
    """Accept: take a place (if one is free), fix the time, send both the invite."""
    call = queries.lock_call(call_id)
    _check(call, mentor)
    now = utcnow()
    if proposed_time_id is not None:
        chosen = next((t for t in call.proposed_times if t.id == proposed_time_id), None)
        if chosen is None:
            raise DomainError("Choose one of the times the mentee proposed, or suggest another.")
        start = chosen.starts_at
    elif other_start is not None:
        start = other_start
    else:
        raise DomainError("Choose a time for the call.")
    if start <= now:
        raise DomainError("That time has passed. Choose a time in the future.")
    details = details.strip()
    if not details:
        raise DomainError("Say where to meet, or give the video link or phone number.")

    # Capacity again, now, under the lock: the request may be days old.
    take_place(call.profile)
    call.move_to(CallState.ACCEPTED)
    call.answered_at = now
    call.scheduled_at = start
    call.meeting_details = details
    call.invite_uid = invites.new_uid(call)
    call.invite_sequence = 0
    audit.record(db.session, "chemistry_call", call.id, "accepted", actor_id=mentor.id,
                 ip_address=ip, via=via, proposed=proposed_time_id is not None,
                 places_taken=call.profile.places_taken)
    invite = invites.attachment(call)
    others = queries.other_open_requests(call)
    mail.queue(call.mentee.email, "call_accepted_mentee", scheme=call.scheme, call=call,
               attachments=[invite], name=call.mentee.full_name, other_requests=len(others))
    mail.queue(call.mentor.email, "call_accepted_mentor", scheme=call.scheme, call=call,
               attachments=[invite], name=call.profile.display_name)
    db.session.commit()
    return call


def decline_call(call_id: int, mentor: User, *, reason: DeclineReason | None = None,
                 note: str = "", via: str = "portal", ip: str | None = None) -> ChemistryCall:
    """Decline: the reason stays with the scheme; the mentee gets a kind note."""
    call = queries.lock_call(call_id)
    _check(call, mentor)
    call.move_to(CallState.DECLINED)
    call.answered_at = call.ended_at = utcnow()
    call.ended_by_id = mentor.id
    call.decline_reason = reason
    call.decline_note = note.strip()
    audit.record(db.session, "chemistry_call", call.id, "declined", actor_id=mentor.id,
                 ip_address=ip, via=via, reason=reason.value if reason else None)
    mail.queue(call.mentee.email, "call_declined", scheme=call.scheme, call=call,
               name=call.mentee.full_name, find_url=find_mentors_url())
    db.session.commit()
    return call
