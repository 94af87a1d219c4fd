"""Forms for the running relationship: sessions, the action plan and check-ins."""

from __future__ import annotations

import datetime as dt

from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from portal.calls.forms import parse_uk_time
from portal.db import utcnow
from portal.forms import DateInput, DateText, PortalForm, strip
from portal.relationships.actions import WHAT_MAX
from portal.relationships.models import ActionOwner, CheckInAnswer, EndCategory, SessionFormat
from portal.relationships.sessions import MAX_MINUTES, MIN_MINUTES, PLACE_MAX
from portal.templating import london

# --- sessions and the action plan -----------------------------------------------------------------

def _minutes(field: Field, what: str) -> int | None:
    """A length in minutes, within the bounds a session may have, or None with an error."""
    text = (field.data or "").strip()
    if not text:
        field.errors.append(f"Enter how long {what}, in minutes")
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        field.errors.append(f"Enter how long {what} as a number of minutes, like 60")
        return None
    minutes = int(text)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        field.errors.append(f"A session lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes")
        return None
    return minutes


def _held_on(field: Field) -> dt.date | None:
    """The day a session took place: a real date, not in the future."""
    if field.errors:
        return None
    if field.data is None:
        field.errors.append("Enter the date you met")
        return None
    if field.data > london(utcnow()).date():
        field.errors.append("The date you met must be today or in the past")
        return None
    return field.data


class SessionForm(PortalForm):
    """Book a session, or change a booked one."""

    day = DateText("Date")
    time = StringField("Time", filters=[strip])
    minutes = StringField("How long, in minutes", filters=[strip])
    format = RadioField("How will you meet?", validate_choice=False,
                        choices=[(f.value, f.label) for f in SessionFormat],
                        default=SessionFormat.IN_PERSON.value)
    place = TextAreaField(
        "Where, or how to join", filters=[strip],
        validators=[DataRequired("Say where you will meet, or give the video link or phone "
                                 "number"),
                    Length(max=PLACE_MAX, message=f"Keep this under {PLACE_MAX} characters")],
        description="A room or address, a video call link, or who phones whom on which number.")
    submit = SubmitField("Book the session")

    starts_at: dt.datetime | None = None
    length: int | None = None

    def validate_format(self, field: Field) -> None:
        if field.data not in {f.value for f in SessionFormat}:
            raise ValidationError("Choose how you will meet")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.starts_at = parse_uk_time(self.day, self.time, "the session")
        if self.starts_at is None:
            if not (self.day.errors or self.time.errors):
                self.day.errors.append("Enter the date and time of the session")
            valid = False
        self.length = _minutes(self.minutes, "the session will last")
        return valid and self.length is not None


class LogForm(PortalForm):
    """Log a booked session whose start has passed: we met (when, how long), or we did not."""

    outcome = RadioField("Did the session take place?", validate_choice=False,
                         choices=[("met", "We met"), ("not_met", "We did not meet")])
    held_on = DateInput("Date you met", "Enter the date you met as a real date")
    minutes = StringField("How long you met for, in minutes", filters=[strip])
    submit = SubmitField("Log the session")

    length: int | None = None

    def validate_outcome(self, field: Field) -> None:
        if field.data not in {"met", "not_met"}:
            raise ValidationError("Choose whether you met")

    @property
    def met(self) -> bool:
        return self.outcome.data == "met"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.outcome.data != "met":
            return valid
        day = _held_on(self.held_on)
        self.length = _minutes(self.minutes, "you met for")
        return valid and day is not None and self.length is not None


class UnbookedLogForm(PortalForm):
    """Log, in one step, a session that took place without being booked here."""

    held_on = DateInput("Date you met", "Enter the date you met as a real date")
    minutes = StringField("How long you met for, in minutes", filters=[strip])
    submit = SubmitField("Log the session")

    length: int | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        day = _held_on(self.held_on)
        self.length = _minutes(self.minutes, "you met for")
        return valid and day is not None and self.length is not None


