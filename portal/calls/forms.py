"""Forms for requesting, answering and following up chemistry calls.

Times are entered as a date and a time in UK time (Europe/London) and stored in UTC.
"""

from __future__ import annotations

import datetime as dt

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from portal.accounts.models import User
from portal.calls.addresses import either, manager_address_problem
from portal.calls.models import CallFormat, Decision, DeclineReason
from portal.calls.requesting import LATEST_PROPOSAL
from portal.db import utcnow
from portal.forms import DateText, PortalForm, parse_day, strip
from portal.schemes.models import Scheme
from portal.templating import LONDON, example_day

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.gov.uk"


def parse_uk_time(date_field: Field, time_field: Field, what: str) -> dt.datetime | None:
    """A date and a time field as one aware UTC datetime in the future, or None with errors
    added to the fields. Both empty gives None without errors."""
    date_text, time_text = (date_field.data or "").strip(), (time_field.data or "").strip()
    if not date_text and not time_text:
        return None
    if not date_text:
        date_field.errors.append(f"Enter the date for {what}")
        return None
    if not time_text:
        time_field.errors.append(f"Enter the time for {what}")
        return None
    day = parse_day(date_text)
    if day is None:
        date_field.errors.append(f"Enter the date for {what} as a real date, like "
                                 f"{example_day()}")
        return None
    try:
        clock = dt.datetime.strptime(time_text, "%H:%M").time()
    except ValueError:
        time_field.errors.append(f"Enter the time for {what} in the 24-hour clock, like 14:30")
        return None
    local = dt.datetime.combine(day, clock, tzinfo=LONDON)
    utc = local.astimezone(dt.UTC)
    if utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        time_field.errors.append(f"The time for {what} does not exist in the UK: the clocks go "
                                 "forward that night. Choose another time")
        return None
    now = utcnow()
    if utc <= now:
        date_field.errors.append(f"The date and time for {what} must be in the future")
        return None
    if utc > now + LATEST_PROPOSAL:
        date_field.errors.append(f"Choose a date for {what} in the next six months")
        return None
    return utc


class RequestForm(PortalForm):
    # About the mentee, for the mentor deciding: kept on their account for the next request.
    job_title = StringField("Your job title", filters=[strip],
                            validators=[DataRequired("Enter your job title"),
                                        Length(max=200, message="Keep your job title under 200 "
                                                                "characters")])
    organisation = StringField("Your organisation", filters=[strip],
                               validators=[DataRequired("Enter the organisation you work for"),
                                           Length(max=200, message="Keep the organisation's name "
                                                                   "under 200 characters")])
    grade = StringField("Your grade or level", filters=[strip],
                        validators=[Optional(), Length(max=100, message="Keep your grade under "
                                                                        "100 characters")],
                        description="For example, Grade 7, Band 6 or Senior officer.")
    hopes = TextAreaField(
        "What do you hope to get from mentoring?", filters=[strip],
        validators=[DataRequired("Say what you hope to get from mentoring"),
                    Length(max=3000, message="Keep this under 3,000 characters")],
        description="For example, a skill you want to build, a move you are thinking about, or "
                    "a challenge at work. Your mentor reads this before the call.",
    )
    experience = TextAreaField(
        "Have you been mentored, or mentored someone, before?", filters=[strip],
        validators=[Optional(), Length(max=3000, message="Keep this under 3,000 characters")],
        description="What helped, and what did not work so well.",
    )
    time1_date = DateText("Date")
    time1_time = StringField("Time", filters=[strip])
    time2_date = DateText("Date")
    time2_time = StringField("Time", filters=[strip])
    time3_date = DateText("Date")
    time3_time = StringField("Time", filters=[strip])
    flexible = BooleanField("I am flexible: the mentor can suggest a time")
    preferred_format = RadioField(
        "How would you like to have the call?", validate_choice=False,
        choices=[(f.value, f.label) for f in CallFormat], default=CallFormat.ANY.value,
    )
    submit = SubmitField("Send request")

    times: list[dt.datetime]

    def slots(self) -> list[tuple[int, Field, Field]]:
        return [(n, getattr(self, f"time{n}_date"), getattr(self, f"time{n}_time"))
                for n in (1, 2, 3)]

    def validate_preferred_format(self, field: Field) -> None:
        if field.data not in {f.value for f in CallFormat}:
            raise ValidationError("Choose how you would like to have the call")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.times = []
        words = {1: "the first time", 2: "the second time", 3: "the third time"}
        for n, date_field, time_field in self.slots():
            start = parse_uk_time(date_field, time_field, words[n])
            if start is None:
                valid = valid and not (date_field.errors or time_field.errors)
                continue
            if start in self.times:
                date_field.errors.append(f"{words[n].capitalize()} is the same as an earlier "
                                         "one: give a different time")
                valid = False
                continue
            self.times.append(start)
        slot_errors = any(d.errors or t.errors for _, d, t in self.slots())
        if not self.flexible.data and len(self.times) < 2 and not slot_errors:
            target = self.time1_date if not self.times else self.time2_date
            target.errors.append("Give at least two times that suit you, or select that you are "
                                 "flexible")
            valid = False
        return valid


