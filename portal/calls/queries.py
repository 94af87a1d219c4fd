"""Looking chemistry calls and line managers' approvals up, for pages, dashboards and links, and
locking them for a state change (each lock with its reason)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import lazyload, selectinload

from portal.accounts.models import User
from portal.calls.models import (
    OPEN_STATES,
    ApprovalState,
    CallFollowUp,
    CallState,
    ChemistryCall,
    LineManagerApproval,
)
from portal.db import lock, utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.mentors.models import MentorProfile
from portal.relationships.models import Relationship, RelationshipState
from portal.schemes.models import Scheme
from portal.templating import format_datetime

#: Ended calls stay on the dashboards this long.
_SHOW_ENDED_FOR = dt.timedelta(days=60)


class CallNotFound(DomainError):
    status = 404

    def __init__(self) -> None:
        super().__init__("We cannot find this chemistry call.", title="Chemistry call not found")


# --- one call ------------------------------------------------------------------------------------

def get_call(call_id: int) -> ChemistryCall | None:
    return db.session.get(ChemistryCall, call_id)


def call_for(call_id: int, user: User) -> tuple[ChemistryCall, str]:
    """The call and the viewer's part in it; anyone else is refused."""
    call = get_call(call_id)
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


# --- lists ---------------------------------------------------------------------------------------

def other_open_requests(call: ChemistryCall) -> list[ChemistryCall]:
    """The mentee's other unanswered requests in the scheme."""
    return list(db.session.scalars(
        sa.select(ChemistryCall)
        .where(ChemistryCall.mentee_id == call.mentee_id,
               ChemistryCall.scheme_id == call.scheme_id,
               ChemistryCall.state == CallState.REQUESTED, ChemistryCall.id != call.id)
        .order_by(ChemistryCall.requested_at)))


def other_open_request_ids(call: ChemistryCall) -> list[int]:
    """The ids of the mentee's other unanswered requests in the scheme, oldest first."""
    return list(db.session.scalars(
        sa.select(ChemistryCall.id)
        .where(ChemistryCall.mentee_id == call.mentee_id,
               ChemistryCall.scheme_id == call.scheme_id,
               ChemistryCall.state == CallState.REQUESTED, ChemistryCall.id != call.id)
        .order_by(ChemistryCall.id)))


def unanswered_requests() -> list[sa.Row]:
    """Every unanswered request with its scheme's reminder and expiry settings:
    (id, requested_at, reminded_at, request_reminder_days, request_expiry_days)."""
    return db.session.execute(
        sa.select(ChemistryCall.id, ChemistryCall.requested_at, ChemistryCall.reminded_at,
                  Scheme.request_reminder_days, Scheme.request_expiry_days)
        .join(Scheme, Scheme.id == ChemistryCall.scheme_id)
        .where(ChemistryCall.state == CallState.REQUESTED)
        .order_by(ChemistryCall.id)).all()


def calls_awaiting_follow_up(now: dt.datetime) -> list[ChemistryCall]:
    """Accepted calls whose start has passed and that have not yet had every follow-up email
    (two per person); the follow-up command checks each again under its lock."""
    reminders = (sa.select(sa.func.count(CallFollowUp.id))
                 .where(CallFollowUp.call_id == ChemistryCall.id, CallFollowUp.number == 2)
                 .scalar_subquery())
    return list(db.session.scalars(
        sa.select(ChemistryCall)
        .where(ChemistryCall.state == CallState.ACCEPTED, ChemistryCall.scheduled_at <= now,
               reminders < 2)
        .order_by(ChemistryCall.id)))


def follow_ups_sent(call_id: int) -> dict[tuple[str, int], dt.datetime]:
    """(party, number) -> when, for each "How did your call go?" email sent about a call."""
    return {(party, number): sent_at for party, number, sent_at in db.session.execute(
        sa.select(CallFollowUp.party, CallFollowUp.number, CallFollowUp.sent_at)
        .where(CallFollowUp.call_id == call_id))}


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


