"""Sessions: booking, changing, cancelling and logging them.

Sessions start only once the relationship may start (the signed agreement submitted:
``Relationship.may_sessions_start``). Who books, and so who moves a booked session, follows the
agreed terms (``arranges_meetings``: the mentee, the mentor or both). Either person may cancel
at any time before the session starts; with less notice than they agreed the cancellation is
allowed, but recorded as late and shown to both. Either person logs a session once its start
has passed ("we met", "we did not meet"), or logs one they never booked. Every booked session
has one calendar UID; a change sends an update (SEQUENCE up by one), a cancellation a CANCEL.
"""

from __future__ import annotations

import datetime as dt

from portal import audit, mail
from portal.accounts.models import User
from portal.db import utcnow
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.relationships import invites, progress, queries
from portal.relationships.models import (
    MentoringSession,
    Relationship,
    SessionFormat,
    SessionState,
)
from portal.templating import london

#: A session's length, booked or logged, in minutes: from a quick catch-up to a long workshop.
MIN_MINUTES = 10
MAX_MINUTES = 240
#: How far ahead a session may be booked.
LATEST_BOOKING = dt.timedelta(days=183)
PLACE_MAX = 500

_WHO = {"mentee": "the mentee", "mentor": "the mentor", "both": "either of you"}


def _party_or_refuse(relationship: Relationship, person: User) -> str:
    party = relationship.party(person.id)
    if party is None:
        raise queries.RelationshipNotFound()
    return party


def other_of(relationship: Relationship, party: str) -> User:
    return relationship.mentee if party == "mentor" else relationship.mentor


def not_started_refusal(relationship: Relationship, agreement) -> DomainError:
    """Why sessions cannot be booked or logged yet, worded for the pair."""
    return DomainError(
        "Your sessions can start once your signed agreement has been submitted to the scheme "
        "administrator.", title="Your sessions cannot start yet",
        next_step=f"Go to your agreement, reference {agreement.reference}."
        if agreement is not None else None)


def may_arrange(agreement, party: str) -> bool:
    """The one rule for who books (and moves) sessions: the agreed ``arranges_meetings``."""
    arranges = agreement.arranges_meetings if agreement is not None else "both"
    return arranges in ("both", party)


def arranging_refusal(relationship: Relationship, agreement, party: str) -> NotAllowed:
    booker = "mentor" if party == "mentee" else "mentee"
    name = other_of(relationship, party).full_name
    return NotAllowed(f"In your agreement you agreed that {_WHO[booker]} books your sessions. "
                      f"Ask {name} to book or move this one.",
                      title=f"Your {booker} books your sessions")


def check_may_book(relationship: Relationship, party: str):
    """Refuse, before a form is even shown, someone who may not book in this relationship.
    Returns the agreement."""
    agreement = queries.agreement_of(relationship)
    if not relationship.may_sessions_start:
        raise not_started_refusal(relationship, agreement)
    if not may_arrange(agreement, party):
        raise arranging_refusal(relationship, agreement, party)
    return agreement


def _check_time(starts_at: dt.datetime, minutes: int, place: str, now: dt.datetime) -> None:
    if starts_at <= now:
        raise DomainError("Choose a time in the future.")
    if starts_at > now + LATEST_BOOKING:
        raise DomainError("Choose a time in the next six months.")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise DomainError(f"A session lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes.")
    if not place.strip() or len(place) > PLACE_MAX:
        raise DomainError("Say where you will meet, or give the video link or phone number.")


def _send(session: MentoringSession, template: str, actor: User | None, *,
          cancel: bool = False, **context) -> None:
    """The email about a session to both people, each with the calendar attachment (``actor``
    None: the portal itself, as when a relationship ends)."""
    relationship = session.relationship
    invite = invites.attachment(session, cancel=cancel)
    for party in ("mentor", "mentee"):
        person = relationship.mentor if party == "mentor" else relationship.mentee
        mail.queue(person.email, template, scheme=relationship.scheme, session=session,
                   relationship=relationship, attachments=[invite], name=person.full_name,
                   other_name=other_of(relationship, party).full_name,
                   by_you=actor is not None and person.id == actor.id,
                   actor_name=actor.full_name if actor is not None else "", **context)


