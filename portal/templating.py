"""Template globals and filters shared by every page and email."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections import ChainMap
from importlib.resources import files
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from markupsafe import Markup

from portal.forms import DayMonthYear
from portal.mail.outbox import text_to_html

LONDON = ZoneInfo("Europe/London")

HTMX_VERSION = "2.0.8"
HTMX_CDN_URL = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
#: SHA-384 of the pinned file; the vendored copy in static/vendor is byte-identical.
HTMX_SRI = "sha384-/TgkGk7p307TH7EXJDuUlgG3Ce1UVolAOFopFekQkkXihi5u/6OCvVKyz1W+idaz"

#: The GOV.UK Frontend release built into static/vendor/govuk-frontend (make frontend), the one
#: govuk-frontend-jinja's macros render markup for.
GOVUK_FRONTEND_VERSION = "6.3.0"


def govuk_template_script_hash() -> str:
    """The CSP hash of the one inline script GOV.UK Frontend's page template writes (it marks the
    body as JavaScript-enabled before anything is drawn). Read from the installed template, so
    the policy follows the library rather than a copied value."""
    template = (files("govuk_frontend_jinja") / "templates" / "template.html").read_text("utf-8")
    script = re.search(r"<script[^>]*>(.*?)</script>", template, re.S)
    if script is None or "{" in script.group(1):
        raise RuntimeError("GOV.UK Frontend's page template no longer has one fixed inline "
                           "script: check the Content-Security-Policy in portal/security.py")
    digest = hashlib.sha256(script.group(1).encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def london(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LONDON)


def utc_stamp(value: dt.datetime | None) -> str:
    """'2026-03-03 14:30:00 UTC': a moment as audit records give it."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def format_datetime(value: dt.datetime | None) -> str:
    """'Tuesday 3 March 2026 at 2:30pm' in UK time, the GOV.UK style."""
    local = london(value)
    if local is None:
        return ""
    hour = local.strftime("%I").lstrip("0")
    minute = local.strftime("%M")
    ampm = local.strftime("%p").lower()
    time = f"{hour}{'' if minute == '00' else ':' + minute}{ampm}"
    if local.hour == 12 and local.minute == 0:
        time = "midday"
    return f"{local.strftime('%A')} {local.day} {local.strftime('%B %Y')} at {time}"


def format_clock(value: dt.datetime | None) -> str:
    """'10:42am' in UK time: a time earlier today."""
    local = london(value)
    if local is None:
        return ""
    hour = local.strftime("%I").lstrip("0")
    return f"{hour}:{local.strftime('%M')}{local.strftime('%p').lower()}"


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = london(value).date()
    return f"{value.day} {value.strftime('%B %Y')}"


def form_errors(form) -> dict:
    """The error summary's parameters for a form: one message a field (the one shown beside
    it), each linked to the box it is about (a date's day box, a group's first option), then
    the form's own errors."""
    items = []
    for field in form:
        if field.errors:
            target = f"{field.id}-day" if isinstance(field.widget, DayMonthYear) else field.id
            items.append({"text": field.errors[0], "href": f"#{target}"})
    items.extend({"text": error} for error in getattr(form, "form_errors", []))
    return {"titleText": "There is a problem", "errorList": items}


def example_day(days_ahead: int = 30) -> str:
    """A date in the three boxes' form and in the future, "27 3 2027": examples in hints and
    error messages are computed from today, so none of them is ever a date in the past."""
    day = dt.datetime.now(LONDON).date() + dt.timedelta(days=days_ahead)
    return f"{day.day} {day.month} {day.year}"


def date_example(days_ahead: int = 30) -> str:
    """A date hint's example: "For example, 27 3 2027"."""
    return f"For example, {example_day(days_ahead)}"


class _Globals(ChainMap):
    """A template's globals, as Jinja makes them (its own over the environment's), with a
    quicker ``in``. Each time a template imports macros, Jinja checks every global of the page
    against the imported template's: ChainMap's own check starts a generator for each, and a
    page of search results imports macros about 200 times (each result's summary list, tag and
    shortlist button), which took about a tenth of the page's time."""

    def __contains__(self, key) -> bool:
        for mapping in self.maps:  # noqa: SIM110  (any() would start the generator this avoids)
            if key in mapping:
                return True
        return False


