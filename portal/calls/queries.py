"""Looking chemistry calls up for pages and dashboards (reads only)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.calls.models import OPEN_STATES, CallState, ChemistryCall
from portal.calls.shared import CallNotFound
from portal.db import utcnow
from portal.errors import NotAllowed
from portal.extensions import db
from portal.mentors.models import MentorProfile
from portal.relationships.models import Relationship, RelationshipState
from portal.templating import format_datetime

#: Ended calls stay on the dashboards this long.
_SHOW_ENDED_FOR = dt.timedelta(days=60)


def call_for(call_id: int, user: User) -> tuple[ChemistryCall, str]:
    """The call and the viewer's part in it; anyone else is refused."""
    call = db.session.get(ChemistryCall, call_id)
    if call is None:
        raise CallNotFound()
    party = call.party(user.id)
    if party is None:
        raise NotAllowed("This chemistry call is between two other people.")
    return call, party


def call_for_mentor(call_id: int, user: User) -> ChemistryCall:
    call, party = call_for(call_id, user)
    if party != "mentor":
        raise NotAllowed("Only the mentor who received this request can answer it.")
    return call


def time_choices(call: ChemistryCall) -> list[tuple[int, str]]:
    """The proposed times still in the future, as radio choices in UK time."""
    now = utcnow()
    return [(t.id, format_datetime(t.starts_at)) for t in call.proposed_times if t.starts_at > now]


def other_open_requests(call: ChemistryCall) -> list[ChemistryCall]:
    """The mentee's other unanswered requests in the scheme."""
    return list(db.session.scalars(
        sa.select(ChemistryCall)
        .where(ChemistryCall.mentee_id == call.mentee_id,
               ChemistryCall.scheme_id == call.scheme_id,
               ChemistryCall.state == CallState.REQUESTED, ChemistryCall.id != call.id)
        .order_by(ChemistryCall.requested_at)))


def mentee_calls(user: User) -> list[ChemistryCall]:
    """A mentee's requests, open ones and those that ended in the last 60 days."""
    since = utcnow() - _SHOW_ENDED_FOR
    return list(db.session.scalars(
        sa.select(ChemistryCall)
        .where(ChemistryCall.mentee_id == user.id,
               sa.or_(ChemistryCall.state.in_(OPEN_STATES), ChemistryCall.ended_at >= since))
        .order_by(ChemistryCall.requested_at.desc())))


def mentor_calls(user: User) -> list[ChemistryCall]:
    """Requests to a mentor that are open, and recent ends."""
    since = utcnow() - _SHOW_ENDED_FOR
    return list(db.session.scalars(
        sa.select(ChemistryCall)
        .where(ChemistryCall.mentor_id == user.id,
               sa.or_(ChemistryCall.state.in_(OPEN_STATES), ChemistryCall.ended_at >= since))
        .order_by(ChemistryCall.requested_at)))


def mentor_places(user: User) -> list[tuple[MentorProfile, list[Relationship]]]:
    """Each of the mentor's profiles with its current mentees (relationships being agreed
    or active)."""
    profiles = list(db.session.scalars(
        sa.select(MentorProfile).where(MentorProfile.user_id == user.id)
        .order_by(MentorProfile.id)))
    if not profiles:
        return []
    relationships = list(db.session.scalars(
        sa.select(Relationship)
        .where(Relationship.profile_id.in_([p.id for p in profiles]),
               Relationship.state.in_([RelationshipState.AGREEING, RelationshipState.ACTIVE]))
        .options(selectinload(Relationship.mentee))
        .order_by(Relationship.created_at)))
    return [(p, [r for r in relationships if r.profile_id == p.id]) for p in profiles]
