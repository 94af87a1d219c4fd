"""The mentor answers a request: accept (with a time and meeting details) or decline."""

from __future__ import annotations

import datetime as dt

from portal import audit, mail, tokens
from portal.accounts.models import User
from portal.calls import invites, queries
from portal.calls.models import CallState, ChemistryCall, DeclineReason
from portal.calls.shared import (
    find_mentors_url,
    lock_call,
    move,
    take_place,
    what_happened,
)
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.templating import format_date


def call_for_answer_link(token: str, viewer: User | None = None) -> ChemistryCall:
    """The call a mentor's emailed Accept/Decline link is for.

    The link works without signing in; someone signed in as another person is refused, so a
    forwarded link is not used by mistake.
    """
    payload = tokens.load("answer-call", token, what="link")
    call = db.session.get(ChemistryCall, payload["c"])
    if call is None or call.mentor_id != payload.get("u"):
        raise tokens.LinkError("This link is not valid.", next_step="invalid", status=400)
    if viewer is not None and viewer.id != call.mentor_id:
        raise NotAllowed(f"This link was sent to the mentor, {call.profile.display_name}. You "
                         f"are signed in as {viewer.full_name}.",
                         title="This link is for someone else")
    return call


def link_is_live(call: ChemistryCall) -> bool:
    """Answer links are bound to the open request: once it has moved on they only inform."""
    return call.state == CallState.REQUESTED


def spent_link(call: ChemistryCall) -> tokens.LinkError:
    """What became of the request, for an answer link that can no longer act. No names, times
    or details: whoever holds the link now may not be the mentor it was sent to."""
    when = format_date(call.answered_at or call.ended_at)
    used, happened = {
        CallState.ACCEPTED: (True, f"the request was accepted on {when}"),
        CallState.DECLINED: (True, f"the request was declined on {when}"),
        CallState.WITHDRAWN: (False, f"the request was withdrawn on {when}"),
        CallState.EXPIRED: (False, f"the request expired on {when}"),
        CallState.CANCELLED: (True, f"the request was accepted, then the call was cancelled "
                                    f"on {when}"),
    }.get(call.state, (True, "the request was accepted and the call has taken place"))
    lead = "This link has already been used" if used else "This link no longer works"
    return tokens.LinkError(f"{lead}: {happened}.", next_step="used")


def refuse_if_answered(call: ChemistryCall, method: str) -> None:
    """A POST to a request that has moved on is refused with what happened (a GET only looks)."""
    if method == "POST":
        _check(call, call.mentor)


def _check(call: ChemistryCall, mentor: User) -> None:
    if call.mentor_id != mentor.id:
        raise NotAllowed("This request was sent to another mentor.")
    if call.state != CallState.REQUESTED:
        raise DomainError(what_happened(call, "mentor"),
                          title="This request has already been answered"
                          if call.answered_at else "This request is closed")


def accept_call(call_id: int, mentor: User, *, proposed_time_id: int | None = None,
                other_start: dt.datetime | None = None, details: str, via: str = "portal",
                ip: str | None = None) -> ChemistryCall:
    """Accept: take a place (if one is free), fix the time, send both the invite."""
    call = lock_call(call_id)
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
    move(call, CallState.ACCEPTED)
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
    call = lock_call(call_id)
    _check(call, mentor)
    move(call, CallState.DECLINED)
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
