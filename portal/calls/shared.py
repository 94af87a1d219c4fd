"""What every chemistry-call transition shares: the lock, the place count, and plain words for
what has happened to a call.

Places (MentorProfile.places_taken) follow one rule:
- a place is taken when the mentor accepts a request (checked under the lock, so two
  acceptances racing for the last place cannot both win);
- it is given back when an accepted call ends without a relationship: the mentee withdraws,
  the mentor cancels, or either says "not for us" after the call;
- when both say "let's work together" the place passes to the relationship, which gives it back
  when it ends. A request that is never accepted never takes a place.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import lazyload
from werkzeug.routing import BuildError

from portal.calls.models import CALL_TRANSITIONS, CallState, ChemistryCall
from portal.db import lock
from portal.errors import DomainError
from portal.extensions import db
from portal.mail import absolute_url
from portal.mentors.models import MentorProfile
from portal.templating import format_date, format_datetime


class CallNotFound(DomainError):
    status = 404

    def __init__(self) -> None:
        super().__init__("We cannot find this chemistry call.", title="Chemistry call not found")


def lock_call(call_id: int) -> ChemistryCall:
    """Lock the mentor's profile row, then load the call as it now is.

    Every transition of a call takes this one lock (the profile, never the call), so transitions
    on one mentor's calls run one at a time and the place count cannot drift.
    """
    profile_id = db.session.scalar(
        sa.select(ChemistryCall.profile_id).where(ChemistryCall.id == call_id))
    if profile_id is None:
        raise CallNotFound()
    lock_profile(profile_id)
    return db.session.scalars(
        sa.select(ChemistryCall).where(ChemistryCall.id == call_id)
        .execution_options(populate_existing=True)).one()


def lock_profile(profile_id: int) -> MentorProfile:
    """The row lock on one mentor profile (reloaded, so its place count is current)."""
    # No joined eager loads: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return lock(db.session(), sa.select(MentorProfile).where(MentorProfile.id == profile_id)
                .options(lazyload("*")).execution_options(populate_existing=True))


def move(call: ChemistryCall, to: CallState, party: str | None = None) -> None:
    """Change the call's state, refusing a change the transitions table does not allow (and
    saying, in the words for ``party``, what has happened instead)."""
    if to not in CALL_TRANSITIONS[call.state]:
        raise DomainError(what_happened(call, party), title="This chemistry call has moved on")
    call.state = to


def take_place(profile: MentorProfile) -> None:
    if profile.places_taken >= profile.capacity:
        raise DomainError(
            f"You have no free places: {profile.places_taken} of {profile.capacity} are taken. "
            "Nothing has changed.",
            next_step="To accept this request, raise the number of mentees you can take on in "
                      "your profile, or wait until a place is free.",
            title="You have no free places")
    profile.places_taken += 1


def give_place_back(profile: MentorProfile) -> None:
    profile.places_taken = max(0, profile.places_taken - 1)


def find_mentors_url() -> str:
    """An absolute link to the mentor search (or the dashboard until search exists)."""
    try:
        return absolute_url("mentors.search")
    except BuildError:
        return absolute_url("main.dashboard")


def what_happened(call: ChemistryCall, party: str | None = None) -> str:
    """One sentence on where the call stands, for a link or button that can no longer act."""
    mentee = "you" if party == "mentee" else call.mentee.full_name
    mentor = "you" if party == "mentor" else call.profile.display_name
    state = call.state
    if state == CallState.REQUESTED:
        return f"This request is waiting for {mentor} to answer."
    if state == CallState.ACCEPTED:
        return (f"This request was accepted on {format_date(call.answered_at)}. The call is on "
                f"{format_datetime(call.scheduled_at)} (UK time).")
    if state == CallState.DECLINED:
        return f"This request was declined on {format_date(call.answered_at)}."
    if state == CallState.WITHDRAWN:
        who = "You" if party == "mentee" else mentee[:1].upper() + mentee[1:]
        return f"{who} withdrew this request on {format_date(call.ended_at)}."
    if state == CallState.EXPIRED:
        return (f"This request expired on {format_date(call.ended_at)} because it was not "
                "answered in time.")
    if state == CallState.CANCELLED:
        return f"This call was cancelled on {format_date(call.ended_at)}."
    if state == CallState.MATCHED:
        return "The chemistry call has taken place and you have both agreed to work together."
    return "The chemistry call has taken place and you will not be working together."