def book(relationship_id: int, person: User, *, starts_at: dt.datetime, minutes: int,
         format: SessionFormat, place: str, ip: str | None = None) -> MentoringSession:
    """Book a session; both get the calendar invite (the UID is fixed now and stored)."""
    relationship = queries.lock(relationship_id)
    party = _party_or_refuse(relationship, person)
    check_may_book(relationship, party)
    now = utcnow()
    place = place.strip()
    _check_time(starts_at, minutes, place, now)
    session = MentoringSession(relationship_id=relationship.id, state=SessionState.BOOKED,
                               starts_at=starts_at, duration_minutes=minutes, format=format,
                               place=place, booked_by_id=person.id, booked_at=now)
    db.session.add(session)
    db.session.flush()
    session.invite_uid = invites.new_uid(session)
    audit.record(db.session, "relationship", relationship.id, "session_booked",
                 actor_id=person.id, ip_address=ip, session_id=session.id,
                 starts_at=starts_at.isoformat(), minutes=minutes)
    _send(session, "session_booked", person)
    db.session.commit()
    return session


def change(session_id: int, person: User, *, starts_at: dt.datetime, minutes: int,
           format: SessionFormat, place: str, ip: str | None = None) -> MentoringSession:
    """Move a booked session that has not started; both get the updated invite (same UID,
    SEQUENCE up by one)."""
    session = queries.get_session(session_id)
    if session is None:
        raise queries.SessionNotFound()
    relationship = queries.lock(session.relationship_id)
    session = queries.fresh_session(relationship, session_id)
    party = _party_or_refuse(relationship, person)
    check_may_book(relationship, party)
    now = utcnow()
    _check_booked_and_ahead(session, now, "moved")
    place = place.strip()
    _check_time(starts_at, minutes, place, now)
    if (starts_at, minutes, format, place) == (session.starts_at, session.duration_minutes,
                                               session.format, session.place):
        raise DomainError("The time and the details are the same as before: nothing to change.")
    previous = session.starts_at
    session.starts_at, session.duration_minutes = starts_at, minutes
    session.format, session.place = format, place
    session.invite_sequence += 1
    audit.record(db.session, "relationship", relationship.id, "session_changed",
                 actor_id=person.id, ip_address=ip, session_id=session.id,
                 previous=previous.isoformat(), starts_at=starts_at.isoformat(), minutes=minutes)
    _send(session, "session_changed", person, previous=previous)
    db.session.commit()
    return session


def _check_booked_and_ahead(session: MentoringSession, now: dt.datetime, what: str) -> None:
    if session.state != SessionState.BOOKED:
        raise DomainError(f"This session is already {session.state.label.lower()}, so it "
                          f"cannot be {what}.")
    if session.starts_at <= now:
        raise DomainError(f"This session has already started, so it cannot be {what}.",
                          next_step="Log whether it took place instead.")


def check_changeable(session: MentoringSession, what: str) -> None:
    """Refuse, before a form is shown, a session that can no longer be moved or cancelled."""
    _check_booked_and_ahead(session, utcnow(), what)


def check_loggable(session: MentoringSession) -> None:
    """Refuse, before a form is shown, a session that cannot be logged now."""
    _check_loggable(session, utcnow())


def _check_loggable(session: MentoringSession, now: dt.datetime) -> None:
    if session.state == SessionState.CANCELLED:
        raise DomainError("This session was cancelled, so there is nothing to log.")
    if session.state != SessionState.BOOKED:
        raise DomainError(f"This session has already been logged: "
                          f"{session.state.label.lower()}.")
    if session.starts_at > now:
        raise DomainError("You can log this session once it has started.",
                          next_step="Change or cancel it if your plans have changed.")


