"""Forms for registering, signing in and a person's own account details."""

from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from portal.forms import PHONE, MultiCheckboxField, PortalForm, strip


class SignInForm(PortalForm):
    email = EmailField(
        "Email address", filters=[strip],
        validators=[DataRequired("Enter your email address"),
                    Email("Enter an email address in the correct format, like name@example.gov.uk",
                          check_deliverability=False),
                    Length(max=254)],
        description="We will email you a link to sign in. It works once, for a short time.",
    )
    #: Where to go after signing in (a local path; anything else is ignored).
    next = HiddenField()
    submit = SubmitField("Email me a sign-in link")


class RegisterForm(PortalForm):
    roles = MultiCheckboxField(
        "How do you want to take part?",
        choices=[("mentee", "As a mentee: I want a mentor"),
                 ("mentor", "As a mentor: I want to mentor someone")],
        description="Select all that apply.",
    )
    full_name = StringField("Full name", filters=[strip],
                            validators=[DataRequired("Enter your full name"),
                                                     Length(max=200)])
    email = EmailField(
        "Work email address", filters=[strip],
        validators=[DataRequired("Enter your email address"),
                    Email("Enter an email address in the correct format, like name@example.gov.uk",
                          check_deliverability=False),
                    Length(max=254)],
    )
    confirm = BooleanField("I confirm that I meet the eligibility statement for each role I chose")
    submit = SubmitField("Continue")

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError("Select how you want to take part")

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError("Confirm that you meet the eligibility statement")


class JoinForm(PortalForm):
    roles = RegisterForm.roles
    confirm = RegisterForm.confirm
    submit = SubmitField("Join scheme")

    validate_roles = RegisterForm.validate_roles
    validate_confirm = RegisterForm.validate_confirm




class DetailsForm(PortalForm):
    """Your name and phone number (your own account)."""

    full_name = StringField("Full name", filters=[strip],
                            validators=[DataRequired("Enter your full name"), Length(max=200)],
                            description="As you want mentors, mentees and administrators to see "
                                        "it. Anything you have already signed keeps the name "
                                        "you signed it with.")
    phone = StringField("Phone number (optional)", filters=[strip],
                        validators=[Optional(), Length(max=40)],
                        description="Only shown to someone you are working with, if you add it "
                                    "to your agreement.")
    submit = SubmitField("Save changes")

    def validate_full_name(self, field):
        # Marks and punctuation alone (a pasted right-to-left mark) are not a name.
        if field.data and not any(ch.isalnum() for ch in field.data):
            raise ValidationError("Enter your full name")

    def validate_phone(self, field):
        if field.data and not PHONE.match(field.data):
            raise ValidationError("Enter a phone number, like 01632 960 001 or +44 7700 900 982")


class EmailChangeForm(PortalForm):
    """A new email address for your account: it changes once the new address confirms."""

    email = EmailField(
        "New email address", filters=[strip],
        validators=[DataRequired("Enter your new email address"),
                    Email("Enter an email address in the correct format, like name@example.gov.uk",
                          check_deliverability=False),
                    Length(max=254)],
        description="We will email a link to this address. Your address changes when you use it.")
    submit = SubmitField("Send the link")
