"""Calendar invites: UK local time either side of the clock change, and what mail clients see."""

import datetime as dt
import email

import icalendar
import time_machine

from portal.mail.delivery import to_mime
from tests.support.calls import NOW, accept, answer_links, fresh_client, send_request

MENTOR = "mira.mentor@testborough.gov.uk"
MENTEE = "sam.mentee@testborough.gov.uk"


def test_summer_call_is_in_british_summer_time(app, client, make, login, mailbox):
    scheme = make.scheme()
    profile = make.mentor(scheme, email=MENTOR, name="Mira Mentor")
    mentee = make.mentee(scheme, email=MENTEE, name="Sam Mentee")
    with time_machine.travel(NOW, tick=False):
        # The clocks go forward on 29 March 2026; the call is on 2 April at 10am UK time.
        send_request(client, login, mentee, profile, time1_date="2026-04-02",
                     time1_time="10:00", time2_date="2026-04-03")
        client.post_form("/sign-out")
        accept(fresh_client(app), answer_links(mailbox, MENTOR)[0], details="Teams")

    message = mailbox.last(MENTEE, "call_accepted_mentee")
    raw = message.attachments[0].data.decode()
    assert "DTSTART;TZID=Europe/London:20260402T100000" in raw
    assert "DTEND;TZID=Europe/London:20260402T103000" in raw
    assert "BEGIN:VTIMEZONE" in raw and "TZNAME:BST" in raw
    event = icalendar.Calendar.from_ical(raw).events[0]
    assert event.start.utcoffset() == dt.timedelta(hours=1)
    assert event.start.astimezone(dt.UTC) == dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC)
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == [f"mailto:{MENTOR}", f"mailto:{MENTEE}"]
    assert "Thursday 2 April 2026 at 10am" in message.body_text

    # What the mail server receives: an invite part that calendars recognise.
    parsed = email.message_from_bytes(to_mime(app, message))
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "chemistry-call.ics"
