"""Calendar invitations (.ics) for mentoring sessions, on the portal's one calendar builder
(portal/calendar.py). One UID per session, fixed and stored when it is booked."""

from __future__ import annotations

from portal import calendar
from portal.mail import Attachment, absolute_url
from portal.relationships.models import MentoringSession


def new_uid(session: MentoringSession) -> str:
    """A UID that stays with the session for good (stored on it at booking)."""
    return calendar.new_uid("mentoring-session", session.id)


def _invitation(session: MentoringSession) -> calendar.Invitation:
    relationship = session.relationship
    mentor, mentee = relationship.mentor, relationship.mentee
    page = absolute_url("relationships.show", relationship_id=relationship.id)
    return calendar.Invitation(
        uid=session.invite_uid or new_uid(session), sequence=session.invite_sequence,
        starts_at=session.starts_at, ends_at=session.ends_at,
        summary=f"Mentoring session: {mentor.full_name} and {mentee.full_name}",
        description=(f"A mentoring session in {relationship.scheme.name} "
                     f"({session.format.label.lower()}).\n\nWhere or how to join: "
                     f"{session.place}\n\nYour sessions and action plan: {page}"),
        location=session.place,
        attendees=((mentor.full_name, mentor.email), (mentee.full_name, mentee.email)),
        product="Mentoring sessions")


def attachment(session: MentoringSession, *, cancel: bool = False) -> Attachment:
    return calendar.attachment(_invitation(session), "mentoring-session.ics", cancel=cancel)
