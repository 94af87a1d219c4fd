"""The action plan: actions recorded against the agreement's goals, and marked done.

Who records actions, and marks them done or not done, follows the scheme's pack
(``running_setting("actions_by")``: the mentee, the mentor, or "both" for either); the other
person sees them, read-only. Nobody is emailed for each action (it would be too many emails):
both see the plan on the relationship's page.
"""

from __future__ import annotations

import datetime as dt

from portal import audit
from portal.accounts.models import User
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.relationships import queries, sessions
from portal.relationships.models import ActionItem, ActionOwner, Relationship, SessionState

WHAT_MAX = 1000

_WHO = {"mentee": "the mentee", "mentor": "the mentor", "both": "either of you"}


def recorder(relationship: Relationship) -> str:
    """Who records the action plan in this relationship's scheme: mentee, mentor or both."""
    setting = relationship.scheme.running_setting("actions_by")
    return setting if setting in _WHO else "mentee"


def who_records_text(relationship: Relationship) -> str:
    """"the mentee", "the mentor" or "either of you"."""
    return _WHO[recorder(relationship)]


def may_record(relationship: Relationship, party: str | None) -> bool:
    """The one rule for who may record actions and mark them done."""
    return party is not None and recorder(relationship) in ("both", party)


def _refuse_unless_recorder(relationship: Relationship, party: str) -> None:
    if not may_record(relationship, party):
        raise NotAllowed(f"In your scheme {_WHO[recorder(relationship)]} records the action "
                         "plan. You can see it on your mentoring page.",
                         title="You cannot change the action plan")


def check_may_record(relationship: Relationship, party: str):
    """Refuse, before a form is shown, someone who may not add to the action plan now.
    Returns the agreement (its goals)."""
    agreement = queries.agreement_of(relationship)
    if not relationship.may_sessions_start:
        raise sessions.not_started_refusal(relationship, agreement)
    _refuse_unless_recorder(relationship, party)
    return agreement


def record(relationship_id: int, person: User, *, what: str, owner: ActionOwner,
           due_on: dt.date | None, goal: str, session_id: int | None,
           ip: str | None = None) -> ActionItem:
    """Record one action: what, who, by when (optional), the goal it serves ("" for none of
    them) and the session it came out of (optional)."""
    relationship = queries.lock(relationship_id)
    party = relationship.party(person.id)
    if party is None:
        raise queries.RelationshipNotFound()
    agreement = check_may_record(relationship, party)
    what = what.strip()
    if not what or len(what) > WHAT_MAX:
        raise DomainError("Say what the action is, in under 1,000 characters.")
    if goal and goal not in (agreement.goals if agreement is not None else []):
        raise DomainError("Choose one of the goals in your agreement, or other.")
    if session_id is not None:
        session = queries.fresh_session(relationship, session_id)
        if session.state == SessionState.CANCELLED:
            raise DomainError("That session was cancelled: choose another, or none.")
    action = ActionItem(relationship_id=relationship.id, session_id=session_id, goal=goal,
                        what=what, owner=owner, due_on=due_on, created_by_id=person.id,
                        created_at=utcnow())
    db.session.add(action)
    db.session.flush()
    # What the action says stays between the pair: the trail records only that there is one.
    audit.record(db.session, "relationship", relationship.id, "action_recorded",
                 actor_id=person.id, ip_address=ip, action_id=action.id, session_id=session_id)
    db.session.commit()
    return action


def set_done(action_id: int, person: User, *, done: bool, ip: str | None = None) -> ActionItem:
    """Mark an action done, or not done after all. Asking for what is already so changes
    nothing."""
    action = db.session.get(ActionItem, action_id)
    if action is None:
        raise queries.SessionNotFound()
    relationship = queries.lock(action.relationship_id)
    action = queries.fresh_action(relationship, action_id)
    party = relationship.party(person.id)
    if party is None:
        raise queries.SessionNotFound()
    _refuse_unless_recorder(relationship, party)
    if (action.done_at is not None) == done:
        db.session.rollback()
        return action
    action.done_at = utcnow() if done else None
    action.done_by_id = person.id if done else None
    audit.record(db.session, "relationship", relationship.id,
                 "action_done" if done else "action_undone", actor_id=person.id,
                 ip_address=ip, action_id=action.id)
    db.session.commit()
    return action
