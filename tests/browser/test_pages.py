"""Every page in tests/browser/pages.py, in Chromium, with JavaScript on and off: no WCAG 2.2 AA
problems that axe-core can find, the right status, one h1, titles that say which page and whether
the form has errors, personal pages kept out of caches (and out of htmx's history), and
`Vary: HX-Request` wherever the same address answers htmx with a fragment.

These tests only look (the forms they send have errors, so nothing changes), so the module shares
one portal and one database, where each step of the journey is built once, by the first page that
needs it, and one tab per person with JavaScript on and one with it off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.browser.conftest import live_portal, reused_tabs
from tests.browser.live import LivePortal
from tests.browser.pages import PAGES, Cast, by_name
from tests.browser.test_headers import check_pair

SUFFIX = " – Mentoring portal"

#: The title of each page seen so far in this run (the title test fills in any not seen).
TITLES: dict[str, str] = {}


@pytest.fixture(scope="module")
def portal(tmp_path_factory, mail_sink) -> Iterator[LivePortal]:
    with live_portal(tmp_path_factory.mktemp("pages"), mail_sink) as live:
        yield live


@pytest.fixture(scope="module")
def cast(portal) -> Cast:
    TITLES.clear()
    return Cast(portal.app)


@pytest.fixture(scope="module")
def tab(browser, portal, cast) -> Iterator[Callable]:
    with reused_tabs(browser, portal, cast.person) as tab:
        yield tab


def open_page(spec, cast, tab, js=True):
    if not spec.available(cast.app):
        pytest.skip(f"{spec.needs} does not exist yet")
    page = tab(spec.who, js)
    response = spec.open(page, cast)
    assert response.status == spec.status, f"{spec.name}: {response.status} at {page.url}"
    return page, response


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_page_is_accessible(spec, cast, tab, check_axe):
    for js in (True, False):
        tab(spec.who, js).context.script_errors.clear()
        page, response = open_page(spec, cast, tab, js)
        where = f"{spec.name}, JavaScript {'on' if js else 'off'}"
        # Errors a page logs itself, such as a form's 400, are the browser's, not a script's.
        errors = [e for e in page.context.script_errors if "Failed to load resource" not in e]
        assert errors == [], f"{where}: errors in the browser's console: {errors}"

        try:
            check_axe(page)
        except AssertionError as problem:
            raise AssertionError(f"{where}: {problem}") from None
        title = TITLES[spec.name] = page.title()
        assert title.endswith(SUFFIX), where
        assert title.startswith("Error: ") == bool(spec.errors_of), f"{where}: {title}"
        assert not title.startswith("Error: Error: "), f"{where}: {title}"
        assert page.locator("h1").count() == 1, f"{where}: not one h1"
        cache = response.header_value("cache-control") or ""
        if spec.personal:
            assert "no-store" in cache, f"{where} may be stored: Cache-Control {cache!r}"
        else:
            assert "no-store" not in cache, where
        if response.request.method == "GET":
            # The same address asked for by htmx: a fragment must say so to caches.
            problem = check_pair(page.url.removeprefix(portal_url(cast)), page.context.request)
            assert problem is None, problem
        if js and spec.personal:
            assert page.evaluate("() => localStorage.getItem('htmx-history-cache')") in (
                None, "[]"), f"{where}: htmx kept a copy of a personal page"


def portal_url(cast: Cast) -> str:
    return cast.app.config["BASE_URL"]


def test_titles_are_unique_and_name_the_page(cast, tab):
    for spec in PAGES:  # any the tests above did not see
        if spec.available(cast.app) and spec.name not in TITLES:
            spec.open(tab(spec.who, False), cast)
            TITLES[spec.name] = tab(spec.who, False).title()
    titles = dict(TITLES)

    pages = {name: title for name, title in titles.items() if by_name(name).status == 200}
    sharing: dict[str, set[str]] = {}  # title -> the pages it names, as declared
    for name, title in pages.items():
        sharing.setdefault(title, set()).add(by_name(name).same_title_as or name)
    repeated = {title: names for title, names in sharing.items() if len(names) > 1}
    assert not repeated, f"pages share a title: {repeated}"
    for name, title in titles.items():
        spec = by_name(name)
        if spec.errors_of:
            assert title == "Error: " + titles[spec.errors_of]
        elif spec.status != 200:
            assert title not in pages.values() and title != "Mentoring portal" + SUFFIX, title


@pytest.mark.parametrize(("name", "current"), [("schemes", "Schemes"),
                                               ("register-choose", "Register"),
                                               ("dashboard", "Dashboard"),
                                               ("search", "Find a mentor"),
                                               ("shortlist", "Shortlist"),
                                               ("my-profiles", "My mentor profile"),
                                               ("admin-agreements", "Administration")])
def test_main_navigation_says_which_page_you_are_on(name, current, cast, tab):
    page, _ = open_page(by_name(name), cast, tab, js=False)
    marked = page.get_by_role("navigation", name="Main").locator("[aria-current=page]")
    assert marked.all_inner_texts() == [current]


@pytest.fixture(scope="module")
def phone_tab(browser, portal, cast) -> Iterator[Callable]:
    with reused_tabs(browser, portal, cast.person, width=320) as tab:
        yield tab


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_every_page_is_accessible_on_a_320_pixel_phone(spec, cast, phone_tab, check_axe):
    """WCAG's reflow width (400% zoom of 1280 px). GOV.UK Frontend has one breakpoint below
    its tablet width (641 px), so a 375-pixel phone gets the same layout with more room."""
    page, _ = open_page(spec, cast, phone_tab, js=True)
    check_axe(page)
    fits = page.evaluate("() => document.documentElement.scrollWidth"
                         " <= document.documentElement.clientWidth")
    assert fits, f"{spec.name} scrolls sideways"
    # Nor does any table inside its own box (templates/_table.html stacks them), and each box
    # is a named region.
    wide = page.evaluate("() => [...document.querySelectorAll('.portal-table-wrap')]"
                         ".filter(w => w.scrollWidth > w.clientWidth + 1 || !w.ariaLabel)"
                         ".map(w => `${w.ariaLabel}: ${w.scrollWidth} px`)")
    assert not wide, f"{spec.name}: tables too wide or unnamed at 320 px: {wide}"
