"""A mentee asks a mentor for a chemistry call, unless one of the scheme's rules says not yet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import g

from portal import audit, mail
from portal.accounts.models import Role, User
from portal.calls import queries
from portal.calls.links import make_answer_call_link
from portal.calls.models import ApprovalState, CallFormat, ChemistryCall, ProposedTime
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.mentors.models import MentorProfile
from portal.schemes.models import Scheme

#: How far ahead a proposed time may be.
LATEST_PROPOSAL = dt.timedelta(days=180)


@dataclass(frozen=True)
class Refusal:
    """Why a mentee cannot request a call with this mentor now, and what they can do."""

    code: str
    message: str
    link_endpoint: str | None = None
    link_values: dict[str, Any] = field(default_factory=dict)
    link_text: str | None = None
    #: A wrong person rather than a wrong moment (answered 403, not 409).
    not_allowed: bool = False


def _cached_standing(mentee: User, scheme: Scheme) -> queries.MenteeStanding:
    """Per request, so a list of mentors asks the database once per scheme."""
    cache = g.setdefault("_calls_standing", {})
    key = (mentee.id, scheme.id)
    if key not in cache:
        cache[key] = queries.mentee_standing(mentee, scheme)
    return cache[key]


def refusal(mentee: User, profile: MentorProfile, standing: queries.MenteeStanding | None = None
            ) -> Refusal | None:
    """Why ``mentee`` cannot request a call with ``profile`` now, or None if they can."""
    scheme = profile.scheme
    name = profile.display_name
    if not mentee.has_role(Role.MENTEE, scheme.id):
        return Refusal("not_mentee", f"To request a chemistry call, join {scheme.name} as a "
                       "mentee.", "accounts.join", {"slug": scheme.slug}, "Join this scheme",
                       not_allowed=True)
    if profile.user_id == mentee.id:
        return Refusal("self", "This is your own mentor profile.", not_allowed=True)
    if not profile.is_visible:
        return Refusal("hidden", f"{name}'s profile is not available at the moment, so you "
                       "cannot request a call.")
    standing = standing or _cached_standing(mentee, scheme)
    if profile.id in standing.working_with:
        return Refusal("working", f"You are already working with {name}.", "main.dashboard",
                       {}, "Go to your dashboard")
    if standing.working_with and scheme.running_setting("one_mentor_at_a_time"):
        return Refusal("one_mentor", f"You are already working with a mentor in {scheme.name}, "
                       "which has one mentor at a time. If that mentoring ends, you can ask "
                       "another mentor.", "main.dashboard", {}, "Go to your dashboard")
    if profile.id in standing.open_calls:
        return Refusal("duplicate", f"You already have an open request with {name}.",
                       "calls.show", {"call_id": standing.open_calls[profile.id]},
                       "See your request")
    if not profile.accepting:
        return Refusal("not_accepting", f"{name} is not taking new requests at the moment.")
    if profile.places_taken >= profile.capacity:
        return Refusal("full", f"{name} has no free places at the moment.")
    if len(standing.open_calls) >= scheme.max_open_requests:
        return Refusal("limit", f"You have {len(standing.open_calls)} open requests, the most "
                       f"{scheme.name} allows at once. Wait for an answer or withdraw a request "
                       "first.", "main.dashboard", {}, "See your requests")
    if scheme.needs_line_manager_approval:
        approval = standing.approval
        if approval is None:
            return Refusal("approval_needed", "This scheme needs your line manager's approval "
                           "before you request a chemistry call.", "calls.ask_line_manager",
                           {"slug": scheme.slug}, "Ask your line manager")
        if approval.state == ApprovalState.PENDING:
            return Refusal("approval_pending", f"You are waiting for your line manager, "
                           f"{approval.manager_name}, to approve your taking part.",
                           "calls.ask_line_manager", {"slug": scheme.slug},
                           "Change or resend the request")
        if approval.state == ApprovalState.DECLINED:
            return Refusal("approval_declined", "Your line manager has not approved your "
                           "taking part in this scheme.", "calls.ask_line_manager",
                           {"slug": scheme.slug}, "Ask again")
    return None


def current_mentors(mentee: User, scheme: Scheme) -> list[str]:
    """The names of the mentors ``mentee`` is working with in ``scheme`` (agreeing terms or
    running): asking another is allowed, but they are warned first."""
    standing = _cached_standing(mentee, scheme)
    return sorted(queries.get_profile(profile_id).display_name
                  for profile_id in standing.working_with)


def refuse(reason: Refusal) -> None:
    """Raise the refusal as the domain error the error handler turns into a clear page."""
    error = NotAllowed if reason.not_allowed else DomainError
    raise error(reason.message, title="You cannot request this chemistry call")


def check_times(times: list[dt.datetime], flexible: bool, now: dt.datetime) -> None:
    if not flexible and len(times) < 2:
        raise DomainError("Give at least two times that suit you, or say you are flexible.")
    if len(times) > 3:
        raise DomainError("Give no more than three times.")
    for start in times:
        if start <= now:
            raise DomainError("Every proposed time must be in the future.")
        if start > now + LATEST_PROPOSAL:
            raise DomainError("Choose times in the next six months.")


def request_call(mentee: User, profile_id: int, *, hopes: str, experience: str,
                 times: list[dt.datetime], flexible: bool, preferred_format: CallFormat,
                 ip: str | None = None, work: dict[str, str] | None = None) -> ChemistryCall:
    """Ask a mentor for a chemistry call; the mentor gets an email with Accept and Decline.

    ``work`` (job_title, organisation, grade) updates what the mentee's account says about
    their work, which the mentor sees with the request; None leaves it as it is."""
    queries.lock_mentee(mentee.id)
    profile = queries.get_profile(profile_id)
    if profile is None:
        raise DomainError("We cannot find this mentor.", status=404)
    reason = refusal(mentee, profile, queries.mentee_standing(mentee, profile.scheme))
    if reason is not None:
        refuse(reason)
    hopes = hopes.strip()
    if not hopes:
        raise DomainError("Say what you hope to get from mentoring.")
    now = utcnow()
    check_times(times, flexible, now)
    if work is not None:
        if not (work.get("job_title", "").strip() and work.get("organisation", "").strip()):
            raise DomainError("Give your job title and organisation, so the mentor knows who is "
                              "asking.")
        mentee.job_title = work["job_title"].strip()[:200]
        mentee.organisation = work["organisation"].strip()[:200]
        mentee.grade = (work.get("grade") or "").strip()[:100] or None

    call = ChemistryCall(
        scheme_id=profile.scheme_id, profile_id=profile.id, mentor_id=profile.user_id,
        mentee_id=mentee.id, hopes=hopes, experience=experience.strip(), flexible=flexible,
        preferred_format=preferred_format, requested_at=now,
        proposed_times=[ProposedTime(starts_at=start) for start in sorted(times)],
    )
    db.session.add(call)
    db.session.flush()
    audit.record(db.session, "chemistry_call", call.id, "requested", actor_id=mentee.id,
                 ip_address=ip, mentor_id=profile.user_id, times=len(times), flexible=flexible)
    send_request_to_mentor(call)
    mail.queue(mentee.email, "call_request_sent", scheme=profile.scheme, call=call,
               name=mentee.full_name, mentor_name=profile.display_name)
    db.session.commit()
    return call


def send_request_to_mentor(call: ChemistryCall, *, reminder: bool = False) -> None:
    """Queue the request (or its reminder) to the mentor, with the Accept/Decline link."""
    mail.queue(call.mentor.email, "call_reminder" if reminder else "call_requested",
               scheme=call.scheme, call=call, token=make_answer_call_link(call),
               name=call.profile.display_name, mentee_name=call.mentee.full_name)
