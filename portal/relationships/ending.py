"""Ending a mentoring relationship, without blame: by either person at any stage after "let's
work together", by one of the scheme's administrators, or on its own when the agreed duration
runs out ("completed", after a reminder to both a week before).

Ending takes the lock that guards the mentor's places (the profile row, as every call
transition does) before anything else, so the place comes back exactly once when both end at
the same moment, and an ending racing an acceptance of the mentor's last place is seen by it.
Then, in the same transaction: the relationship ends, the place is given back, sessions still to
come are cancelled (each person gets the calendar's CANCEL), an agreement not yet submitted is
withdrawn (its links then say so), and both people are told in the same words, with no reason.
The reason and its category go to the scheme's administrators only.
"""

from __future__ import annotations

import datetime as dt

from portal import audit, mail
from portal.accounts.models import Role, User
from portal.agreements import queries as agreement_queries
from portal.agreements.models import EDITABLE, AgreementState
from portal.calls.links import find_mentors_url
from portal.calls.places import give_place_back
from portal.calls.queries import lock_profile
from portal.db import commit_first, utcnow
from portal.errors import DomainError
from portal.evaluations.opening import open_at_end
from portal.extensions import db
from portal.relationships import progress, queries, sessions
from portal.relationships.models import (
    EndCategory,
    EndKind,
    Relationship,
    RelationshipReminder,
    RelationshipState,
)
from portal.templating import format_date

#: The reminder before the agreed duration runs out.
COMPLETION_NOTICE = dt.timedelta(days=7)


def _lock(relationship_id: int) -> Relationship:
    """The mentor's profile lock first (it guards the places), then the relationship."""
    relationship = queries.get(relationship_id)
    if relationship is None:
        raise queries.RelationshipNotFound()
    profile_id = relationship.profile_id
    db.session.rollback()  # end the read: the lock starts the writing transaction
    lock_profile(profile_id)
    return queries.lock(relationship_id)


def may_see_ending(relationship: Relationship, person: User) -> bool:
    """Whether ``person`` may end it (or see that it ended): either of the pair, or an
    administrator of the scheme."""
    return (relationship.party(person.id) is not None
            or person.has_role(Role.ADMIN, relationship.scheme_id))


def other_name(relationship: Relationship, party: str | None) -> str:
    """The name of the other person, for one of the pair; for an administrator, both."""
    if party is None:
        return f"{_name(relationship, 'mentor')} and {_name(relationship, 'mentee')}"
    return _name(relationship, "mentor" if party == "mentee" else "mentee")


def end(relationship_id: int, person: User, *, category: EndCategory | None, reason: str = "",
        ip: str | None = None) -> Relationship:
    """Either of the pair, or an administrator of the scheme, ends the relationship early.

    An administrator must give a reason (the pair are told the scheme ended it); for the pair
    the reason is optional. Ending twice is refused with when it ended."""
    relationship = _lock(relationship_id)
    party = relationship.party(person.id)
    is_admin = party is None and person.has_role(Role.ADMIN, relationship.scheme_id)
    if party is None and not is_admin:
        raise queries.RelationshipNotFound()
    if relationship.state == RelationshipState.ENDED:
        raise DomainError(f"This mentoring relationship ended on "
                          f"{format_date(relationship.ended_at)}. Nothing has changed.")
    reason = (reason or "").strip()
    if is_admin and (category is None or not reason):
        raise DomainError("Choose why the scheme is ending this mentoring relationship and "
                          "give the reason: the pair are not shown it, but it is kept for the "
                          "scheme's records.", status=400)
    cancelled = _finish(relationship, EndKind.ENDED_EARLY, person, category=category,
                        reason=reason, ip=ip)
    who = "administrator" if is_admin else party
    for recipient, role, other in _people(relationship):
        mail.queue(recipient.email, "relationship_ended", scheme=relationship.scheme,
                   relationship=relationship, name=_name(relationship, role), role=role,
                   other_name=_name(relationship, other), ended_by=who,
                   ended_by_me=recipient.id == person.id, find_url=find_mentors_url(),
                   cancelled=cancelled)
    if not is_admin:
        mail.queue(relationship.scheme.admin_email, "relationship_ended_admin",
                   scheme=relationship.scheme, relationship=relationship, ended_by=who,
                   category=category, reason=reason)
    db.session.commit()
    return relationship


