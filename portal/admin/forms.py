"""Forms of the administrators' desk: inviting an administrator, removing one, and marking an
item of the "Needs attention" list as dealt with."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Regexp, ValidationError

from portal.forms import PortalForm, strip


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


class DealtWithForm(PortalForm):
    """Marking one item of the "Needs attention" list as dealt with: which item, in hidden
    fields (anything else there is refused, not stored)."""

    kind = HiddenField(validators=[DataRequired(), Length(max=30)])
    item = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,12}$")])
    submit = SubmitField("Mark as dealt with")
