"""One domain error type, and the handlers that turn errors into clear pages."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from portal.extensions import db
from portal.htmx import is_fragment_request


class DomainError(Exception):
    """A request that the current state or the actor does not allow. Nothing was changed.

    ``status`` is 409 for a wrong state and 403 for a wrong person; ``next_step`` tells the
    person what they can do instead.
    """

    status = 409

    def __init__(self, message: str, *, next_step: str | None = None, status: int | None = None,
                 title: str | None = None):
        super().__init__(message)
        self.message = message
        self.next_step = next_step
        self.title = title
        if status is not None:
            self.status = status


class NotAllowed(DomainError):
    """The person asking may not do this."""

    status = 403


def register_error_handlers(app: Flask) -> None:
    """Render every error as a page in the portal's layout (or a fragment for htmx)."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        template = "errors/_domain.html" if is_fragment_request() else "errors/domain.html"
        return render_template(template, error=error), error.status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("errors/csrf.html"), 400

    for code in (400, 403, 404, 405, 410, 413, 429, 500):
        app.register_error_handler(code, _page_for(code))


_TITLES = {
    400: "Something in the request was not right",
    403: "You cannot see or do this",
    404: "Page not found",
    405: "This page cannot do that",
    410: "This link no longer works",
    413: "What you sent is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def _page_for(code: int):
    def handler(error):
        if code == 500:
            db.session.rollback()
        description = getattr(error, "description", None)
        return (
            render_template("errors/http.html", code=code, title=_TITLES[code],
                            description=description, path=request.path),
            code,
        )

    return handler
