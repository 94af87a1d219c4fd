"""Leavers: an administrator deactivates a person's mentor and mentee roles in one scheme, and
can reactivate them; and a person leaves a scheme themselves (``leave``: the same closing of
what is open, and their mentor and mentee roles there go).

What deactivated means: the person keeps their account, and their roles in other schemes, but
no longer holds the scheme's mentor or mentee role (``Membership.deactivated_at``; every check
of a role skips it), so that scheme's mentor and mentee pages are closed to them. Their mentor
profile is hidden from search and shortlists; chemistry call requests waiting for an answer
close, and the other person is told without blame; mentoring relationships still running end
by the administrator's ending, its category "leaving". Nothing they signed is touched:
agreements, their PDFs and the audit trail stay, and still verify. An administrator's role is
not deactivated here (the Administrators page removes it).

Reactivating gives the roles back and the profile its state before (published again if it
was); nothing that was closed or ended reopens.

Both lock the scheme's row first, so two administrators acting at once take turns and the
second is told what the first did; then every mentor profile involved (the lock that guards
places, as for every call and ending), then each relationship and call, before changing
anything. Both are audited on the scheme.
"""

from __future__ import annotations

import sqlalchemy as sa

from portal import audit, mail
from portal.accounts.models import Membership, Role, User
from portal.admin.queries import open_work
from portal.calls.links import find_mentors_url
from portal.calls.models import CallState, ChemistryCall
from portal.calls.queries import lock_call, lock_profile
from portal.db import lock, utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.mentors.models import ProfileState
from portal.relationships import ending
from portal.relationships import queries as relationship_queries
from portal.relationships.models import Relationship, RelationshipState
from portal.schemes.models import Scheme
from portal.templating import format_date

#: The roles a leaver gives up.
ROLES = (Role.MENTOR, Role.MENTEE)


def _lock(scheme_id: int, actor: User, user_id: int, *,
          by_self: bool = False) -> tuple[Scheme, User, list[Membership]]:
    scheme = lock(db.session, sa.select(Scheme).where(Scheme.id == scheme_id))
    if scheme is None:
        raise DomainError("This scheme no longer exists.", status=404)
    if not by_self and not actor.has_role(Role.ADMIN, scheme.id):
        raise NotAllowed(f"Only an administrator of {scheme.name} can do this.")
    person = db.session.get(User, user_id)
    memberships = list(db.session.scalars(sa.select(Membership).where(
        Membership.user_id == user_id, Membership.scheme_id == scheme.id,
        Membership.role.in_(ROLES))))
    if person is None or not memberships:
        raise DomainError("This person is not a mentor or mentee in the scheme.", status=404)
    return scheme, person, memberships


def deactivate(scheme_id: int, user_id: int, actor: User, *, reason: str = "",
               ip_address: str | None = None) -> User:
    """Deactivate a person's mentor and mentee roles in the scheme (see the module's rules)."""
    scheme, person, memberships = _lock(scheme_id, actor, user_id)
    if person.id == actor.id:
        raise DomainError("You cannot deactivate yourself.", status=400)
    if all(not m.active for m in memberships):
        raise DomainError(f"{person.full_name} was deactivated on "
                          f"{format_date(memberships[0].deactivated_at)}. Nothing has changed.",
                          title="Already deactivated")
    reason = " ".join((reason or "").split())
    now = utcnow()
    profile_was, closed, ended = _close_open_work(
        scheme, person, actor, ip_address, reason=reason or f"{person.full_name} left the scheme.")
    for membership in memberships:
        membership.deactivated_at = now
        membership.deactivation_reason = reason or None
        if membership.role == Role.MENTOR:
            membership.profile_was = profile_was
    audit.record(db.session, "scheme", scheme.id, "member_deactivated", actor_id=actor.id,
                 ip_address=ip_address, user_id=person.id, email=person.email,
                 roles=[m.role.value for m in memberships], reason=reason or None,
                 requests_closed=closed, relationships_ended=ended)
    db.session.commit()
    return person


def leave(scheme_id: int, person: User, *, ip_address: str | None = None) -> Scheme:
    """A person leaves a scheme themselves: what is open there closes as for a leaver, their
    mentor profile there is hidden, and their mentor and mentee roles there go (an
    administrator's role stays). They may join again later, as anyone may."""
    scheme, person, memberships = _lock(scheme_id, person, person.id, by_self=True)
    if any(not m.active for m in memberships):
        raise DomainError(f"An administrator of {scheme.name} has deactivated your part in it. "
                          "Ask them if you want to leave or come back.", title="Deactivated")
    _, closed, ended = _close_open_work(scheme, person, person, ip_address,
                                        reason=f"{person.full_name} left the scheme.")
    roles = [m.role.value for m in memberships]
    for membership in memberships:
        db.session.delete(membership)
    audit.record(db.session, "scheme", scheme.id, "member_left", actor_id=person.id,
                 ip_address=ip_address, user_id=person.id, roles=roles,
                 requests_closed=closed, relationships_ended=ended)
    db.session.commit()
    return scheme


