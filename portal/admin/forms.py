"""Forms of the administrators' desk: inviting an administrator, removing one, uploading
people to invite, and accepting such an invitation."""

from __future__ import annotations

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
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.admin.invitation_file import MAX_BYTES
from portal.forms import PortalForm, strip

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