def mentee_is_working_with_someone(user: User) -> bool:
    """Whether the mentee has a relationship being agreed or active, in any scheme."""
    return db.session.scalar(
        sa.select(sa.exists().where(
            Relationship.mentee_id == user.id,
            Relationship.state.in_([RelationshipState.AGREEING, RelationshipState.ACTIVE]))))


def mentor_places(
        profiles: list[MentorProfile]) -> list[tuple[MentorProfile, list[Relationship]]]:
    """Each of a mentor's ``profiles`` with its current mentees (relationships being agreed
    or active), oldest profile first."""
    profiles = sorted(profiles, key=lambda p: p.id)
    if not profiles:
        return []
    relationships = list(db.session.scalars(
        sa.select(Relationship)
        .where(Relationship.profile_id.in_([p.id for p in profiles]),
               Relationship.state.in_([RelationshipState.AGREEING, RelationshipState.ACTIVE]))
        .options(selectinload(Relationship.mentee))
        .order_by(Relationship.created_at)))
    return [(p, [r for r in relationships if r.profile_id == p.id]) for p in profiles]


# --- what the request rules need to know ---------------------------------------------------------

@dataclass(frozen=True)
class MenteeStanding:
    """What the request rules need to know about one mentee in one scheme."""

    #: profile id -> the open call with that mentor
    open_calls: dict[int, int]
    working_with: frozenset[int]
    approval: LineManagerApproval | None


def mentee_standing(mentee: User, scheme: Scheme) -> MenteeStanding:
    """Two or three queries, whatever the number of profiles being checked: the line
    manager's approval is looked up only in schemes that ask for it."""
    scheme_id = scheme.id
    open_calls = dict(db.session.execute(
        sa.select(ChemistryCall.profile_id, ChemistryCall.id)
        .where(ChemistryCall.mentee_id == mentee.id, ChemistryCall.scheme_id == scheme_id,
               ChemistryCall.state.in_(OPEN_STATES))).all())
    working_with = frozenset(db.session.scalars(
        sa.select(Relationship.profile_id)
        .where(Relationship.mentee_id == mentee.id, Relationship.scheme_id == scheme_id,
               Relationship.state.in_([RelationshipState.AGREEING, RelationshipState.ACTIVE]))))
    approval = (latest_approval(mentee.id, scheme_id) if scheme.needs_line_manager_approval
                else None)
    return MenteeStanding(open_calls, working_with, approval)


def get_profile(profile_id: int) -> MentorProfile | None:
    return db.session.get(MentorProfile, profile_id)


# --- line managers' approvals --------------------------------------------------------------------

def get_approval(approval_id: int) -> LineManagerApproval | None:
    return db.session.get(LineManagerApproval, approval_id)


def latest_approval(mentee_id: int, scheme_id: int) -> LineManagerApproval | None:
    """The mentee's most recent request to their line manager in a scheme (a replaced one
    never counts)."""
    return db.session.scalars(
        sa.select(LineManagerApproval)
        .where(LineManagerApproval.mentee_id == mentee_id,
               LineManagerApproval.scheme_id == scheme_id,
               LineManagerApproval.state != ApprovalState.REPLACED)
        .order_by(LineManagerApproval.requested_at.desc(), LineManagerApproval.id.desc())
        .limit(1)).first()


# --- locks ---------------------------------------------------------------------------------------

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


def lock_mentee(mentee_id: int) -> User:
    """The mentee's user row, locked.

    One mentee's requests and asks of their line manager run one at a time, so two quick
    requests cannot pass the scheme's limit together, and two asks cannot leave two pending
    approvals.
    """
    return lock(db.session(), sa.select(User).where(User.id == mentee_id))


def lock_approval(approval_id: int) -> LineManagerApproval:
    """The approval row, locked and read fresh: a manager who answers twice at once (a double
    click, two tabs) is answered once."""
    return lock(db.session(), sa.select(LineManagerApproval)
                .where(LineManagerApproval.id == approval_id)
                .options(lazyload("*")).execution_options(populate_existing=True))
