"""The evaluation form: one text box for each of the pack's questions, labelled with the question
exactly as the pack wrote it."""

from __future__ import annotations

from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from portal.agreements.forms import SignForm
from portal.forms import PortalForm, strip

#: The longest answer to one question.
ANSWER_MAX = 5_000


class AnswerForm(PortalForm):
    """Built for one evaluation's questions by ``answer_form``: fields answer_1, answer_2, ..."""

    submit = SubmitField("Send your answers")

    def answer_fields(self) -> list:
        return [field for field in self if field.name.startswith("answer_")]

    def answers(self) -> list[str]:
        return [field.data or "" for field in self.answer_fields()]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        fields = self.answer_fields()
        if valid and fields and not any((field.data or "").strip() for field in fields):
            fields[0].errors.append("Answer at least one question")
            return False
        return valid


def form_class(questions: list[str]) -> type[AnswerForm]:
    """The form class for these questions, in their order: answer_1 for the first, and so on."""

    class Form(AnswerForm):
        pass

    for number, question in enumerate(questions, 1):
        setattr(Form, f"answer_{number}", TextAreaField(
            question, filters=[strip],
            validators=[Length(max=ANSWER_MAX, message=f"Answer {number} must be "
                               f"{ANSWER_MAX:,} characters or fewer")]))
    return Form


def answer_form(questions: list[str], **kwargs) -> AnswerForm:
    """The form for these questions, read from the request (or ``formdata``)."""
    return form_class(questions)(**kwargs)


class SignEvaluationForm(SignForm):
    """Signing the evaluation both people sign: the agreement's signing form, its words about
    this form."""

    confirm = BooleanField("I have read this whole form, including the other person's answers, "
                           "and I agree it is a fair record")
    #: One version waits for signatures at a time: the link and the page name it, not the form.
    version = None

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError("Confirm that you have read the form and agree it is a fair "
                                  "record")
