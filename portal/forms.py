"""Form pieces shared by every area, and the one place where what people type is cleaned.

Every form in the portal derives from ``PortalForm`` (posted forms, with CSRF) or ``QueryForm``
(searches sent by GET). Both clean each submitted value before any field sees it, so no view,
validator or query meets a NUL byte or a lone surrogate, which PostgreSQL refuses with an error.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget


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


class _CleanMeta:
    """Mixed into the form's options: wraps whatever the form reads (request.form, request.args)
    in a cleaner."""

    def wrap_formdata(self, form, formdata):
        formdata = super().wrap_formdata(form, formdata)
        return None if formdata is None else CleanFormdata(formdata)


class PortalForm(FlaskForm):
    """The base of every posted form: CSRF-protected, and its input cleaned."""

    Meta = _CleanMeta


class QueryForm(Form):
    """The base of every search form read from the query string: its input cleaned."""

    Meta = _CleanMeta


class ConfirmForm(PortalForm):
    """Only a button and the CSRF token: the POST behind a page that asks "are you sure?"."""

    submit = SubmitField("Continue")


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered by the form macros as a GOV.UK-style fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def strip(value):
    """Trim surrounding white space, which people paste in by accident."""
    return value.strip() if isinstance(value, str) else value
