"""The links chemistry-call emails carry: the mentor's Accept/Decline link ("answer-call"), each
person's one-tap answers after the call ("call-outcome") and the line manager's approval link
("line-manager"), made and checked only here; and the link to find another mentor.

The token links are bound to an open state rather than used once: a link whose request has
moved on only tells whoever holds it what became of the request, naming nobody (the link may
have been forwarded).
"""

from __future__ import annotations

from portal import tokens
from portal.accounts.models import User
from portal.calls import queries
from portal.calls.addresses import manager_address_problem
from portal.calls.models import (
    ApprovalState,
    CallState,
    ChemistryCall,
    Decision,
    LineManagerApproval,
)
from portal.db import utcnow
from portal.errors import NotAllowed
from portal.mail import absolute_url
from portal.templating import format_date

# --- the mentor's Accept/Decline link ------------------------------------------------------------


def make_answer_call_link(call: ChemistryCall) -> str:
    """The token of the mentor's Accept/Decline link, bound to this call, its mentor and its
    open state."""
    return tokens.make("answer-call", c=call.id, u=call.mentor_id, s="requested")


def check_answer_call_link(token: str, viewer: User | None = None) -> ChemistryCall:
    """The call a mentor's emailed Accept/Decline link is for.

    The link works without signing in; someone signed in as another person is refused, so a
    forwarded link is not used by mistake.
    """
    payload = tokens.load("answer-call", token, what="link")
    call = queries.get_call(payload["c"])
    if call is None or call.mentor_id != payload.get("u"):
        raise tokens.LinkError("This link is not valid.", next_step="invalid", status=400)
    if viewer is not None and viewer.id != call.mentor_id:
        raise NotAllowed(f"This link was sent to the mentor, {call.profile.display_name}. You "
                         f"are signed in as {viewer.full_name}.",
                         title="This link is for someone else")
    return call


def answer_call_link_is_live(call: ChemistryCall) -> bool:
    """Answer links are bound to the open request: once it has moved on they only inform."""
    return call.awaits_answer


def spent_answer_call_link(call: ChemistryCall) -> tokens.LinkError:
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


# --- each person's one-tap answers after the call ----------------------------------------------

def make_call_outcome_link(call: ChemistryCall, person: User) -> str:
    """The token of one person's "How did your call go?" answers, bound to this call and this
    person (ids only). It works while the call waits for their answer: the call accepted, its
    time come, nobody having said "we did not meet", and this person not yet answered."""
    return tokens.make("call-outcome", c=call.id, u=person.id)


def check_call_outcome_link(token: str, viewer: User | None = None) -> tuple[ChemistryCall, User]:
    """The call and the person an emailed answer link is for.

    The link works without signing in; someone signed in as another person is refused, so a
    forwarded link is not used by mistake.
    """
    payload = tokens.load("call-outcome", token, what="link")
    call = queries.get_call(payload["c"])
    party = call.party(payload.get("u")) if call is not None else None
    if party is None:
        raise tokens.LinkError("This link is not valid.", next_step="invalid", status=400)
    person = call.mentor if party == "mentor" else call.mentee
    if viewer is not None and viewer.id != person.id:
        raise NotAllowed(f"This link was sent to {call.name_of(party)}. You are signed in as "
                         f"{viewer.full_name}.", title="This link is for someone else")
    return call, person


def call_outcome_link_is_live(call: ChemistryCall, party: str) -> bool:
    """Answer links are bound to the open question: once this person has answered, or the
    call has moved on, they only inform."""
    return (call.state == CallState.ACCEPTED and call.scheduled_at is not None
            and call.scheduled_at <= utcnow() and not call.did_not_happen
            and call.decision_of(party) is None)


def spent_call_outcome_link(call: ChemistryCall, party: str) -> tokens.LinkError:
    """What became of the question, for an answer link that can no longer act. No names or
    details: whoever holds the link now may not be the person it was sent to."""
    own = call.decision_of(party)
    own_at = getattr(call, f"{party}_decided_at")
    if call.state == CallState.ACCEPTED and call.did_not_happen:
        when = format_date(call.mentor_decided_at if call.mentor_decision == Decision.DID_NOT_MEET
                           else call.mentee_decided_at)
        return tokens.LinkError(f"This link no longer works: on {when} we heard that the call "
                                "did not take place. A new time can be proposed from the call's "
                                "page.", next_step="used")
    if call.state == CallState.ACCEPTED and own is not None:
        return tokens.LinkError(f"This link has already been used: the answer "
                                f"\u201c{own.label}\u201d was given on {format_date(own_at)}.",
                                next_step="used")
    if call.state == CallState.ACCEPTED:
        return tokens.LinkError("This link cannot be used yet: the call has moved to a later "
                                "time. We will email a new link after it.", next_step="used")
    if call.state == CallState.MATCHED:
        return tokens.LinkError("This link has already been used: both people said they would "
                                "like to work together.", next_step="used")
    if call.state == CallState.NOT_TAKEN_FORWARD:
        if own == Decision.NO:
            return tokens.LinkError(f"This link has already been used: the answer \u201cNot "
                                    f"for us\u201d was given on {format_date(own_at)}.",
                                    next_step="used")
        return tokens.LinkError(f"This link no longer works: on {format_date(call.ended_at)} "
                                "the call was closed without going further.", next_step="used")
    return tokens.LinkError(f"This link no longer works: the call was called off on "
                            f"{format_date(call.ended_at)}.", next_step="used")


# --- the line manager's approval link ------------------------------------------------------------

def make_line_manager_link(approval: LineManagerApproval) -> str:
    """The token of the manager's approval link, bound to this request while it is pending."""
    return tokens.make("line-manager", a=approval.id, s="pending")


def check_line_manager_link(token: str, viewer: User | None = None) -> LineManagerApproval:
    """The approval an emailed link is for. The mentee cannot use their manager's link."""
    payload = tokens.load("line-manager", token, what="approval link")
    approval = queries.get_approval(payload["a"])
    if approval is None:
        raise tokens.LinkError("This approval link is not valid.", next_step="invalid", status=400)
    if viewer is not None and viewer.id == approval.mentee_id:
        raise NotAllowed("This link is for your line manager. Only they can approve your "
                         "taking part.", title="This link is for your line manager")
    # Requests sent before an address rule existed, or before the scheme named its
    # organisations: the link must not approve what asking today would refuse.
    if approval.state == ApprovalState.PENDING and manager_address_problem(
            approval.mentee, approval.scheme, approval.manager_email) is not None:
        raise NotAllowed(f"This request cannot be approved from this address. Ask "
                         f"{approval.mentee.full_name} to send a new request to their line "
                         "manager's work email address.", title="This request cannot be answered")
    return approval


def spent_line_manager_link(approval: LineManagerApproval) -> tokens.LinkError:
    """What became of the request, naming nobody: the link may have been forwarded."""
    when = format_date(approval.decided_at or approval.requested_at)
    if approval.state == ApprovalState.APPROVED:
        return tokens.LinkError(f"This link has already been used: the request was approved on "
                                f"{when}.", next_step="used")
    if approval.state == ApprovalState.DECLINED:
        return tokens.LinkError(f"This link has already been used: the request was not "
                                f"approved, on {when}.", next_step="used")
    return tokens.LinkError("This link no longer works: a newer request was sent. Use the link "
                            "in the most recent email.", next_step="used")


# --- elsewhere in the portal ---------------------------------------------------------------------

def find_mentors_url() -> str:
    """An absolute link to the mentor search, for emails."""
    return absolute_url("mentors.search")
