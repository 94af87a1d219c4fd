"""Caching headers seen by a real browser: personal pages are never stored, and a URL that answers
htmx with a fragment says so with `Vary: HX-Request`, so no cache hands a fragment to a person who
asked for the whole page (or the other way round)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import url_for

from tests.browser.keyboard import htmx_swap
from tests.browser.pages import Cast


@dataclass(frozen=True)
class Fragmented:
    """A page that answers htmx requests with a fragment of itself."""

    endpoint: str
    #: The URL's values, or a function of the Cast that gives them (for a call's id, say).
    values: dict[str, Any] | Callable[[Cast], dict[str, Any]] = field(default_factory=dict)
    #: Who asks (see Cast.person).
    who: str | None = "mentee"


#: Pages known to answer htmx with fragments. Add yours here; a page whose endpoint does not
#: exist yet is skipped. Every other GET page without URL arguments is checked by the walk below,
#: and every page in pages.py by test_pages.
FRAGMENTED = [
    Fragmented("mentors.search", {"q": "planning"}),
    # The mentor's inline Accept and Decline on the dashboard.
    Fragmented("calls.accept", lambda cast: {"call_id": cast.requested.id}, who="mentor"),
    Fragmented("calls.decline", lambda cast: {"call_id": cast.requested.id}, who="mentor"),
]

HX = {"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1/"}


@pytest.fixture
def cast(portal) -> Cast:
    return Cast(portal.app)


def vary(response) -> set[str]:
    return {part.strip().lower() for part in (response.headers.get("vary") or "").split(",")}


def is_whole_page(response) -> bool:
    html = "text/html" in (response.headers.get("content-type") or "")
    return html and "<html" in response.text()[:500].lower()


def check_pair(path: str, request) -> str | None:
    """Fetch ``path`` as a page and as htmx; a problem, or None."""
    page, fragment = request.get(path), request.get(path, headers=HX)
    if not (page.ok and fragment.ok and is_whole_page(page)) or is_whole_page(fragment):
        return None  # not a page, or the same whole page either way
    missing = [name for name, response in (("page", page), ("fragment", fragment))
               if "hx-request" not in vary(response)]
    if missing:
        return f"{path} answers htmx with a fragment but its {' and '.join(missing)} lacks Vary"
    return None


@pytest.mark.parametrize("spec", FRAGMENTED, ids=lambda spec: spec.endpoint)
def test_pages_that_answer_htmx_with_fragments_vary_on_it(spec, portal, cast, new_context):
    if spec.endpoint not in portal.app.view_functions:
        pytest.skip(f"{spec.endpoint} does not exist yet")
    values = spec.values(cast) if callable(spec.values) else spec.values
    with portal.app.test_request_context():
        path = url_for(spec.endpoint, **values)
    request = new_context(user=cast.person(spec.who)).request

    fragment = request.get(path, headers=HX)
    assert fragment.ok and not is_whole_page(fragment), f"{path} did not answer with a fragment"
    assert check_pair(path, request) is None, check_pair(path, request)


def simple_pages(app) -> list[str]:
    """Every GET route without URL arguments."""
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"})


def test_every_simple_page_that_answers_htmx_with_a_fragment_varies_on_it(portal, cast,
                                                                          new_context):
    problems = []
    for who in (None, cast.mentee, cast.mentor, cast.admin):
        request = new_context(user=who).request
        problems += [problem for path in simple_pages(portal.app)
                     if (problem := check_pair(path, request))]
    assert not problems, "\n".join(problems)


def test_every_page_a_signed_in_person_sees_is_not_stored(portal, cast, new_context):
    problems = []
    for who in (cast.mentee, cast.mentor, cast.admin):
        request = new_context(user=who).request
        for path in simple_pages(portal.app):
            response = request.get(path, max_redirects=0)
            if "no-store" not in (response.headers.get("cache-control") or ""):
                problems.append(f"{path} ({response.status}) for {who.full_name}: "
                                f"Cache-Control {response.headers.get('cache-control')!r}")
    assert not problems, "\n".join(problems)


def test_htmx_keeps_no_pages_in_its_history_cache(new_context, cast):
    page = new_context(js=True, user=cast.mentee).new_page()
    page.goto("/dashboard")
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("() => htmx.config.historyCacheSize") == 0
    assert page.evaluate("() => htmx.config.refreshOnHistoryMiss") is True
    assert page.evaluate("() => localStorage.getItem('htmx-history-cache')") in (None, "[]")


def test_going_back_after_a_live_search_reloads_the_page_from_the_portal(new_context, cast):
    """htmx keeps no copy of the results page: Back loads it again, whole, from the portal."""
    if "mentors.search" not in cast.app.view_functions:
        pytest.skip("mentor search does not exist yet")
    page = new_context(js=True, user=cast.mentee).new_page()
    page.goto("/search")
    page.evaluate("() => { window.samePage = true; }")
    box = page.locator("#q")
    box.click()
    with htmx_swap(page):
        box.press_sequentially("planner")
    page.wait_for_url(re.compile(r"[?&]q=planner"))
    assert page.evaluate("() => localStorage.getItem('htmx-history-cache')") in (None, "[]")

    # Back is a same-document navigation; htmx then finds no kept copy and reloads the page.
    # Wait for that new document's load event, not just its response: evaluating while the
    # reload is still committing fails with "execution context was destroyed".
    with (page.expect_event("load"),
          page.expect_response(lambda r: r.url.endswith("/search")) as restored):
        page.go_back()
    response = restored.value
    assert "hx-request" not in response.request.headers, "Back asked htmx for a fragment"
    assert "no-store" in (response.headers.get("cache-control") or "")
    assert page.evaluate("() => window.samePage") is None, "Back showed a kept copy"
    assert page.locator("#q").input_value() == ""
