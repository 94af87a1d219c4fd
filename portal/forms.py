"""Form pieces shared by every area, and the one place where what people type is cleaned.

Every form in the portal derives from ``PortalForm`` (posted forms, with CSRF) or ``QueryForm``
(searches sent by GET). Both clean each submitted value before any field sees it, so no view,
validator or query meets a NUL byte or a lone surrogate, which PostgreSQL refuses with an error.
Both also render every field with GOV.UK Frontend's components (through govuk-frontend-wtf's
widgets), chosen here by the field's kind, so a template writes ``{{ form.name() }}`` and gets
the label, hint, error message and fieldset the Design System asks for.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)


def _cleaning_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Control characters, except tab, line feed and carriage return: invisible, and NUL is
    # refused by PostgreSQL. (Text pasted from PDFs and Word documents can carry them.)
    for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F):
        table[code] = None
    # C1 control characters only arrive when Windows-1252 text was read as Latin-1: give back
    # the character that was meant (0x93 and 0x94 are curly quotes), and drop the five unused.
    for code in range(0x80, 0xA0):
        try:
            table[code] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            table[code] = None
    # Lone surrogates cannot be stored or sent in any encoding.
    for code in range(0xD800, 0xE000):
        table[code] = None
    # Spaces that look like spaces: make them spaces, so that searches, names and the "strip"
    # filter treat them alike. Line and paragraph separators become new lines.
    for code in (0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000):
        table[code] = " "
    table[0x2028] = table[0x2029] = "\n"
    # Zero-width space, word joiner and byte order mark: invisible, and they stop a pasted
    # name or reference from matching. Zero-width (non-)joiners stay: Persian, the Indian
    # scripts and emoji sequences need them.
    for code in (0x200B, 0x2060, 0xFEFF):
        table[code] = None
    # Directional embeddings, overrides and isolates can make text read differently from what
    # it says (a name shown backwards in an agreement). Browsers lay out right-to-left text
    # without them; the left-to-right and right-to-left marks, which people do use, stay.
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = None
    return table


_TABLE = _cleaning_table()


def clean_text(value: str) -> str:
    """``value`` without invisible or unstorable characters; real text in any script is kept."""
    return value.translate(_TABLE)


class CleanFormdata:
    """Submitted values, each cleaned when a field asks for it (so an oversized pile of unknown
    names costs nothing). Files pass through untouched."""

    def __init__(self, formdata) -> None:
        self._formdata = formdata

    def __contains__(self, name: str) -> bool:
        return name in self._formdata

    def __iter__(self):
        return iter(self._formdata)

    def __len__(self) -> int:
        return len(self._formdata)

    def getlist(self, name: str) -> list:
        return [clean_text(v) if isinstance(v, str) else v for v in self._formdata.getlist(name)]

    def get(self, name: str, default=None):
        values = self.getlist(name)
        return values[0] if values else default


# --- rendering: GOV.UK Frontend's components for every field -----------------------------------

#: Browsers' own "Please fill in this field" bubbles are not accessible and do not match the
#: error messages beside the field, so no field asks the browser to check it: the portal does.
_NOT_REQUIRED = {"value": False, "optional": True}


class _ServerChecked:
    def __call__(self, field, **kwargs):
        kwargs.setdefault("required", _NOT_REQUIRED)
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        # A template that styles the legend gives a fieldset of its own, which the library
        # then leaves without the question: put the field's label back.
        legend = (params.get("fieldset") or {}).get("legend")
        if legend is not None and not legend.get("text") and not legend.get("html"):
            legend["text"] = field.label.text
        if params.get("hint") and not params["hint"].get("text") and not params["hint"].get("html"):
            del params["hint"]  # groups pass an empty hint, which would draw an empty box
        # A question people may skip says so, as the GOV.UK pattern asks.
        if field.flags.optional and not field.flags.required:
            caption = (params.get("fieldset") or {}).get("legend") or params.get("label")
            if caption and caption.get("text") and not caption["text"].endswith("(optional)"):
                caption["text"] += " (optional)"
        return params


class TextInput(_ServerChecked, GovTextInput):
    pass


class EmailInput(_ServerChecked, GovTextInput):
    """An email address: the right keyboard on a phone, no spelling corrections."""

    input_type = "email"

    def __call__(self, field, **kwargs):
        kwargs.setdefault("spellcheck", "false")
        kwargs.setdefault("autocomplete", "email")
        return super().__call__(field, **kwargs)


class TextArea(_ServerChecked, GovTextArea):
    pass


class Select(_ServerChecked, GovSelect):
    pass


class _OwnIds:
    """Options' ids from the field's id, not its name: a page can hold two forms with the same
    field names (the mentor's dashboard opens several answer forms), each with ids of its own."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("idPrefix", field.id)
        return params


class Radios(_OwnIds, _ServerChecked, GovRadioInput):
    pass


class Checkboxes(_OwnIds, _ServerChecked, GovCheckboxesInput):
    pass


class Checkbox(_ServerChecked, GovCheckboxInput):
    pass


class DayMonthYear(_ServerChecked, GovDateInput):
    """GOV.UK's date input: three boxes under the field's one name. A field read from one value
    (a date sent by an older page, or a test) shows that date in the boxes."""

    def map_gov_params(self, field, **kwargs):
        raw = field.raw_data
        if not (raw and len(raw) == 3):
            day = field.data if isinstance(field.data, dt.date) else parse_day(
                field.data if isinstance(field.data, str) else "")
            field.raw_data = ([str(day.day), str(day.month), str(day.year)] if day
                              else ["", "", ""])
        try:
            params = super().map_gov_params(field, **kwargs)
        finally:
            field.raw_data = raw
        for item, part in zip(params["items"], ("day", "month", "year"), strict=True):
            item["id"] = f"{field.id}-{part}"  # the field's id, as for radios (see _OwnIds)
        return params


class Button(GovSubmitInput):
    pass


#: The widget for each kind of field, most specific kind first.
_WIDGETS: list[tuple[type, type | None]] = [
    (HiddenField, None), (SubmitField, Button), (BooleanField, Checkbox), (RadioField, Radios),
    (SelectMultipleField, Checkboxes), (SelectField, Select), (TextAreaField, TextArea),
    (EmailField, EmailInput), (StringField, TextInput),
]


def gov_widget(field_class: type):
    """The GOV.UK widget that renders fields of ``field_class``, or None for WTForms' own."""
    if issubclass(field_class, (DateText, DateInput)):
        return DayMonthYear()
    for kind, widget in _WIDGETS:
        if issubclass(field_class, kind):
            return widget() if widget else None
    if issubclass(field_class, Field) and not issubclass(field_class, HiddenField):
        return TextInput()  # numbers and other one-line answers
    return None


class _CleanMeta:
    """Mixed into the form's options: wraps whatever the form reads (request.form, request.args)
    in a cleaner, and gives each field its GOV.UK widget unless the form names another."""

    def wrap_formdata(self, form, formdata):
        formdata = super().wrap_formdata(form, formdata)
        return None if formdata is None else CleanFormdata(formdata)

    def bind_field(self, form, unbound_field, options):
        if "widget" not in unbound_field.kwargs:
            widget = gov_widget(unbound_field.field_class)
            if widget is not None:
                options = dict(options, widget=widget)
        return super().bind_field(form, unbound_field, options)


class PortalForm(FlaskForm):
    """The base of every posted form: CSRF-protected, and its input cleaned."""

    Meta = _CleanMeta


class QueryForm(Form):
    """The base of every search form read from the query string: its input cleaned."""

    Meta = _CleanMeta

    def rendering_key(self, *names: str) -> str:
        """What the named fields' HTML depends on that can change from one request to the
        next (what was sent, the values, the errors, the choices), as a key for templating.kept:
        labels, hints and widgets are the form class's own."""
        return repr([(name, field.raw_data, field.data, field.errors,
                      getattr(field, "choices", None))
                     for name in names for field in (self[name],)])


class ConfirmForm(PortalForm):
    """Only a button and the CSRF token: the POST behind a page that asks "are you sure?"."""

    submit = SubmitField("Continue")


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes in a fieldset (GOV.UK's checkboxes component)."""


# --- dates ------------------------------------------------------------------------------------

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
#: Month names and their usual short forms ("mar", "sept") to numbers.
_MONTHS = {**{name: n for n, name in enumerate(_MONTH_NAMES, 1)},
           **{name[:3]: n for n, name in enumerate(_MONTH_NAMES, 1)}, "sept": 9}


def parse_day(text: str) -> dt.date | None:
    """A date from the three boxes (27 3 2026), as an ISO date (2026-03-27), or as people in
    the UK type one: 27/3/2026, 27-03-2026, 27.3.2026, 27 March 2026, 27 Mar 2026. Day first,
    always; None if it is not a real date."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    parts = re.split(r"[\s/.,-]+", text.lower())
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    month = int(parts[1]) if parts[1].isdigit() else _MONTHS.get(parts[1])
    year = int(parts[2])
    if month is None or not 1000 <= year <= 9999:
        return None
    try:
        return dt.date(year, month, int(parts[0]))
    except ValueError:
        return None


def _joined(valuelist) -> str:
    """The date input's three boxes as one text, "27 3 2026"; one value as it came."""
    if valuelist and len(valuelist) == 3:
        parts = [v.strip() if isinstance(v, str) else "" for v in valuelist]
        return " ".join(parts) if any(parts) else ""
    return valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""


class DateText(StringField):
    """A date typed in the three boxes, kept as text for a form that reads it with a time."""

    def process_formdata(self, valuelist):
        self.data = _joined(valuelist)


class DateInput(Field):
    """A date typed in the three boxes, as a ``datetime.date``, with a message people
    understand when it is not a real date."""

    def __init__(self, label: str, message: str, **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.message = message

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, dt.date) else ""

    def process_formdata(self, valuelist):
        text = _joined(valuelist)
        self.data = parse_day(text) if text else None
        if text and self.data is None:
            raise ValueError(self.message)


#: A phone number as people write one: digits, spaces, brackets, dashes, a leading +.
PHONE = re.compile(r"^\+?[0-9 ()-]{7,30}$")


def strip(value):
    """Trim surrounding white space, which people paste in by accident."""
    return value.strip() if isinstance(value, str) else value
