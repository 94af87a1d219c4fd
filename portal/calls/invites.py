"""Calendar invites (.ics) for chemistry calls, on the portal's one calendar builder
(portal/calendar.py). One UID per call, fixed at acceptance."""

from __future__ import annotations

from portal import calendar
from portal.calls.models import ChemistryCall
from portal.mail import Attachment


def new_uid(call: ChemistryCall) -> str:
    """A UID that stays with the call for good (stored on it at acceptance)."""
    return calendar.new_uid("chemistry-call", call.id)


def _invitation(call: ChemistryCall) -> calendar.Invitation:
    mentor_name = call.profile.display_name
    mentee_name = call.mentee.full_name
    return calendar.Invitation(
        uid=call.invite_uid or new_uid(call), sequence=call.invite_sequence,
        starts_at=call.scheduled_at, ends_at=call.ends_at,
        summary=f"Chemistry call: {mentor_name} and {mentee_name}",
        description=(f"A short conversation to see whether you want to work together as mentor "
                     f"and mentee in {call.scheme.name}.\n\nHow to join: {call.meeting_details}"),
        location=call.meeting_details,
        attendees=((mentor_name, call.mentor.email), (mentee_name, call.mentee.email)),
        product="Chemistry calls")


def attachment(call: ChemistryCall, *, cancel: bool = False) -> Attachment:
    return calendar.attachment(_invitation(call), "chemistry-call.ics", cancel=cancel)
