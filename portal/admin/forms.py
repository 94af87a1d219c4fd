"""Forms of the administrators' desk: inviting an administrator, removing one, the Reports
page's date range, and marking an item of the "Needs attention" list as dealt with."""

from __future__ import annotations

import datetime as dt

from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Regexp, ValidationError

from portal.forms import DateInput, PortalForm, QueryForm, strip


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