class ActionForm(PortalForm):
    """One action in the action plan."""

    goal = RadioField("Which goal does it serve?", validate_choice=False)
    what = TextAreaField(
        "What will be done?", filters=[strip],
        validators=[DataRequired("Say what the action is"),
                    Length(max=WHAT_MAX, message="Keep the action under 1,000 characters")])
    owner = RadioField("Who will do it?", validate_choice=False,
                       choices=[(ActionOwner.MENTEE.value, "The mentee"),
                                (ActionOwner.MENTOR.value, "The mentor"),
                                (ActionOwner.BOTH.value, "Both of us")],
                       default=ActionOwner.MENTEE.value)
    # Not Optional(): it would hide the error of a half-typed date.
    due_on = DateInput("By when (optional)", "Enter the date as a real date, like 27 3 2027",
                       description="Leave it empty if there is no date.")
    session = SelectField("Which session did it come out of? (optional)",
                          validate_choice=False)
    submit = SubmitField("Add the action")

    def set_choices(self, goals: list[str], sessions: list[tuple[int, str]]) -> None:
        """The agreement's goals (each by its number) and "other"; the sessions to choose."""
        self.goal.choices = [(str(n), goal) for n, goal in enumerate(goals, 1)] + [
            ("other", "Something else")]
        self.goals = goals
        self.session.choices = [("", "None")] + [(str(sid), label) for sid, label in sessions]

    @property
    def goal_text(self) -> str:
        return "" if self.goal.data == "other" else self.goals[int(self.goal.data) - 1]

    @property
    def session_id(self) -> int | None:
        return int(self.session.data) if self.session.data else None

    def validate_goal(self, field: Field) -> None:
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose the goal this action serves, or something else")

    def validate_owner(self, field: Field) -> None:
        if field.data not in {o.value for o in ActionOwner}:
            raise ValidationError("Choose who will do it")

    def validate_session(self, field: Field) -> None:
        if (field.data or "") not in {value for value, _ in field.choices}:
            raise ValidationError("Choose one of your sessions, or none")


class ActionDoneForm(PortalForm):
    """Mark an action done ("yes") or not done after all ("no")."""

    done = HiddenField()

    def validate_done(self, field: Field) -> None:
        if field.data not in {"yes", "no"}:
            raise ValidationError("Choose done or not done")



# --- check-ins -----------------------------------------------------------------------------------

class CheckInForm(PortalForm):
    """A check-in's answer: three radios, on the check-in's page and behind the emailed
    one-tap links (there the tapped answer comes chosen, and one button sends it)."""

    answer = RadioField(
        "How is the mentoring going?", validate_choice=False,
        choices=[(a.value, a.label) for a in CheckInAnswer],
        description="If you need help or want to end the mentoring, we tell the scheme's "
                    "administrators straight away, and they will contact you.",
    )
    submit = SubmitField("Send my answer")

    def validate_answer(self, field: Field) -> None:
        if field.data not in {a.value for a in CheckInAnswer}:
            raise ValidationError("Choose how the mentoring is going")


# --- ending ---------------------------------------------------------------------------------------

class EndForm(PortalForm):
    """Ending a relationship: the reason is optional for the pair, required of an
    administrator (the verb checks that, since the same form serves both)."""

    category = RadioField(
        "Why is the mentoring ending? (optional)", validate_choice=False,
        choices=[(c.value, c.label) for c in EndCategory],
        description="Only the scheme's administrators see this. The other person is not told "
                    "the reason.")
    reason = TextAreaField("Anything the scheme should know (optional)", filters=[strip],
                           validators=[Length(max=2000)])
    submit = SubmitField("End our mentoring")

    #: Set for an administrator, who must give both the category and the reason.
    for_administrator: bool = False

    def validate_category(self, field: Field) -> None:
        if field.data and field.data not in {c.value for c in EndCategory}:
            raise ValidationError("Choose one of the reasons, or none")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.for_administrator:
            return valid
        if not self.category.data and not self.category.errors:
            self.category.errors.append("Choose why the scheme is ending this mentoring")
            valid = False
        if not self.reason.data and not self.reason.errors:
            self.reason.errors.append("Enter the reason the scheme is ending this mentoring")
            valid = False
        return valid

