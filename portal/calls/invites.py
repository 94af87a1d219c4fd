"""Calendar invites (.ics) for chemistry calls.

One UID per call, fixed at acceptance, and a SEQUENCE that goes up with every change, so a
calendar replaces the event on a reschedule and removes it on a cancellation. Times carry
TZID=Europe/London with its VTIMEZONE, so they are right either side of the clock change.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from flask import current_app
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from portal.calls.models import ChemistryCall
from portal.db import utcnow
from portal.mail import Attachment
from portal.templating import LONDON


def new_uid(call: ChemistryCall) -> str:
    """A UID that stays with the call for good (stored on it at acceptance)."""
    domain = current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    return f"chemistry-call-{call.id}@{domain or 'portal.local'}"


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


def calendar(call: ChemistryCall, *, cancel: bool = False) -> bytes:
    """The invite as iCalendar bytes: METHOD:REQUEST, or METHOD:CANCEL when the call is off."""
    cal = Calendar()
    cal.add("prodid", "-//Mentoring portal//Chemistry calls//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    cal.add_component(_london_timezone())

    mentor_name = call.profile.display_name
    mentee_name = call.mentee.full_name
    event = Event()
    event.add("uid", call.invite_uid or new_uid(call))
    event.add("sequence", call.invite_sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", call.scheduled_at.astimezone(LONDON))
    event.add("dtend", call.ends_at.astimezone(LONDON))
    event.add("summary", f"Chemistry call: {mentor_name} and {mentee_name}")
    event.add("description",
              f"A short conversation to see whether you want to work together as mentor and "
              f"mentee in {call.scheme.name}.\n\nHow to join: {call.meeting_details}")
    event.add("location", call.meeting_details.splitlines()[0][:200] if call.meeting_details
              else "")
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    sender_name, sender_email = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    event.add("organizer", _person(sender_name or "Mentoring portal", sender_email, ""))
    event.add("attendee", _person(mentor_name, call.mentor.email, "REQ-PARTICIPANT"))
    event.add("attendee", _person(mentee_name, call.mentee.email, "REQ-PARTICIPANT"))
    cal.add_component(event)
    return cal.to_ical()


def attachment(call: ChemistryCall, *, cancel: bool = False) -> Attachment:
    method = "CANCEL" if cancel else "REQUEST"
    return Attachment(filename="chemistry-call.ics",
                      content_type=f"text/calendar; method={method}; charset=UTF-8",
                      data=calendar(call, cancel=cancel))
