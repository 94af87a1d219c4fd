"""Forms for the terms, signing and checking an agreement."""

from __future__ import annotations

import re

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, ValidationError

from portal.agreements import canonical
from portal.agreements.signing import names_match
from portal.forms import PHONE, DateInput, PortalForm, strip

WHO_CHOICES = [("mentee", "The mentee"), ("mentor", "The mentor"),
               ("both", "Both of us, taking turns")]
FORMAT_CHOICES = [("in_person", "In person"), ("online", "Online"),
                  ("either", "Some in person, some online")]
GOALS = 5


class WholeNumber(IntegerField):
    """A whole number within a range, with messages that say what to enter."""

    def __init__(self, label: str, low: int, high: int, what: str, **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.low, self.high, self.what = low, high, what

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(f"Enter {self.what} as a whole number, like {self.low}") from None

    def pre_validate(self, form):
        if self.data is None:
            raise ValidationError(f"Enter {self.what}")
        if not self.low <= self.data <= self.high:
            raise ValidationError(f"Enter {self.what} between {self.low} and {self.high}")


def one_of(choices, message: str) -> AnyOf:
    return AnyOf([value for value, _ in choices], message=message)


class TermsForm(PortalForm):
    start_date = DateInput("Start date", "Enter the start date as a real date",
                           description="The date of your first session, or the week you plan "
                                       "to start.")
    duration_months = WholeNumber("How long the mentoring lasts, in months", 1, 36,
                                  "how many months the mentoring lasts")
    sessions = WholeNumber("Expected number of sessions", 1, 52, "the number of sessions")
    frequency = StringField("How often you will meet", filters=[strip],
                            validators=[DataRequired("Enter how often you will meet"),
                                        Length(max=200)],
                            description="For example, once a month.")
    min_minutes = WholeNumber("Shortest meeting, in minutes", 10, 480,
                              "the shortest meeting in minutes")
    max_minutes = WholeNumber("Longest meeting, in minutes", 10, 480,
                              "the longest meeting in minutes")
    meeting_format = RadioField("How you will meet", choices=FORMAT_CHOICES,
                                validate_choice=False,
                                validators=[one_of(FORMAT_CHOICES, "Select how you will meet")])
    meeting_place = StringField("Where you will meet", filters=[strip],
                                validators=[Optional(), Length(max=300)],
                                description="For example, one of your offices, somewhere "
                                            "quiet halfway between, or a video call.")
    contact_between = StringField("Contact between sessions", filters=[strip],
                                  validators=[DataRequired("Enter how you will keep in touch "
                                                           "between sessions"), Length(max=300)],
                                  description="How you will keep in touch, and how often. For "
                                              "example, by email, no more than once a week.")
    notice_hours = WholeNumber("Notice if you cannot attend, in hours", 0, 336,
                               "the notice in hours")
    arranges_meetings = RadioField("Who arranges meetings", choices=WHO_CHOICES,
                                   validate_choice=False,
                                   validators=[one_of(WHO_CHOICES, "Select who arranges meetings")])
    sets_agenda = RadioField("Who sets the agenda for each session", choices=WHO_CHOICES,
                             validate_choice=False,
                             validators=[one_of(WHO_CHOICES, "Select who sets the agenda")])
    goal_1 = StringField("Goal 1", filters=[strip], validators=[Length(max=300)])
    goal_2 = StringField("Goal 2", filters=[strip], validators=[Optional(), Length(max=300)])
    goal_3 = StringField("Goal 3", filters=[strip], validators=[Optional(), Length(max=300)])
    goal_4 = StringField("Goal 4", filters=[strip], validators=[Optional(), Length(max=300)])
    goal_5 = StringField("Goal 5", filters=[strip], validators=[Optional(), Length(max=300)])
    review_date = DateInput("Review date", "Enter the review date as a real date",
                            description="When you will look together at how the mentoring is "
                                        "going.")
    email = EmailField("Your email address for this agreement", filters=[strip],
                       validators=[DataRequired("Enter your email address"),
                                   Email("Enter an email address in the correct format, like "
                                         "name@example.gov.uk", check_deliverability=False),
                                   Length(max=254)])
    phone = StringField("Your phone number", filters=[strip],
                        validators=[Optional(), Length(max=40)],
                        description="The other person sees it in the agreement.")

    def validate_start_date(self, field):
        if field.data is None:
            raise ValidationError("Enter the start date")

    def validate_review_date(self, field):
        if field.data is None:
            raise ValidationError("Enter the review date")
        start, months = self.start_date.data, self.duration_months.data
        if start and field.data <= start:
            raise ValidationError("The review date must be after the start date")
        if start and months and 1 <= months <= 36 and field.data > canonical.add_months(
                start, months):
            raise ValidationError("The review date must be before the mentoring ends")

    def validate_max_minutes(self, field):
        if (field.data is not None and self.min_minutes.data is not None
                and field.data < self.min_minutes.data):
            raise ValidationError("The longest meeting cannot be shorter than the shortest")

    def validate_goal_1(self, field):
        if not any((getattr(self, f"goal_{n}").data or "").strip() for n in range(1, GOALS + 1)):
            raise ValidationError("Enter at least one goal")

    def validate_phone(self, field):
        if field.data and not PHONE.match(field.data):
            raise ValidationError("Enter a phone number, like 01632 960 001 or +44 7700 900 982")

    @property
    def goal_fields(self):
        return [getattr(self, f"goal_{n}") for n in range(1, GOALS + 1)]

    def values(self) -> dict:
        """The cleaned terms for the domain."""
        data = {name: getattr(self, name).data for name in (
            "start_date", "duration_months", "sessions", "frequency", "min_minutes",
            "max_minutes", "meeting_format", "meeting_place", "contact_between", "notice_hours",
            "arranges_meetings", "sets_agenda", "review_date", "email", "phone")}
        data["meeting_place"] = data["meeting_place"] or ""
        data["phone"] = data["phone"] or ""
        data["goals"] = [field.data for field in self.goal_fields if (field.data or "").strip()]
        return data

    def fill_from(self, agreement, party: str) -> None:
        """Start from what the agreement says now."""
        for name in ("start_date", "duration_months", "sessions", "frequency", "min_minutes",
                     "max_minutes", "meeting_format", "meeting_place", "contact_between",
                     "notice_hours", "arranges_meetings", "sets_agenda", "review_date"):
            getattr(self, name).data = getattr(agreement, name)
        for field, goal in zip(self.goal_fields, agreement.goals, strict=False):
            field.data = goal
        self.email.data = getattr(agreement, f"{party}_email")
        self.phone.data = getattr(agreement, f"{party}_phone")


class SignForm(PortalForm):
    full_name = StringField("Your full name", filters=[strip],
                            validators=[Length(max=200)])
    confirm = BooleanField("I have read this agreement and I agree to it")
    version = HiddenField()
    sha256 = HiddenField()

    def __init__(self, *args, signer=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.signer = signer

    def validate_full_name(self, field):
        if not field.data:
            raise ValidationError("Enter your full name")
        if self.signer is not None and not names_match(field.data, self.signer):
            raise ValidationError(f"Enter your full name as it is on your account: "
                                  f"{self.signer.full_name}")

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError("Confirm that you have read the agreement and agree to it")


class VerifyForm(PortalForm):
    """A look-up, sent by GET: no CSRF token, nothing changes."""

    class Meta:
        csrf = False

    reference = StringField("Agreement reference", filters=[strip],
                            validators=[DataRequired("Enter the agreement reference"),
                                        Length(max=40)],
                            description="It starts with MA-, like MA-7KQ4-M2XD. It is at the top "
                                        "of the agreement and in the footer of each page.")
    sha256 = StringField("SHA-256", filters=[strip],
                         validators=[DataRequired("Enter the SHA-256 from the audit page"),
                                     Length(max=200)],
                         description="64 letters and numbers, on the audit page of the PDF.")

    def validate_sha256(self, field):
        value = canonical.normalise_hash(field.data or "")
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValidationError("Enter the SHA-256 as 64 letters (a to f) and numbers, "
                                  "copied from the audit page")
