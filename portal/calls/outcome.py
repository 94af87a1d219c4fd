"""After the call: each says "let's work together", "not for us" or "we did not meet".

Two yeses start the relationship (its agreement comes next, and its opening email is the one
email each person gets about what happens next); one "not for us" ends it kindly and frees the
place; one "we did not meet" means the call did not happen, whatever the other said, and either
may then propose a new time (`lifecycle.reschedule`), which clears the answers. An answer cannot
be changed. The other person is told of each answer.
"""

from __future__ import annotations

from portal import audit, mail
from portal.accounts.models import User
from portal.calls import follow_up, queries
from portal.calls.links import find_mentors_url, make_call_outcome_link
from portal.calls.models import CallState, ChemistryCall, Decision
from portal.calls.places import give_place_back
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.mail import absolute_url
from portal.relationships.models import Relationship, RelationshipState
from portal.templating import format_datetime


def refusal(call: ChemistryCall, party: str) -> DomainError | None:
    """Why ``party`` cannot say how the call went now, or None if they can."""
    if call.state != CallState.ACCEPTED:
        return DomainError(call.what_happened(party))
    if call.scheduled_at is None or call.scheduled_at > utcnow():
        return DomainError(f"You can say how it went once the call has started, on "
                           f"{format_datetime(call.scheduled_at)}.")
    if call.did_not_happen:
        return DomainError("The call did not take place, so there is nothing to answer yet. "
                           "Either of you can propose a new time; you can both say how it went "
                           "after that call.", title="The call did not take place")
    if call.decision_of(party) is not None:
        return DomainError(f"You have already said \u201c{call.decision_of(party).label}\u201d, "
                           "and an answer cannot be changed. We will tell you when the other "
                           "person has answered.", title="You have already answered")
    return None


def may_decide(call: ChemistryCall, party: str | None) -> bool:
    return party is not None and refusal(call, party) is None


def decide(call_id: int, person: User, decision: Decision, *, reason: str = "",
           via: str = "portal", ip: str | None = None) -> ChemistryCall:
    """Record one party's answer (signed in, or from their emailed link: ``via``); act when it
    settles the outcome, and tell the other person."""
    call = queries.lock_call(call_id)
    party = call.party(person.id)
    if party is None:
        raise NotAllowed("Only the mentor and the mentee of this call can say how it went.")
    refused = refusal(call, party)
    if refused is not None:
        raise refused
    now = utcnow()
    setattr(call, f"{party}_decision", decision)
    setattr(call, f"{party}_decided_at", now)
    setattr(call, f"{party}_reason", reason.strip())
    audit.record(db.session, "chemistry_call", call.id, f"{party}_said_{decision.value}",
                 actor_id=person.id, ip_address=ip, via=via)
    other = "mentee" if party == "mentor" else "mentor"
    if decision == Decision.NO:
        _not_taken_forward(call, now, person, other)
    elif decision == Decision.DID_NOT_MEET:
        _did_not_meet(call, party, other)
    elif call.decision_of(other) == Decision.YES:
        _matched(call, now)
    else:
        _ask_the_other(call, party, other, now)
    db.session.commit()
    return call


def _not_taken_forward(call: ChemistryCall, now, person: User, other: str) -> None:
    call.move_to(CallState.NOT_TAKEN_FORWARD)
    call.ended_at = now
    call.ended_by_id = person.id
    give_place_back(call.profile)
    party = "mentor" if other == "mentee" else "mentee"
    mail.queue(call.person(other).email, "call_not_taken_forward", scheme=call.scheme, call=call,
               name=call.name_of(other), role=other, other_name=call.name_of(party),
               find_url=find_mentors_url())


def _did_not_meet(call: ChemistryCall, party: str, other: str) -> None:
    """The call did not happen: tell the other person, and offer them a new time (an answer
    they gave already is put aside with the call)."""
    mail.queue(call.person(other).email, "call_did_not_happen", scheme=call.scheme, call=call,
               name=call.name_of(other), other_name=call.name_of(party),
               other_said=call.decision_of(other),
               new_time_url=absolute_url("calls.reschedule", call_id=call.id))


def _ask_the_other(call: ChemistryCall, party: str, other: str, now) -> None:
    """One said "let's work together": tell the other and ask for their answer, with their own
    one-tap links. This counts as their first follow-up email, so the follow-up command sends
    them only the reminder."""
    if (other, follow_up.FIRST) not in queries.follow_ups_sent(call.id):
        follow_up.record(call, other, follow_up.FIRST, now)
    mail.queue(call.person(other).email, "call_answered", scheme=call.scheme, call=call,
               name=call.name_of(other), other_name=call.name_of(party),
               token=make_call_outcome_link(call, call.person(other)),
               ended=call.has_ended)


def _matched(call: ChemistryCall, now) -> None:
    call.move_to(CallState.MATCHED)
    call.ended_at = now
    # The mentee's place passes to the relationship; ending the relationship gives it back.
    # Creating it opens the agreement, whose email (agreement_opened) tells each person what
    # happens next: the one email they get about it.
    relationship = Relationship(scheme_id=call.scheme_id, mentor_id=call.mentor_id,
                                mentee_id=call.mentee_id, profile_id=call.profile_id,
                                state=RelationshipState.AGREEING)
    db.session.add(relationship)
    db.session.flush()
    call.relationship_id = relationship.id
    audit.record(db.session, "relationship", relationship.id, "created",
                 chemistry_call_id=call.id)
