"""Forms for mentor profiles, search and the shortlist."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import MultiCheckboxField, PortalForm, QueryForm, strip
from portal.mentors.models import MeetingFormat, Sector
from portal.mentors.profiles import missing_for_publication

SECTORS = [(Sector.PUBLIC.value, "Public sector"), (Sector.PRIVATE.value, "Private sector"),
           (Sector.VOLUNTARY.value, "Voluntary sector")]
FORMATS = [(MeetingFormat.IN_PERSON.value, "In person"), (MeetingFormat.ONLINE.value, "Online"),
           (MeetingFormat.EITHER.value, "In person or online")]
TEXT_LIMIT = 4000


def _enum(cls, value):
    try:
        return cls(value)
    except ValueError:
        return None


class ProfileForm(PortalForm):
    display_name = StringField(
        "Your name", filters=[strip],
        validators=[InputRequired("Enter your name"),
                    Length(max=200, message="Your name must be 200 characters or fewer")],
        description="As you would like mentees to see it.")
    job_title = StringField("Job title", filters=[strip], validators=[
        Length(max=200, message="Your job title must be 200 characters or fewer")])
    organisation = StringField("Organisation", filters=[strip], validators=[
        Length(max=200, message="Your organisation must be 200 characters or fewer")])
    sector = RadioField("Sector", choices=SECTORS, default=Sector.PUBLIC.value,
                        validate_choice=False,
                        validators=[InputRequired("Select the sector you work in")])
    grade = StringField(
        "Grade or level", filters=[strip],
        validators=[Optional(), Length(max=100, message="Grade or level must be 100 characters "
                                                        "or fewer")],
        description="As your organisation names it, for example Grade 7 or Principal planner.")
    expertise = MultiCheckboxField("Areas of expertise", description="Select all that apply.",
                                   validate_choice=False)
    background = TextAreaField(
        "Professional background", filters=[strip],
        validators=[Length(max=TEXT_LIMIT, message="Professional background must be "
                                                   f"{TEXT_LIMIT:,} characters or fewer")],
        description="The roles you have held and the work you know well.")
    offer = TextAreaField(
        "What I can offer", filters=[strip],
        validators=[Length(max=TEXT_LIMIT, message="What you can offer must be "
                                                   f"{TEXT_LIMIT:,} characters or fewer")],
        description="How you could help a mentee, and the kind of mentee you would suit.")
    experience = TextAreaField(
        "Mentoring experience", filters=[strip],
        validators=[Optional(), Length(max=TEXT_LIMIT, message="Mentoring experience must be "
                                                               f"{TEXT_LIMIT:,} characters or "
                                                               "fewer")],
        description="Any mentoring or coaching you have done, and any training. It is fine to "
                    "be new to it.")
    meeting_format = RadioField("How you can meet", choices=FORMATS,
                                default=MeetingFormat.EITHER.value, validate_choice=False,
                                validators=[InputRequired("Select how you can meet")])
    location = StringField(
        "Location", filters=[strip],
        validators=[Length(max=200, message="Location must be 200 characters or fewer")],
        description="A town or area where you could meet in person. Not your address.")
    capacity = IntegerField(
        "How many mentees can you mentor at once?",
        validators=[InputRequired("Enter how many mentees you can mentor at once, from 1 to 10"),
                    NumberRange(min=1, max=10, message="Enter a number from 1 to 10")])
    accepting = BooleanField("I am accepting new mentees", default=True)

    def __init__(self, *args, scheme=None, require_complete: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.expertise.choices = [(a, a) for a in (scheme.expertise_areas if scheme else [])]
        self.require_complete = require_complete

    # WTForms' own "not a valid choice" messages do not say what to do; these do.
    def validate_expertise(self, field):
        allowed = {value for value, _ in field.choices}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError("Select areas of expertise from the list")

    def validate_sector(self, field):
        if _enum(Sector, field.data) is None:
            raise ValidationError("Select the sector you work in")

    def validate_meeting_format(self, field):
        if _enum(MeetingFormat, field.data) is None:
            raise ValidationError("Select how you can meet")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.capacity.process_errors:
            blank = not (self.capacity.raw_data and self.capacity.raw_data[0].strip())
            self.capacity.errors = [self.capacity.validators[0].message if blank
                                    else "Enter a number from 1 to 10"]
        if self.require_complete:
            # A published or hidden profile must stay complete: mentees may be reading it.
            for name, message in missing_for_publication(self.values()).items():
                if not getattr(self, name).errors:
                    getattr(self, name).errors.append(message)
                    valid = False
        return valid

    def values(self) -> dict:
        return {
            "display_name": self.display_name.data or "",
            "job_title": self.job_title.data or "",
            "organisation": self.organisation.data or "",
            "sector": _enum(Sector, self.sector.data),
            "grade": self.grade.data or "",
            "expertise": list(self.expertise.data or []),
            "background": self.background.data or "",
            "offer": self.offer.data or "",
            "experience": self.experience.data or "",
            "meeting_format": _enum(MeetingFormat, self.meeting_format.data),
            "location": self.location.data or "",
            "capacity": self.capacity.data,
            "accepting": bool(self.accepting.data),
        }


class SearchForm(QueryForm):
    """The search box and filters: a plain GET, so every search has a URL to bookmark."""

    # No Optional() on the text filters: every filter is optional, so labels need not say so.
    # The selects need Optional() (an empty choice is no filter, not an error), so they take
    # the library's plain select, which does not add "(optional)" to the label as the portal's does.
    q = SearchField("Search by skills, job title, organisation or any words", filters=[strip],
                    validators=[Length(max=200)])
    scheme = SelectField("Scheme", validators=[Optional()], widget=GovSelect())
    expertise = MultiCheckboxField("Expertise", description="Mentors with any of these.",
                                   validate_choice=False)
    organisation = StringField("Organisation", filters=[strip], validators=[Length(max=200)])
    sector = SelectField("Sector", choices=[("", "Any sector"), *SECTORS],
                         validators=[Optional()], widget=GovSelect())
    level = StringField("Grade or level", filters=[strip], validators=[Length(max=100)])
    format = SelectField("How you want to meet",
                         choices=[("", "In person or online"),
                                  (MeetingFormat.IN_PERSON.value, "In person"),
                                  (MeetingFormat.ONLINE.value, "Online")],
                         validators=[Optional()], widget=GovSelect())
    location = StringField("Location", filters=[strip], validators=[Length(max=200)])
    capacity = BooleanField("Only mentors with places free")
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1)])

    def __init__(self, formdata, *, schemes, **kwargs):
        super().__init__(formdata, **kwargs)
        self.scheme.choices = [("", "All your schemes")] + [(str(s.id), s.name) for s in schemes]
        selected = [s for s in schemes if str(s.id) == (self.scheme.data or "")]
        areas = sorted({a for s in (selected or schemes) for a in (s.expertise_areas or [])})
        self.expertise.choices = [(a, a) for a in areas]

    def clean(self) -> dict:
        """The valid values, dropping any that do not make sense (an old bookmark, a typo)."""
        self.validate()
        good = {name: field.data for name, field in self._fields.items() if not field.errors}
        allowed_areas = {value for value, _ in self.expertise.choices}
        return {
            "text": good.get("q") or "",
            "scheme_id": int(good["scheme"]) if good.get("scheme") else None,
            "expertise": [a for a in (self.expertise.data or []) if a in allowed_areas],
            "organisation": good.get("organisation") or "",
            "sector": Sector(good["sector"]) if good.get("sector") else None,
            "grade": good.get("level") or "",
            "meeting_format": MeetingFormat(good["format"]) if good.get("format") else None,
            "location": good.get("location") or "",
            "has_capacity": bool(good.get("capacity")),
            "page": good.get("page") or 1,
        }

    def in_use(self, criteria: dict) -> list[tuple[str, str]]:
        """The search's words and filters in use, as (field name, what to call it), in the
        order the page shows them: for a search that found nothing, each may be dropped."""
        used = []
        if criteria["text"]:
            used.append(("q", f"your words, \u201c{criteria['text']}\u201d"))
        if criteria["expertise"]:
            used.append(("expertise", "expertise: " + ", ".join(criteria["expertise"])))
        for name, key, label in (("organisation", "organisation", "organisation"),
                                 ("level", "grade", "grade or level"),
                                 ("location", "location", "location")):
            if criteria[key]:
                used.append((name, f"{label}, \u201c{criteria[key]}\u201d"))
        if criteria["sector"]:
            used.append(("sector", dict(SECTORS)[criteria["sector"].value].lower()))
        if criteria["meeting_format"]:
            used.append(("format", "how you want to meet"))
        if criteria["has_capacity"]:
            used.append(("capacity", "only mentors with places free"))
        if criteria["scheme_id"] is not None and len(self.scheme.choices) > 2:
            used.append(("scheme", "the scheme you chose"))
        return used


class NoteForm(PortalForm):
    class Meta:
        # One form per shortlisted mentor, each with its own prefix; the app-wide CSRF check
        # (which reads the page's token) guards the post.
        csrf = False

    note = TextAreaField(
        "Your private note", filters=[strip],
        validators=[Length(max=2000, message="Your note must be 2,000 characters or fewer")],
        description="Only you can see this.")