class LineManagerForm(PortalForm):
    manager_name = StringField(
        "Your line manager's full name", filters=[strip],
        validators=[DataRequired("Enter your line manager's full name"), Length(max=200)])
    manager_email = EmailField(
        "Your line manager's work email address", filters=[strip],
        validators=[DataRequired("Enter your line manager's email address"),
                    Email(EMAIL_FORMAT, check_deliverability=False), Length(max=254)],
        description="We will email them a link. They do not need an account.")
    submit = SubmitField("Send to my line manager")

    def __init__(self, mentee: User, scheme: Scheme, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mentee, self.scheme = mentee, scheme
        if scheme.line_manager_domains:
            self.manager_email.description = (
                f"It must end in {either(scheme.line_manager_domains)}. "
                + self.manager_email.description)

    def validate_manager_email(self, field: Field) -> None:
        if field.errors:  # not an address at all: that error is the one to show
            return
        problem = manager_address_problem(self.mentee, self.scheme, field.data)
        if problem is not None:
            raise ValidationError(problem)


class LineManagerAnswerForm(PortalForm):
    """Two buttons, approve or decline, named 'decision'."""

    decision = StringField()

    def validate_decision(self, field: Field) -> None:
        if field.data not in {"approve", "decline"}:
            raise ValidationError("Choose approve or do not approve")


class AcceptForm(PortalForm):
    time = RadioField("When will you have the call?", validate_choice=False)
    other_date = DateText("Date")
    other_time = StringField("Time", filters=[strip])
    details = TextAreaField(
        "How to join the call", filters=[strip],
        validators=[DataRequired("Say where to meet, or give the video link or phone number"),
                    Length(max=2000, message="Keep this under 2,000 characters")],
        description="A place, a video link or a phone number. The mentee sees this in their "
                    "invite, with your email address.",
    )
    submit = SubmitField("Accept and send the invite")

    start: dt.datetime | None = None
    proposed_time_id: int | None = None

    def set_times(self, proposed: list[tuple[int, str]]) -> None:
        self.time.choices = [(str(pid), label) for pid, label in proposed] + [
            ("other", "Suggest another time")]
        if not proposed and not self.time.data:
            self.time.data = "other"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        choices = {value for value, _ in self.time.choices}
        if self.time.data not in choices:
            self.time.errors.append("Choose a time for the call")
            return False
        if self.time.data == "other":
            self.start = parse_uk_time(self.other_date, self.other_time, "the call")
            if self.start is None:
                if not (self.other_date.errors or self.other_time.errors):
                    self.other_date.errors.append("Enter the date and time for the call")
                return False
        else:
            self.proposed_time_id = int(self.time.data)
        return valid


class DeclineForm(PortalForm):
    reason = RadioField(
        "Why are you declining? (optional)", validate_choice=False,
        choices=[(r.value, r.label) for r in DeclineReason],
        description="Only you and the scheme's administrators see this. The mentee is not "
                    "told the reason.",
    )
    note = TextAreaField("Anything else (optional)", filters=[strip],
                         validators=[Optional(), Length(max=2000)],
                         description="Only you and the scheme's administrators see this too.")
    submit = SubmitField("Decline the request")

    def validate_reason(self, field: Field) -> None:
        if field.data and field.data not in {r.value for r in DeclineReason}:
            raise ValidationError("Choose one of the reasons, or none")


class RescheduleForm(PortalForm):
    new_date = DateText("Date")
    new_time = StringField("Time", filters=[strip])
    details = AcceptForm.details
    submit = SubmitField("Change the call")

    start: dt.datetime | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.start = parse_uk_time(self.new_date, self.new_time, "the call")
        if self.start is None:
            if not (self.new_date.errors or self.new_time.errors):
                self.new_date.errors.append("Enter the new date and time for the call")
            return False
        return valid


class OutcomeForm(PortalForm):
    """After the call, signed in (three radios) or from the emailed link (one button that
    posts its answer as ``decision``)."""

    decision = RadioField(
        "After your chemistry call, would you like to work together?", validate_choice=False,
        choices=[(d.value, d.label) for d in Decision],
        description="Either answer is fine. It is not about anyone's fault: sometimes the fit "
                    "is just not right.",
    )
    reason = TextAreaField(
        "Anything you want the scheme to know (optional)", filters=[strip],
        validators=[Optional(), Length(max=2000)],
        description="Only the scheme's administrators see this. The other person never "
                    "does.",
    )
    submit = SubmitField("Send my answer")

    def validate_decision(self, field: Field) -> None:
        if field.data not in {d.value for d in Decision}:
            raise ValidationError("Choose whether you would like to work together")