def _close_open_work(scheme: Scheme, person: User, actor: User, ip_address: str | None, *,
                     reason: str) -> tuple[str | None, int, int]:
    """Lock every mentor profile involved (in id order), then the waiting requests and the
    relationships; hide the person's profile, close the requests and end the relationships,
    telling the other people. Returns (the profile's state before, requests closed,
    relationships ended)."""
    profile_ids, call_ids, relationship_ids = open_work(scheme.id, person.id)
    # Every lock before any change: the profiles of every mentor involved, in id order.
    mentor_profiles = set(profile_ids) | set(db.session.scalars(
        sa.select(Relationship.profile_id).where(Relationship.id.in_(relationship_ids)))) | set(
        db.session.scalars(sa.select(ChemistryCall.profile_id)
                           .where(ChemistryCall.id.in_(call_ids))))
    locked = {profile_id: lock_profile(profile_id) for profile_id in sorted(mentor_profiles)}
    calls = [lock_call(call_id) for call_id in call_ids]
    relationships = [relationship_queries.lock(rid) for rid in relationship_ids]
    profile_was = None
    for profile_id in profile_ids:
        profile = locked[profile_id]
        profile_was = ProfileState(profile.state).value
        if profile.state == ProfileState.PUBLISHED:
            profile.move_to(ProfileState.HIDDEN)
            audit.record(db.session, "mentor_profile", profile.id, "hidden", actor_id=actor.id,
                         ip_address=ip_address, by="deactivation" if actor.id != person.id
                         else "leaving")
    closed = sum(close_request(call, person, actor, ip_address) for call in calls
                 if call.state == CallState.REQUESTED)
    ended = 0
    for relationship in relationships:
        if relationship.state != RelationshipState.ENDED:
            ending.end_for_leaver(relationship, actor, ip=ip_address, reason=reason)
            ended += 1
    return profile_was, closed, ended


def close_request(call: ChemistryCall, leaver: User, actor: User, ip: str | None) -> int:
    """A request waiting for an answer closes because one of its two people left; the other
    is told, without blame."""
    mentor_left = call.mentor_id == leaver.id
    by_self = actor.id == leaver.id
    call.move_to(CallState.DECLINED if mentor_left else CallState.WITHDRAWN)
    call.ended_at = utcnow()
    call.ended_by_id = actor.id
    if mentor_left:
        call.answered_at = call.ended_at
        call.decline_note = ("Closed: the mentor left the scheme." if by_self
                             else "Closed by the scheme: the mentor was deactivated.")
    audit.record(db.session, "chemistry_call", call.id, "closed", actor_id=actor.id,
                 ip_address=ip, because="left" if by_self else "deactivated",
                 party="mentor" if mentor_left else "mentee")
    other, name = ((call.mentee, call.mentee.full_name) if mentor_left
                   else (call.mentor, call.profile.display_name))
    mail.queue(other.email, "call_closed", scheme=call.scheme, call=call, name=name,
               mentor_left=mentor_left, other_name=(call.profile.display_name if mentor_left
                                                    else call.mentee.full_name),
               find_url=find_mentors_url())
    return 1


def reactivate(scheme_id: int, user_id: int, actor: User, *,
               ip_address: str | None = None) -> User:
    """Give a deactivated person their roles in the scheme back, and their profile its state
    before. Nothing closed or ended reopens."""
    scheme, person, memberships = _lock(scheme_id, actor, user_id)
    if all(m.active for m in memberships):
        raise DomainError(f"{person.full_name} is not deactivated. Nothing has changed.",
                          title="Not deactivated")
    profile_ids, _, _ = open_work(scheme.id, person.id)
    profiles = [lock_profile(profile_id) for profile_id in profile_ids]
    was = next((m.profile_was for m in memberships if m.role == Role.MENTOR), None)
    for profile in profiles:
        if was == ProfileState.PUBLISHED.value and profile.state == ProfileState.HIDDEN:
            profile.move_to(ProfileState.PUBLISHED)
            audit.record(db.session, "mentor_profile", profile.id, "published",
                         actor_id=actor.id, ip_address=ip_address, by="reactivation")
    for membership in memberships:
        membership.deactivated_at = None
        membership.deactivation_reason = None
        membership.profile_was = None
    audit.record(db.session, "scheme", scheme.id, "member_reactivated", actor_id=actor.id,
                 ip_address=ip_address, user_id=person.id, email=person.email,
                 roles=[m.role.value for m in memberships])
    db.session.commit()
    return person