class Varies:
    """A text that changes between calls of a component's macro made through ``reuse``."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value


class reuse:  # noqa: N801  (a template global, named as it reads in a template)
    """A GOV.UK Frontend macro called once for many components of the same shape, its output
    reused: for 20 search results, the summary list's macro runs once (per set of rows) rather
    than 20 times, the costliest part of the page.

        {% set summary = reuse(govukSummaryList) %}
        {{ summary({"rows": [{"key": {"text": "Grade"}, "value": {"text": varies(grade)}}]}) }}

    The macro is called with a numbered marker in place of each ``varies`` text, and its
    output is kept, split at the markers, for parameters of that shape; each call then puts its
    own texts where the markers were. That is the macro's own output whenever the macro only
    copies the text into the page (as the summary list's values and a button's label and id,
    which it writes with ``{{ }}``, ``trim`` and ``indent``): texts it might treat differently
    (not a string, empty, with spaces at an end or a line break, or with characters that
    escaping would change unless they are already markup) go to the macro itself instead. Make
    one per page render: it keeps nothing beyond it."""

    #: Text number i is marked "\ue000i\ue001": private-use characters no text is expected to hold.
    _MARKED = re.compile("\ue000([0-9]+)\ue001")
    #: What makes a text unsafe to put in place of a marker: markup keeps its characters.
    _UNSAFE = re.compile("[<>&'\"\n\ue000]|^\\s|\\s$")
    _UNSAFE_MARKUP = re.compile("[\n\ue000]|^\\s|\\s$")

    def __init__(self, macro) -> None:
        self.macro = macro
        self.shapes: dict[tuple, list] = {}

    def __call__(self, params: dict) -> Markup:
        texts: list = []
        shape = self._shape(params, texts)
        for text in texts:
            if (type(text) is not str and type(text) is not Markup) or not text or (
                    (self._UNSAFE_MARKUP if type(text) is Markup else self._UNSAFE).search(text)):
                return Markup(self.macro(self._marked(params, None)))
        try:
            pieces = self.shapes.get(shape)
        except TypeError:  # a value that cannot be a key
            return Markup(self.macro(self._marked(params, None)))
        if pieces is None:
            # [html, number, html, number, ..., html]: the numbers say which text goes there.
            pieces = self._MARKED.split(str(self.macro(self._marked(params, [0]))))
            pieces[1::2] = [int(number) for number in pieces[1::2]]
            self.shapes[shape] = pieces
        out = [pieces[0]]
        for at in range(1, len(pieces), 2):
            out.append(texts[pieces[at]])
            out.append(pieces[at + 1])
        return Markup("".join(out))

    @classmethod
    def _shape(cls, value, texts: list):
        """A key for the parameters with their ``varies`` texts left out (those go to texts)."""
        kind = type(value)
        if kind is Varies:
            texts.append(value.value)
            return Varies
        if kind is dict:
            return (dict, *[(key, cls._shape(item, texts)) for key, item in value.items()])
        if kind is list or kind is tuple:
            return (list, *[cls._shape(item, texts) for item in value])
        return kind, value  # the kind too: Markup("a") == "a", True == 1

    @classmethod
    def _marked(cls, value, number: list | None):
        """The parameters with each ``varies`` text marked (number: the next marker's), or
        the texts themselves (number None)."""
        kind = type(value)
        if kind is Varies:
            if number is None:
                return value.value
            number[0] += 1
            return f"\ue000{number[0] - 1}\ue001"
        if kind is dict:
            return {key: cls._marked(item, number) for key, item in value.items()}
        if kind is list or kind is tuple:
            return [cls._marked(item, number) for item in value]
        return value


#: How many pieces ``kept`` holds for an app before it starts again.
KEPT_PIECES = 256


def kept(key, caller) -> Markup:
    """A piece of a page rendered once and kept for the next pages that render it with the
    same ``key``, which must hold everything the piece shows that can change (a form's values,
    errors and choices: see QueryForm.rendering_key). For pieces that cost much to render and
    repeat, such as the search page's filters, the same on most searches. In a template:

        {% call kept(("search filters", form.rendering_key("sector", "format"))) %}...{% endcall %}

    Kept per app, at most KEPT_PIECES of them; nothing is kept while templates reload on
    change (development), so an edited template shows at once."""
    app = current_app._get_current_object()
    if app.jinja_env.auto_reload:
        return caller()
    pieces = app.extensions.setdefault("portal.kept", {})
    html = pieces.get(key)
    if html is None:
        html = caller()
        if len(pieces) >= KEPT_PIECES:
            pieces.clear()
        pieces[key] = html
    return html


def init_app(app: Flask) -> None:
    # The portal's own templates first, then GOV.UK Frontend's macros and the WTForms widgets
    # that render fields with them, each under its package's name.
    app.jinja_loader = ChoiceLoader([
        app.jinja_loader,
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    WTFormsHelpers(app)
    app.add_template_global(form_errors)
    app.add_template_global(date_example)
    app.add_template_global(reuse)
    app.add_template_global(kept)
    app.add_template_global(Varies, "varies")
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["clock"] = format_clock
    app.jinja_env.filters["email_html"] = text_to_html
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    environment_globals = app.jinja_env.globals
    app.jinja_env.make_globals = lambda own: _Globals({} if own is None else own,
                                                      environment_globals)

    @app.context_processor
    def globals_():
        vendored = current_app.config["HTMX_SOURCE"] == "vendored"
        return {
            "htmx_src": None if vendored else HTMX_CDN_URL,
            "htmx_sri": HTMX_SRI,
            "htmx_version": HTMX_VERSION,
            "portal_env": current_app.config["PORTAL_ENV"],
            "govuk_frontend_version": GOVUK_FRONTEND_VERSION,
        }
