"""Helpers for the session and action plan tests (this module holds no tests itself)."""

from __future__ import annotations

import sqlalchemy as sa
from icalendar import Calendar

from portal.agreements.models import Agreement
from portal.audit import AuditEvent
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.relationships.models import ActionItem, MentoringSession, Relationship
from tests.support.calls import NOW, slot

MENTOR_EMAIL = "mira.mentor@testborough.gov.uk"
MENTEE_EMAIL = "tom.mentee@testborough.gov.uk"
MENTOR_NAME = "Mira Mentor"
MENTEE_NAME = "Tom Mentee"
GOALS = ["Lead my first planning committee report", "Build a network outside my council"]
VIDEO = "Teams: https://teams.example.net/l/meetup/42"


def running(make, scheme=None, *, active: bool = True, **terms) -> Relationship:
    """A pair whose agreement was submitted (or, ``active=False``, is still being agreed), with
    the agreed terms: 5 sessions over 12 months from NOW, 48 hours' notice, the mentee books,
    two goals; ``terms`` change them."""
    people = {"mentor_name": MENTOR_NAME, "mentor_email": MENTOR_EMAIL,
              "mentee_name": MENTEE_NAME, "mentee_email": MENTEE_EMAIL}
    people.update({key: terms.pop(key) for key in list(terms) if key in people})
    if active:
        relationship = make.active_relationship(scheme, start_date=NOW.date(), **people)
    else:
        relationship = make.relationship(scheme, **people)
    agreement = agreement_of(relationship)
    values = {"sessions": 5, "notice_hours": 48, "arranges_meetings": "mentee",
              "goals": list(GOALS), "min_minutes": 45, "max_minutes": 90,
              "meeting_place": "Room 2, Testborough House", **terms}
    for name, value in values.items():
        setattr(agreement, name, value)
    db.session.commit()
    return relationship


def agreement_of(relationship) -> Agreement:
    return db.session.scalar(sa.select(Agreement).where(
        Agreement.relationship_id == relationship.id))


def session_data(days: int, hour: int = 10, minute: int = 0, **overrides) -> dict:
    """The booking form, for a session ``days`` after NOW at ``hour`` (UK time)."""
    day, time = slot(days, hour, minute)
    return {"day": day, "time": time, "minutes": "60", "format": "video", "place": VIDEO,
            **overrides}


def book(client, relationship, days: int = 7, **kwargs):
    return client.post_form(f"/relationships/{relationship.id}/sessions/new",
                            session_data(days, **kwargs))


def sessions(relationship) -> list[MentoringSession]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(MentoringSession).where(
        MentoringSession.relationship_id == relationship.id).order_by(MentoringSession.id)))


def actions(relationship) -> list[ActionItem]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ActionItem).where(
        ActionItem.relationship_id == relationship.id).order_by(ActionItem.id)))


def calendar_of(message) -> Calendar:
    """The .ics attached to an email, parsed."""
    found = [a for a in message.attachments if a.content_type.startswith("text/calendar")]
    assert len(found) == 1, f"expected one calendar attachment on {message.template}"
    return Calendar.from_ical(found[0].data)


def event_of(message):
    calendar = calendar_of(message)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def world(relationship) -> tuple:
    """Everything a refused request must leave alone."""
    db.session.expire_all()
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    return ([(s.state, s.starts_at, s.duration_minutes, s.place, s.invite_sequence, s.held_on)
             for s in sessions(relationship)],
            [(a.what, a.done_at) for a in actions(relationship)],
            count(OutboxMessage), count(AuditEvent))
