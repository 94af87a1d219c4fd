"""The equality-monitoring form: a set of radios for each of the pack's questions, each ending
in "Prefer not to say", every one optional."""

from __future__ import annotations

from wtforms import RadioField, SubmitField
from wtforms.validators import Optional, ValidationError

from portal.equality.answering import options_of
from portal.forms import PortalForm


class QuestionsForm(PortalForm):
    """Built for one scheme's questions by ``questions_form``: a field per question key."""

    submit = SubmitField("Send my answers")

    def question_fields(self) -> list:
        return [field for field in self if field.name.startswith("q_")]

    def answers(self) -> dict[str, str]:
        """{question key: the option chosen}, for the questions answered."""
        return {field.name[2:]: field.data for field in self.question_fields() if field.data}


def _offered(form, field) -> None:
    if field.data not in {value for value, _ in field.choices}:
        raise ValidationError(f"Choose one of the answers to \u2018{field.label.text}\u2019, or "
                              "leave it blank")


def form_class(questions: list[dict]) -> type[QuestionsForm]:
    """The form class for these questions, in their order: q_<key> for each."""
    class Form(QuestionsForm):
        pass

    for question in questions:
        options = options_of(question)
        setattr(Form, f"q_{question['key']}", RadioField(
            question["question"], choices=[(option, option) for option in options],
            validate_choice=False, validators=[Optional(), _offered],
            description=question.get("hint", "")))
    return Form


def questions_form(questions: list[dict], **kwargs) -> QuestionsForm:
    return form_class(questions)(**kwargs)
