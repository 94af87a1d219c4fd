"""Response headers and session lifetime checks applied to every request."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from portal.templating import HTMX_CDN_URL, govuk_template_script_hash


def init_app(app: Flask) -> None:
    app.extensions["content_security_policy"] = content_security_policy(app.config)
    app.before_request(_expire_idle_sessions)
    app.after_request(_headers)
    app.add_template_global(session_seconds_left)


def content_security_policy(config) -> str:
    """The policy for every page: scripts only from the portal, or the one pinned htmx file.

    Naming the exact file rather than the CDN's host keeps every other package on that CDN
    out; the page's SRI hash pins its bytes as well. The one inline script allowed is GOV.UK
    Frontend's one-line "JavaScript is on" marker, by its hash (not 'unsafe-inline').
    """
    scripts = "'self'" if config["HTMX_SOURCE"] == "vendored" else f"'self' {HTMX_CDN_URL}"
    scripts += f" '{govuk_template_script_hash()}'"
    return (f"default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'")


def _expire_idle_sessions():
    """Sign out after the idle limit and after the absolute limit, whichever comes first."""
    if not current_user.is_authenticated:
        return None
    config = flask_config()
    now = time.time()
    seen = session.get("seen", 0)
    started = session.get("signed_in_at", 0)
    if now - seen > config["SESSION_IDLE_MINUTES"] * 60 or (
        now - started > config["SESSION_MAX_HOURS"] * 3600
    ):
        logout_user()
        session.clear()
        if request.headers.get("HX-Request"):
            # An htmx request (a form's draft) must not swap the sign-in page into the page:
            # 401 swaps nothing, and static/js/timeout.js takes the person to sign in.
            return "", 401
        flash("You were signed out because you had not used the portal for a while. "
              "Sign in again to carry on.", "info")
        return redirect(url_for("accounts.sign_in", next=request.full_path
                                if request.method == "GET" else None), 303)
    if now - seen > 30:  # avoid re-issuing the cookie on every request
        session["seen"] = now
    return None


def session_seconds_left(limit: str = "either") -> int:
    """Seconds until the signed-in person's session ends (idle or absolute limit, whichever
    is first; or only the absolute one, ``limit="absolute"``, which staying active cannot
    move): the timeout warning (static/js/timeout.js) opens 2 minutes before."""
    config = flask_config()
    now = time.time()
    idle = config["SESSION_IDLE_MINUTES"] * 60 - (now - session.get("seen", 0))
    total = config["SESSION_MAX_HOURS"] * 3600 - (now - session.get("signed_in_at", 0))
    return max(int(total if limit == "absolute" else min(idle, total)), 0)


def flask_config():
    return current_app.config


def _headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Links in emails carry tokens: never leak a URL to another site.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy",
                       current_app.extensions["content_security_policy"])
    personal = current_user.is_authenticated or (request.view_args or {}).get("token")
    if personal:
        # Personal pages and emailed-link pages must not be kept by browsers or proxies.
        headers["Cache-Control"] = "no-store"
    if current_user.is_authenticated:
        # htmx requests and "Stay signed in" refresh the session: the warning counts from here.
        headers["X-Session-Seconds-Left"] = str(session_seconds_left())
    if flask_config().get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response