def cancel(session_id: int, person: User, *, ip: str | None = None) -> MentoringSession:
    """Either person cancels a booked session before it starts; both get the calendar
    cancellation. Inside the agreed notice period it is allowed, and recorded as late."""
    session = queries.get_session(session_id)
    if session is None:
        raise queries.SessionNotFound()
    relationship = queries.lock(session.relationship_id)
    session = queries.fresh_session(relationship, session_id)
    _party_or_refuse(relationship, person)
    now = utcnow()
    _check_booked_and_ahead(session, now, "cancelled")
    agreement = queries.agreement_of(relationship)
    notice_hours = agreement.notice_hours if agreement is not None else 0
    session.move_to(SessionState.CANCELLED)
    session.cancelled_at, session.cancelled_by_id = now, person.id
    session.late_notice = not progress.notice_given(session, notice_hours, now)
    session.invite_sequence += 1
    audit.record(db.session, "relationship", relationship.id, "session_cancelled",
                 actor_id=person.id, ip_address=ip, session_id=session.id,
                 late_notice=session.late_notice, notice_hours=notice_hours)
    _send(session, "session_cancelled", person, cancel=True, notice_hours=notice_hours)
    db.session.commit()
    return session


def _check_held(relationship: Relationship, held_on: dt.date | None, minutes: int | None,
                now: dt.datetime) -> None:
    if held_on is None or minutes is None:
        raise DomainError("Give the date you met and how long you met for.")
    if held_on > london(now).date():
        raise DomainError("The date you met must be today or in the past.")
    if held_on < london(relationship.created_at).date():
        raise DomainError("The date you met must be after your mentoring began.")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise DomainError(f"A session lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes.")


def log(session_id: int, person: User, *, met: bool, held_on: dt.date | None = None,
        minutes: int | None = None, via: str = "portal",
        ip: str | None = None) -> MentoringSession:
    """Either person logs a booked session whose start has passed: it took place (when, for
    how long) or it did not. Once logged, it stays logged."""
    session = queries.get_session(session_id)
    if session is None:
        raise queries.SessionNotFound()
    relationship = queries.lock(session.relationship_id)
    session = queries.fresh_session(relationship, session_id)
    _party_or_refuse(relationship, person)
    now = utcnow()
    _check_loggable(session, now)
    if met:
        _check_held(relationship, held_on, minutes, now)
        session.move_to(SessionState.HELD)
        session.held_on, session.held_minutes = held_on, minutes
    else:
        session.move_to(SessionState.NOT_HELD)
    session.logged_at, session.logged_by_id = now, person.id
    audit.record(db.session, "relationship", relationship.id, "session_logged",
                 actor_id=person.id, ip_address=ip, session_id=session.id, met=met, via=via,
                 held_on=held_on.isoformat() if met and held_on else None, minutes=minutes)
    db.session.commit()
    return session


def log_unbooked(relationship_id: int, person: User, *, held_on: dt.date, minutes: int,
                 ip: str | None = None) -> MentoringSession:
    """Either person logs, in one step, a session that took place without being booked here."""
    relationship = queries.lock(relationship_id)
    _party_or_refuse(relationship, person)
    if not relationship.may_sessions_start:
        raise not_started_refusal(relationship, queries.agreement_of(relationship))
    now = utcnow()
    _check_held(relationship, held_on, minutes, now)
    session = MentoringSession(relationship_id=relationship.id, state=SessionState.HELD,
                               starts_at=None, duration_minutes=minutes, held_on=held_on,
                               held_minutes=minutes, logged_at=now, logged_by_id=person.id)
    db.session.add(session)
    db.session.flush()
    audit.record(db.session, "relationship", relationship.id, "session_logged",
                 actor_id=person.id, ip_address=ip, session_id=session.id, met=True,
                 booked=False, held_on=held_on.isoformat(), minutes=minutes)
    db.session.commit()
    return session


def cancel_for_ending(relationship: Relationship, person: User | None,
                      now: dt.datetime) -> int:
    """Cancel every booked session still to come of a relationship that is ending, inside the
    ending's transaction (its locks held): both people get each calendar cancellation. Not
    late notice: nobody chose the date. Returns how many were cancelled."""
    cancelled = 0
    for session in queries.sessions_of(relationship.id):
        if session.state != SessionState.BOOKED or session.starts_at <= now:
            continue
        session.move_to(SessionState.CANCELLED)
        session.cancelled_at = now
        session.cancelled_by_id = person.id if person is not None else None
        session.invite_sequence += 1
        audit.record(db.session, "relationship", relationship.id, "session_cancelled",
                     actor_id=session.cancelled_by_id, session_id=session.id,
                     because="relationship_ended")
        _send(session, "session_cancelled", None, cancel=True, ended=True)
        cancelled += 1
    return cancelled