def end_for_leaver(relationship: Relationship, administrator: User, *, reason: str,
                   ip: str | None = None) -> None:
    """An administrator's ending because one of the pair has left the scheme, inside the
    caller's transaction and locks (the mentor's profile, then the relationship, taken by
    ``portal.admin.leavers`` or ``portal.personal_data.erasure``). The pair are told the
    scheme ended it, in the same words as any administrator's ending, or, when the person
    leaving deletes their own account, that they ended it; the category is "leaving"."""
    party = relationship.party(administrator.id)
    cancelled = _finish(relationship, EndKind.ENDED_EARLY, administrator,
                        category=EndCategory.LEAVING, reason=reason, ip=ip)
    for recipient, role, other in _people(relationship):
        mail.queue(recipient.email, "relationship_ended", scheme=relationship.scheme,
                   relationship=relationship, name=_name(relationship, role), role=role,
                   other_name=_name(relationship, other), ended_by=party or "administrator",
                   ended_by_me=role == party, find_url=find_mentors_url(),
                   cancelled=cancelled)


def _finish(relationship: Relationship, kind: EndKind, person: User | None, *,
            category: EndCategory | None, reason: str, ip: str | None) -> int:
    """What every ending does, inside the caller's transaction and locks. Returns how many
    booked sessions were cancelled."""
    now = utcnow()
    relationship.move_to(RelationshipState.ENDED)
    relationship.ended_at = now
    relationship.ended_by_id = person.id if person is not None else None
    relationship.end_kind = kind
    relationship.end_category = category
    relationship.end_reason = reason or None
    give_place_back(relationship.profile)
    agreement = agreement_queries.for_relationship(relationship.id)
    if agreement is not None and agreement.state in EDITABLE:
        agreement.move_to(AgreementState.WITHDRAWN)
        audit.record(db.session, "agreement", agreement.id, "withdrawn",
                     actor_id=person.id if person is not None else None,
                     reason="relationship_ended")
    cancelled = sessions.cancel_for_ending(relationship, person, now)
    audit.record(db.session, "relationship", relationship.id, "ended",
                 actor_id=person.id if person is not None else None, ip_address=ip,
                 kind=kind.value, category=category.value if category else None)
    open_at_end(relationship)
    return cancelled


def _people(relationship: Relationship) -> list[tuple[User, str, str]]:
    return [(relationship.mentee, "mentee", "mentor"), (relationship.mentor, "mentor", "mentee")]


def _name(relationship: Relationship, role: str) -> str:
    if role == "mentor":
        return relationship.profile.display_name
    return relationship.mentee.full_name


# --- completion: the agreed duration runs out ---------------------------------------------------

def agreed_end(relationship: Relationship) -> dt.date | None:
    """The day the agreed time runs out (progress.agreed_span); None before sessions may
    start."""
    if not relationship.may_sessions_start:
        return None
    span = progress.agreed_span(relationship,
                                agreement_queries.for_relationship(relationship.id))
    return span[1] if span is not None else None


def complete_due(now: dt.datetime | None = None) -> tuple[int, int]:
    """Remind both a week before the agreed end; end as completed once it has passed.
    Returns (reminded, completed). Safe to run twice at once: the reminder has its row with a
    unique key, and the ending takes the locks and checks the state again."""
    now = now or utcnow()
    today = now.date()
    reminded = completed = 0
    for relationship_id in [item.id for item in queries.running()]:
        relationship = queries.get(relationship_id)
        ends_on = agreed_end(relationship) if relationship is not None else None
        if ends_on is None:
            continue
        if today >= ends_on:
            completed += _complete(relationship_id, ends_on)
        elif today >= ends_on - COMPLETION_NOTICE:
            reminded += _remind(relationship_id, ends_on, now)
        db.session.rollback()  # end the read before the next relationship's lock
    return reminded, completed


def _remind(relationship_id: int, ends_on: dt.date, now: dt.datetime) -> int:
    relationship = queries.lock(relationship_id)
    key = ends_on.isoformat()
    if (relationship.state != RelationshipState.ACTIVE
            or queries.reminder_sent_at(relationship.id, "ending_soon", key) is not None):
        db.session.rollback()  # ended meanwhile, or another run reminded them a moment ago
        return 0
    db.session.add(RelationshipReminder(relationship_id=relationship.id, kind="ending_soon",
                                        key=key, sent_at=now))
    for recipient, role, other in _people(relationship):
        mail.queue(recipient.email, "relationship_ending_soon", scheme=relationship.scheme,
                   relationship=relationship, name=_name(relationship, role), role=role,
                   other_name=_name(relationship, other), ends_on=ends_on)
    return 1 if commit_first(db.session) else 0


def _complete(relationship_id: int, ends_on: dt.date) -> int:
    relationship = _lock(relationship_id)
    if relationship.state != RelationshipState.ACTIVE:
        db.session.rollback()  # ended meanwhile (by a person, or by another run)
        return 0
    _finish(relationship, EndKind.COMPLETED, None, category=None, reason="", ip=None)
    for recipient, role, other in _people(relationship):
        mail.queue(recipient.email, "relationship_completed", scheme=relationship.scheme,
                   relationship=relationship, name=_name(relationship, role), role=role,
                   other_name=_name(relationship, other), ends_on=ends_on)
    db.session.commit()
    return 1
