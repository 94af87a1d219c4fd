"""Tokens of emailed links kept out of every log: gunicorn's access log, the app's error log and
the development server's request log. A log reader could otherwise use a live link.

The one pattern for a token lives here; gunicorn.conf.py imports it, so this module imports
nothing heavier than the standard library.
"""

from __future__ import annotations

import logging
import re

#: An emailed link's token anywhere in a line: reference.signature (portal/tokens.py), or the
#: earlier payload.timestamp.signature, still accepted until those links expire.
TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,}(?:\.[A-Za-z0-9_\-]{4,})?\.[A-Za-z0-9_\-]{20,}")


def redact(text: str) -> str:
    """``text`` with every token replaced by [token]."""
    return TOKEN.sub("[token]", text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message, exception and stack text without tokens; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN.search(message):
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            # Format it now, as a handler would, so the cached text is the redacted one.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _install(target: logging.Logger | logging.Handler) -> None:
    if not any(isinstance(f, RedactTokens) for f in target.filters):
        target.addFilter(RedactTokens())


def init_app(app) -> None:
    """Filter the app's logger (Flask logs a failed request's path there), werkzeug's request
    log (the development server), and the handlers already on the root and app loggers."""
    for logger in (app.logger, logging.getLogger("werkzeug")):
        _install(logger)
    for handler in logging.getLogger().handlers + app.logger.handlers:
        _install(handler)
