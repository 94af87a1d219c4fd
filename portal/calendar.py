"""Calendar invitations (.ics) for anything the portal books: chemistry calls and sessions.

One UID per event, fixed when it is first booked, and a SEQUENCE that goes up with every
change, so a calendar replaces the event on a reschedule and removes it on a cancellation.
Times carry TZID=Europe/London with its VTIMEZONE, so they are right either side of the clock
change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import parseaddr

from flask import current_app
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from portal.db import utcnow
from portal.mail import Attachment
from portal.templating import LONDON


def new_uid(kind: str, item_id: int) -> str:
    """A UID that stays with the event for good, e.g. chemistry-call-7@portal.example."""
    domain = current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    return f"{kind}-{item_id}@{domain or 'portal.local'}"


def _london_timezone() -> Timezone:
    """Europe/London as the rules calendars expect: BST from the last Sunday in March,
    GMT from the last Sunday in October."""
    tz = Timezone()
    tz.add("tzid", "Europe/London")
    summer = TimezoneDaylight()
    summer.add("tzname", "BST")
    summer.add("dtstart", dt.datetime(1970, 3, 29, 1, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    summer.add("tzoffsetfrom", dt.timedelta(hours=0))
    summer.add("tzoffsetto", dt.timedelta(hours=1))
    winter = TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("dtstart", dt.datetime(1970, 10, 25, 2, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    winter.add("tzoffsetfrom", dt.timedelta(hours=1))
    winter.add("tzoffsetto", dt.timedelta(hours=0))
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def _person(name: str, email: str, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = name
    if role:
        address.params["ROLE"] = role
        address.params["PARTSTAT"] = "ACCEPTED"
        address.params["RSVP"] = "FALSE"
    return address


@dataclass(frozen=True)
class Invitation:
    """What a calendar needs to know about one booked event."""

    uid: str
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    description: str
    #: Where, or how to join; the first line becomes the LOCATION.
    location: str
    #: (name, email) of each person taking part.
    attendees: tuple[tuple[str, str], ...]
    #: The PRODID's product part, e.g. "Chemistry calls".
    product: str


def calendar(invitation: Invitation, *, cancel: bool = False) -> bytes:
    """The invitation as iCalendar bytes: METHOD:REQUEST, or METHOD:CANCEL when it is off."""
    cal = Calendar()
    cal.add("prodid", f"-//Mentoring portal//{invitation.product}//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    cal.add_component(_london_timezone())

    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", invitation.starts_at.astimezone(LONDON))
    event.add("dtend", invitation.ends_at.astimezone(LONDON))
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    event.add("location", invitation.location.splitlines()[0][:200] if invitation.location
              else "")
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    sender_name, sender_email = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    event.add("organizer", _person(sender_name or "Mentoring portal", sender_email, ""))
    for name, email in invitation.attendees:
        event.add("attendee", _person(name, email, "REQ-PARTICIPANT"))
    cal.add_component(event)
    return cal.to_ical()


def attachment(invitation: Invitation, filename: str, *, cancel: bool = False) -> Attachment:
    """The invitation as an email attachment calendars recognise."""
    method = "CANCEL" if cancel else "REQUEST"
    return Attachment(filename=filename,
                      content_type=f"text/calendar; method={method}; charset=UTF-8",
                      data=calendar(invitation, cancel=cancel))
