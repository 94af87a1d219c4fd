"""Template globals and filters shared by every page and email."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from portal.mail.outbox import text_to_html

LONDON = ZoneInfo("Europe/London")

HTMX_VERSION = "2.0.8"
HTMX_CDN_URL = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
#: SHA-384 of the pinned file; the vendored copy in static/vendor is byte-identical.
HTMX_SRI = "sha384-/TgkGk7p307TH7EXJDuUlgG3Ce1UVolAOFopFekQkkXihi5u/6OCvVKyz1W+idaz"


def london(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LONDON)


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


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = london(value).date()
    return f"{value.day} {value.strftime('%B %Y')}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["email_html"] = text_to_html
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def globals_():
        vendored = current_app.config["HTMX_SOURCE"] == "vendored"
        return {
            "htmx_src": None if vendored else HTMX_CDN_URL,
            "htmx_sri": HTMX_SRI,
            "htmx_version": HTMX_VERSION,
            "portal_env": current_app.config["PORTAL_ENV"],
        }
