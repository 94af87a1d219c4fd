"""Forms of the administrators' desk: inviting an administrator, removing one, uploading
people to invite and accepting such an invitation, deactivating a leaver, the Reports page's
date range, and marking an item of the "Needs attention" list as dealt with."""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Regexp, ValidationError

from portal.admin.invitation_file import MAX_BYTES
from portal.forms import DateInput, PortalForm, QueryForm, strip

#: The upload form's key: what secrets.token_urlsafe(32) makes.
KEY = re.compile(r"[A-Za-z0-9_-]{43}")
#: Pasted rows: as much as a file may hold.
ROWS_MAX = MAX_BYTES


class InviteForm(PortalForm):
    full_name = StringField("Their full name", filters=[strip],
                            validators=[DataRequired("Enter their full name"), Length(max=200)])
    email = EmailField(
        "Their work email address", filters=[strip],
        validators=[DataRequired("Enter their email address"),
                    Email("Enter an email address in the correct format, like name@example.gov.uk",
                          check_deliverability=False),
                    Length(max=254)],
        description="We email them a link that works once.")
    submit = SubmitField("Send the invitation")


class RemoveForm(PortalForm):
    """Removing an administrator. Removing yourself needs the box ticked as well."""

    confirm_self = BooleanField("I understand that I will no longer be able to use this "
                                "scheme's administration pages")
    submit = SubmitField("Remove")

    def __init__(self, *args, removing_self: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.removing_self = removing_self

    def validate_confirm_self(self, field) -> None:
        if self.removing_self and not field.data:
            raise ValidationError("Confirm that you want to remove yourself")


class ReportRangeForm(QueryForm):
    """The Reports page's date range, read from the address (a GET form, so a report has a URL
    to bookmark). With neither date given, the last 12 months."""

    from_date = DateInput("From", "Enter the \u2018from\u2019 date as a real date, like 1 4 2026")
    to_date = DateInput("To", "Enter the \u2018to\u2019 date as a real date, like 31 3 2027")

    def given(self) -> bool:
        """Whether either date was sent (else the page shows the default range)."""
        return bool(self.from_date.raw_data or self.to_date.raw_data)

    def check(self, today: dt.date) -> bool:
        """Both dates given and real, the first not after the second, neither after today."""
        valid = self.validate()
        for field, name in ((self.from_date, "\u2018from\u2019"), (self.to_date, "\u2018to\u2019")):
            if not field.errors and field.data is None:
                field.errors.append(f"Enter the {name} date")
                valid = False
            elif field.data is not None and field.data > today:
                field.errors.append(f"The {name} date must be today or in the past")
                valid = False
        if valid and self.from_date.data > self.to_date.data:
            self.to_date.errors.append("The \u2018to\u2019 date must be the same as or after the "
                                       "\u2018from\u2019 date")
            valid = False
        return valid


class DealtWithForm(PortalForm):
    """Marking one item of the "Needs attention" list as dealt with: which item, in hidden
    fields (anything else there is refused, not stored)."""

    kind = HiddenField(validators=[DataRequired(), Length(max=30)])
    item = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,12}$")])
    submit = SubmitField("Mark as dealt with")


class UploadForm(PortalForm):
    """People to invite: a CSV file, or the same rows pasted; and the role they are invited to.
    ``key`` is the form's own random key, so posting it twice makes one upload."""

    role = RadioField("Invite them as", validate_choice=False,
                      choices=[("mentee", "Mentees"), ("mentor", "Mentors")])
    file = FileField("Upload a CSV file", widget=GovFileInput(),
                     description="A name and a work email address on each row. A header row is "
                                 "optional.")
    rows = TextAreaField(
        "Or paste the rows", filters=[strip],
        validators=[Length(max=ROWS_MAX, message="Paste fewer rows, or upload a file")],
        description="One person a line: their name, a comma, their email address.")
    key = HiddenField()
    submit = SubmitField("Check the list")

    def validate_role(self, field) -> None:
        if field.data not in {"mentee", "mentor"}:
            raise ValidationError("Choose whether to invite them as mentors or mentees")

    def validate_key(self, field) -> None:
        if not field.data or not KEY.fullmatch(field.data):
            raise ValidationError("This form has expired: open the invitations page again")

    def validate_file(self, field) -> None:
        if not self.upload() and not (self.rows.data or "").strip():
            raise ValidationError("Choose a CSV file to upload, or paste the rows")

    def upload(self) -> FileStorage | None:
        """The chosen file, if one was chosen."""
        data = self.file.data
        return data if isinstance(data, FileStorage) and data.filename else None


class AcceptInvitationForm(PortalForm):
    """Accepting an invitation to join a scheme: the invitee's name as they want it, and the
    eligibility statement (as when registering)."""

    full_name = StringField("Your full name", filters=[strip],
                            validators=[DataRequired("Enter your full name"), Length(max=200)],
                            description="If you have an account already, it keeps the name it "
                                        "has.")
    confirm = BooleanField("I confirm that I meet the eligibility statement for this role")
    submit = SubmitField("Join the scheme")

    def validate_confirm(self, field) -> None:
        if not field.data:
            raise ValidationError("Confirm that you meet the eligibility statement")


class DeactivateForm(PortalForm):
    """Deactivating a leaver: an optional reason, for administrators only."""

    reason = TextAreaField(
        "Why (optional)", filters=[strip],
        validators=[Length(max=2000, message="Keep the reason under 2,000 characters")],
        description="Only the scheme's administrators see this. Ended mentoring keeps it as "
                    "its reason.")
    submit = SubmitField("Deactivate")
