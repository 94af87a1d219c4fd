"""Forms of people's own data: deleting an account (one's own, or an erasure request carried
out by an administrator)."""

from __future__ import annotations

from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from portal.forms import PortalForm, strip


class DeleteAccountForm(PortalForm):
    """Deleting your own account: a box to tick, as it cannot be undone."""

    confirm = BooleanField("I understand that my account will be deleted and this cannot be "
                           "undone")
    submit = SubmitField("Delete my account")

    def validate_confirm(self, field) -> None:
        if not field.data:
            raise ValidationError("Confirm that you want your account deleted")


class EraseForm(PortalForm):
    """An administrator carrying out an erasure request: why (kept in the audit trail), and a
    box to tick."""

    reason = TextAreaField("Why (optional)", filters=[strip],
                           validators=[Length(max=500)],
                           description="For example, the date and reference of the person's "
                                       "request. Only administrators see it, in the audit trail.")
    confirm = BooleanField("I understand that this account will be deleted and this cannot be "
                           "undone")
    submit = SubmitField("Delete this account")

    def validate_confirm(self, field) -> None:
        if not field.data:
            raise ValidationError("Confirm that the account should be deleted")
