"""Fixtures for tests in a real browser: Debian's Chromium through Playwright, the portal served on
loopback with a fresh SQLite file per test, and its emails delivered over SMTP to a local sink.

One browser per session, a new browser context (cookies, JavaScript on or off) per test. Modules
whose tests only look at pages (test_pages, test_forms) share one portal and database, and reuse
a tab per person (`reused_tabs`): opening a tab costs more than checking the page in it. Close
contexts as soon as they are done with: an open one keeps drawing its page. The
whole folder is skipped when /usr/bin/chromium is missing; every test in it is marked `browser`,
so `pytest -m "not browser"` leaves them out (the PostgreSQL pass does).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from portal.extensions import db
from tests.browser import axe
from tests.browser.live import CHROMIUM, LivePortal, MailSink, launch_chromium, portal_config
from tests.conftest import make_app

#: Playwright's default is 30 s; a page on loopback that takes 10 s is a failure worth seeing.
TIMEOUT_MS = 10_000


@pytest.hookimpl(tryfirst=True)  # before `-m "not browser"` deselects
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source(request) -> str:
    """The pinned axe-core script, fetched once with npm into pytest's cache folder."""
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    folder = cache.mkdir("axe-core") if cache else axe.DEFAULT_CACHE
    try:
        return axe.axe_script(folder)
    except axe.AxeUnavailable as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mail(mail_sink) -> MailSink:
    """The emails this test caused, as a mail client would receive them."""
    mail_sink.clear()
    return mail_sink


@contextmanager
def live_portal(folder: Path, sink: MailSink) -> Iterator[LivePortal]:
    """The portal on http://127.0.0.1:<free port>, on a new SQLite file in ``folder``, sending
    real SMTP to ``sink``; its app context is pushed while it runs."""
    app = make_app(folder, **portal_config(folder / "portal.db", sink.port))
    with app.app_context():
        db.create_all()
        live = LivePortal(app).start()
        try:
            yield live
        finally:
            live.stop()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def portal(tmp_path, mail_sink) -> Iterator[LivePortal]:
    """A portal and database of the test's own. (Modules whose tests only look at pages
    override this with one portal for the whole module.)"""
    with live_portal(tmp_path, mail_sink) as live:
        yield live


@pytest.fixture
def app(portal) -> Flask:
    """The live portal's app, its context pushed, so the shared builders (`make`) work here."""
    return portal.app


def open_context(browser, portal: LivePortal, *, js: bool = True, user=None, width: int = 1280,
                 height: int = 900):
    """A browser context on the live portal: JavaScript on or off, signed in as ``user``."""
    context = browser.new_context(java_script_enabled=js, base_url=portal.url,
                                  viewport={"width": width, "height": height},
                                  locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    if user is not None:
        context.add_cookies([portal.session_cookie(user)])
    watch_for_errors(context)
    return context


def watch_for_errors(context) -> None:
    """Collect, in ``context.script_errors``, every error a page's scripts raise or log (a
    refused inline script, a component started twice, an htmx failure): pages must have none."""
    errors: list[str] = []
    context.script_errors = errors

    def on_page(page) -> None:
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: errors.append(f"{page.url}: {message.text}")
                if message.type == "error" else None)

    context.on("page", on_page)


@pytest.fixture
def new_context(browser, portal) -> Iterator[Callable]:
    """Open a browser context: `new_context(js=False, user=someone, width=320)`."""
    opened = []

    def open_one(**options):
        context = open_context(browser, portal, **options)
        opened.append(context)
        return context

    yield open_one
    for context in opened:
        context.close()


@contextmanager
def reused_tabs(browser, portal: LivePortal, person: Callable, keep: int = 2,
                width: int = 1280) -> Iterator[Callable]:
    """`tab(who, js)`: a tab for a person (``person(who)`` gives the user), with JavaScript on
    or off, reused from test to test as a person goes from page to page.

    Only the ``keep`` most recently used stay open. Here every open browser context keeps its
    page drawing, about a fifth of a core each even when nothing changes, so a dozen idle tabs
    would slow everything else down more than opening tabs again costs.
    """
    opened: dict = {}  # (who, js) -> page, least recently used first

    def tab(who: str | None, js: bool):
        page = opened.pop((who, js), None)
        if page is None or page.is_closed():
            while len(opened) >= keep:
                opened.pop(next(iter(opened))).context.close()
            page = open_context(browser, portal, js=js, user=person(who), width=width).new_page()
        opened[(who, js)] = page
        return page

    try:
        yield tab
    finally:
        for page in opened.values():
            page.context.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def js(request) -> bool:
    """Run the test twice: with JavaScript (htmx active) and without it."""
    return request.param


@pytest.fixture
def page(new_context, js):
    """A page in a fresh context, once with JavaScript on and once with it off."""
    return new_context(js=js).new_page()


@pytest.fixture
def js_page(new_context):
    """A page with JavaScript on, for behaviour that only scripts provide."""
    return new_context(js=True).new_page()


@pytest.fixture
def check_axe(axe_source) -> Callable:
    """`check_axe(page)`: fail with a readable list if axe-core finds WCAG 2.2 AA problems."""

    def check(page) -> None:
        axe.assert_no_axe_violations(page, axe_source)

    return check
