"""Helpers shared by the chemistry call tests: the journey's steps through HTTP."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from portal.calls.models import ChemistryCall
from portal.extensions import db

LONDON = ZoneInfo("Europe/London")
#: Tests run at a fixed moment: Monday 2 March 2026, 9am in London (GMT).
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def slot(days: int, hour: int = 10, minute: int = 0) -> tuple[str, str]:
    """A date and time (as a person types them, UK time) ``days`` after NOW."""
    day = (NOW.astimezone(LONDON) + dt.timedelta(days=days)).date()
    return day.isoformat(), f"{hour:02d}:{minute:02d}"


def uk(days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """The same moment as ``slot`` gives, as an aware datetime in London."""
    day = (NOW.astimezone(LONDON) + dt.timedelta(days=days)).date()
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def request_data(**overrides) -> dict:
    first, second = slot(3, 10), slot(4, 14, 30)
    data = {
        "hopes": "I want to grow in confidence as a new team leader.",
        "experience": "I had a mentor on my graduate scheme.",
        "time1_date": first[0], "time1_time": first[1],
        "time2_date": second[0], "time2_time": second[1],
        "time3_date": "", "time3_time": "",
        "preferred_format": "video",
        "job_title": "Planning officer", "organisation": "Testborough Council", "grade": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def send_request(client, login, mentee, profile, **overrides):
    login(mentee)
    return client.post_form(f"/calls/new/{profile.id}", request_data(**overrides))


def last_call() -> ChemistryCall:
    db.session.expire_all()
    return db.session.scalars(sa.select(ChemistryCall).order_by(ChemistryCall.id.desc())).first()


def call(call_id: int) -> ChemistryCall:
    db.session.expire_all()
    return db.session.get(ChemistryCall, call_id)


def answer_links(mailbox, mentor_email: str) -> tuple[str, str]:
    """The Accept and Decline links from the newest request email to a mentor."""
    message = mailbox.last(mentor_email, "call_requested")
    return mailbox.link(message, "/accept"), mailbox.link(message, "/decline")


def time_values(page_html: str) -> list[str]:
    """The values of the time radios on an accept form."""
    return re.findall(r'name="time" type="radio" value="([^"]+)"', page_html)


def accept(client, link: str, details: str = "Teams: https://teams.example.net/l/meetup/123",
           **overrides):
    """Accept through a form at ``link``, choosing the first proposed time."""
    choices = time_values(client.get(link).get_data(as_text=True)) or ["1"]
    data = {"time": choices[0], "details": details, "other_date": "",
            "other_time": ""}
    data.update(overrides)
    return client.post_form(link, data)


def fresh_client(app):
    """Another browser: nobody signed in."""
    return app.test_client()
