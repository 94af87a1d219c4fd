"""After the call: each says "let's work together" or "not for us". Two yeses start the
relationship (its agreement comes next); one "not for us" ends it kindly and frees the place."""

from __future__ import annotations

from portal import audit, mail
from portal.accounts.models import User
from portal.calls import queries
from portal.calls.links import find_mentors_url
from portal.calls.models import CallState, ChemistryCall, Decision
from portal.calls.places import give_place_back
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.relationships.models import Relationship, RelationshipState
from portal.templating import format_datetime


def may_decide(call: ChemistryCall, party: str | None) -> bool:
    return (party is not None and call.state == CallState.ACCEPTED
            and call.scheduled_at is not None and call.scheduled_at <= utcnow()
            and call.decision_of(party) is None)


def decide(call_id: int, person: User, decision: Decision, *, reason: str = "",
           ip: str | None = None) -> ChemistryCall:
    """Record one party's decision; act when it settles the outcome."""
    call = queries.lock_call(call_id)
    party = call.party(person.id)
    if party is None:
        raise NotAllowed("Only the mentor and the mentee of this call can say how it went.")
    if call.state != CallState.ACCEPTED:
        raise DomainError(call.what_happened(party))
    now = utcnow()
    if call.scheduled_at > now:
        raise DomainError(f"You can say how it went once the call has started, on "
                          f"{format_datetime(call.scheduled_at)}.")
    if call.decision_of(party) is not None:
        raise DomainError(f"You have already said \u201c{call.decision_of(party).label}\u201d. "
                          "We will tell you when the other person has answered.")
    setattr(call, f"{party}_decision", decision)
    setattr(call, f"{party}_decided_at", now)
    setattr(call, f"{party}_reason", reason.strip())
    audit.record(db.session, "chemistry_call", call.id, f"{party}_said_{decision.value}",
                 actor_id=person.id, ip_address=ip)
    other = "mentee" if party == "mentor" else "mentor"
    if decision == Decision.NO:
        _not_taken_forward(call, now, person, other)
    elif call.decision_of(other) == Decision.YES:
        _matched(call, now)
    db.session.commit()
    return call


def _not_taken_forward(call: ChemistryCall, now, person: User, other: str) -> None:
    call.move_to(CallState.NOT_TAKEN_FORWARD)
    call.ended_at = now
    call.ended_by_id = person.id
    give_place_back(call.profile)
    recipient = call.mentee if other == "mentee" else call.mentor
    name = call.mentee.full_name if other == "mentee" else call.profile.display_name
    other_name = call.profile.display_name if other == "mentee" else call.mentee.full_name
    mail.queue(recipient.email, "call_not_taken_forward", scheme=call.scheme, call=call,
               name=name, role=other, other_name=other_name, find_url=find_mentors_url())


def _matched(call: ChemistryCall, now) -> None:
    call.move_to(CallState.MATCHED)
    call.ended_at = now
    # The mentee's place passes to the relationship; ending the relationship gives it back.
    relationship = Relationship(scheme_id=call.scheme_id, mentor_id=call.mentor_id,
                                mentee_id=call.mentee_id, profile_id=call.profile_id,
                                state=RelationshipState.AGREEING)
    db.session.add(relationship)
    db.session.flush()
    call.relationship_id = relationship.id
    audit.record(db.session, "relationship", relationship.id, "created",
                 chemistry_call_id=call.id)
    for person, name, role, other_name in (
            (call.mentee, call.mentee.full_name, "mentee", call.profile.display_name),
            (call.mentor, call.profile.display_name, "mentor", call.mentee.full_name)):
        mail.queue(person.email, "call_matched", scheme=call.scheme, call=call, name=name,
                   role=role, other_name=other_name)
