"""After an emailed link has acted: one page, without the token in its address.

Every emailed link's POST (sign, submit, acknowledge, accept or decline a call, a line manager's
answer) records what happened in the session and answers 303 to ``/done``. The token so leaves
the address bar, the browser history and any Referer sent from the next page, and a reload
of the page cannot act a second time. The record is a few sentences in the person's own signed
session cookie; it is replaced by the next link's outcome and cleared on sign-out.
"""

from __future__ import annotations

from flask import Blueprint, Flask, make_response, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth import public

bp = Blueprint("links", __name__)

_KEY = "link_outcome"


def done(title: str, *paragraphs: str, link: tuple[str, str] | None = None) -> Response:
    """Remember what the link did and redirect (303) to the token-free outcome page.

    ``link`` is (text, url) of the page to go to next: a page that checks who is asking, so it
    is safe to show to whoever holds this browser.
    """
    session[_KEY] = {"title": title, "paragraphs": list(paragraphs),
                     "link": list(link) if link else None}
    return redirect(url_for("links.outcome"), 303)


@bp.route("/done")
@public("what an emailed link just did, from this browser's own session; no token, no id")
def outcome():
    """Anyone: what an emailed link just did, read from this browser's own session."""
    record = session.get(_KEY)
    if record is None:
        return redirect(url_for("main.dashboard" if current_user.is_authenticated
                                else "main.home"), 303)
    response = make_response(render_template("links/done.html", outcome=record))
    response.headers["Cache-Control"] = "no-store"  # it may name people, signed in or not
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
