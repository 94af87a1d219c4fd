"""One domain error type, and the handlers that turn errors into clear pages."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc

from portal.extensions import db, login_manager
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

    # The database is down, restarting or busy. htmx requests get the same 503 page, which
    # htmx-config (base.html) never swaps into the page: 5xx answers are errors, not content.
    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.PendingRollbackError)
    def database_error(error: Exception):
        if not database_unavailable(error):
            raise error  # a bug, not an outage: the 500 page, with its traceback in the log
        return unavailable(error)

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


#: How long to wait before trying again, in seconds: about as long as a database restart.
RETRY_AFTER_SECONDS = 5

#: SQLite's own words for "another process has the database for a moment" or "the file cannot be
#: reached"; its other OperationalErrors ("no such table") are bugs.
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "database is busy",
                     "unable to open database file", "disk i/o error")


def database_unavailable(error: BaseException | None) -> bool:
    """True when ``error`` means the database cannot be reached, is restarting or is busy, so
    the same request is worth sending again in a moment."""
    if isinstance(error, sa_exc.PendingRollbackError):
        return True  # the connection died earlier in this request's transaction
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error, sa_exc.InterfaceError):
        return True
    if not isinstance(error, sa_exc.OperationalError):
        return False
    if type(error.orig).__module__.startswith("sqlite3"):
        return str(error.orig).lower().startswith(_SQLITE_TRANSIENT)
    # PostgreSQL: refused or dropped connections, "the database system is starting up",
    # administrator shutdown, deadlocks and serialization failures: all worth a retry.
    return True


def unavailable(error: BaseException):
    """503 with Retry-After and the portal's "try again in a moment" page.

    The request's transaction is rolled back and its session removed, so nothing half-made is
    committed and the next request checks out a fresh connection (the pool pings it first).
    The page reads nothing from the database: the person is treated as signed out for it.
    """
    for step in (db.session.rollback, db.session.remove):
        # A connection that is already gone cannot roll back; the pool discards it.
        with contextlib.suppress(sa_exc.SQLAlchemyError):
            step()
    g._login_user = login_manager.anonymous_user()  # Flask-Login's per-request user
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    # One line, on the app's logger (which keeps emailed links' tokens out of the path).
    current_app.logger.warning("Database unavailable, answered 503 to %s %s: %s: %s",
                               request.method, request.path, type(error).__name__,
                               reason[0] if reason else "")
    try:
        body = render_template("errors/unavailable.html", service_unavailable=True)
    except Exception:  # never turn an outage into a bare 500: the words without the layout
        body = ("Sorry, there is a problem with the service. Try again in a moment. Anything "
                "you sent has not been saved; you can send it again.")
    response = make_response(body, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_for(code: int):
    def handler(error):
        if code == 500:
            original = getattr(error, "original_exception", None)
            if database_unavailable(original):  # raised outside a view (a hook, a commit)
                return unavailable(original)
            db.session.rollback()
        description = getattr(error, "description", None)
        return (
            render_template("errors/http.html", code=code, title=_TITLES[code],
                            description=description, path=request.path),
            code,
        )

    return handler
