"""Forms for registering and signing in."""

from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.forms import MultiCheckboxField, PortalForm, strip


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


