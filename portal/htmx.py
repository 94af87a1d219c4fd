"""The one place that decides between an htmx fragment and a whole page."""

from __future__ import annotations

from flask import Response, make_response, render_template, request


def is_fragment_request() -> bool:
    """True for a non-boosted htmx request, which wants only the changed part of the page."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"


def render(template: str, fragment: str | None = None, status: int = 200, **context) -> Response:
    """Render the page, or only its partial ``fragment`` for an htmx request."""
    name = fragment if fragment and is_fragment_request() else template
    response = make_response(render_template(name, **context), status)
    response.vary.add("HX-Request")
    return response
