"""After each session: "How was your session?" to both, and, where the scheme's pack asks for
an action plan after each session and none was recorded 3 days later, one reminder.

Run by `flask relationships remind` (e.g. hourly). Each email is a RelationshipReminder row with
a unique (relationship, kind, key = the session's id), written in the same transaction under
the relationship's lock: a second run, or two at once, never sends the same one twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from portal import audit, mail
from portal.db import commit_first, utcnow
from portal.extensions import db
from portal.mail import absolute_url
from portal.relationships import actions, links, queries
from portal.relationships.models import (
    MentoringSession,
    Relationship,
    RelationshipReminder,
    RelationshipState,
    SessionState,
)
from portal.templating import LONDON

FOLLOW_UP = "session_follow_up"
ACTION_PLAN = "action_plan"
#: How long after a session (or after it was logged, if later) an action plan is waited for.
PLAN_AFTER = dt.timedelta(days=3)


@dataclass
class Sweep:
    followed_up: int = 0
    plan_reminders: int = 0


def send_due(now: dt.datetime | None = None) -> Sweep:
    """Send every follow-up and action-plan reminder that is due."""
    now = now or utcnow()
    sweep = Sweep()
    due_follow_ups = queries.booked_sessions_started(now, FOLLOW_UP)
    # Only sessions whose scheme asks for a plan and whose time has come are locked below.
    due_plans = [session.id for session in queries.held_sessions_without_plan(ACTION_PLAN)
                 if session.relationship.scheme.running_setting("action_plan_each_session")
                 and now >= _plan_due_at(session)]
    db.session.rollback()  # ends the read, so each session below starts its own transaction
    for session_id in due_follow_ups:
        sweep.followed_up += _follow_up(session_id, now)
    for session_id in due_plans:
        sweep.plan_reminders += _plan_reminder(session_id, now)
    return sweep


def _locked(session_id: int) -> tuple[Relationship, MentoringSession] | None:
    session = queries.get_session(session_id)
    if session is None:
        return None
    relationship = queries.lock(session.relationship_id)
    return relationship, queries.fresh_session(relationship, session_id)


def _claim(relationship: Relationship, kind: str, session: MentoringSession,
           now: dt.datetime) -> bool:
    """Write the reminder's row; False (and nothing written) if another run sent it."""
    exists = db.session.scalar(sa.select(RelationshipReminder.id).where(
        RelationshipReminder.relationship_id == relationship.id,
        RelationshipReminder.kind == kind, RelationshipReminder.key == str(session.id)))
    if exists is not None:
        return False
    db.session.add(RelationshipReminder(relationship_id=relationship.id, kind=kind,
                                        key=str(session.id), sent_at=now))
    return True


def _commit() -> int:
    return 1 if commit_first(db.session) else 0


def _follow_up(session_id: int, now: dt.datetime) -> int:
    found = _locked(session_id)
    if found is None:
        db.session.rollback()
        return 0
    relationship, session = found
    if (relationship.state != RelationshipState.ACTIVE or session.state != SessionState.BOOKED
            or session.ends_at > now or not _claim(relationship, FOLLOW_UP, session, now)):
        db.session.rollback()
        return 0
    plan_each = bool(relationship.scheme.running_setting("action_plan_each_session"))
    for party in ("mentor", "mentee"):
        person = relationship.mentor if party == "mentor" else relationship.mentee
        mail.queue(person.email, "session_follow_up", scheme=relationship.scheme,
                   session=session, relationship=relationship, name=person.full_name,
                   other_name=(relationship.mentee if party == "mentor"
                               else relationship.mentor).full_name,
                   token=links.make_log_session_link(session, person),
                   plan_url=_plan_url(relationship, session), plan_each_session=plan_each,
                   you_record=actions.may_record(relationship, party),
                   who_records=actions.who_records_text(relationship))
    audit.record(db.session, "relationship", relationship.id, "session_followed_up",
                 session_id=session.id)
    return _commit()


def _plan_url(relationship: Relationship, session: MentoringSession) -> str:
    return absolute_url("relationships.new_action", relationship_id=relationship.id,
                        session=session.id)


def _plan_due_at(session: MentoringSession) -> dt.datetime:
    """3 days after the session ended, or after it was logged if that was later."""
    if session.starts_at is not None:
        ended = session.ends_at
    else:
        ended = dt.datetime.combine(session.held_on, dt.time(23, 59), tzinfo=LONDON)
    return max(ended, session.logged_at or ended) + PLAN_AFTER


def _plan_reminder(session_id: int, now: dt.datetime) -> int:
    found = _locked(session_id)
    if found is None:
        db.session.rollback()
        return 0
    relationship, session = found
    if (relationship.state != RelationshipState.ACTIVE or session.state != SessionState.HELD
            or not relationship.scheme.running_setting("action_plan_each_session")
            or now < _plan_due_at(session) or queries.actions_for_session(session.id)
            or not _claim(relationship, ACTION_PLAN, session, now)):
        db.session.rollback()
        return 0
    for party in ("mentor", "mentee"):
        if not actions.may_record(relationship, party):
            continue
        person = relationship.mentor if party == "mentor" else relationship.mentee
        mail.queue(person.email, "session_action_plan", scheme=relationship.scheme,
                   session=session, relationship=relationship, name=person.full_name,
                   other_name=(relationship.mentee if party == "mentor"
                               else relationship.mentor).full_name,
                   plan_url=_plan_url(relationship, session))
    audit.record(db.session, "relationship", relationship.id, "action_plan_reminded",
                 session_id=session.id)
    return _commit()
