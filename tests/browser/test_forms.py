"""Forms with errors, in the GOV.UK pattern: "Error: " in the title, an error summary that takes
the focus (with JavaScript), links from each error to its field, and each message tied to its
field so a screen reader reads them together.

Forms sent with errors change nothing, so the module shares one portal and database, and one tab
per person with JavaScript on and one with it off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.browser.conftest import live_portal, reused_tabs
from tests.browser.keyboard import has_focus
from tests.browser.live import LivePortal
from tests.browser.pages import PAGES, Cast

FORMS_WITH_ERRORS = [spec for spec in PAGES if spec.errors_of]


@pytest.fixture(scope="module")
def portal(tmp_path_factory, mail_sink) -> Iterator[LivePortal]:
    with live_portal(tmp_path_factory.mktemp("forms"), mail_sink) as live:
        yield live


@pytest.fixture(scope="module")
def cast(portal) -> Cast:
    return Cast(portal.app)


@pytest.fixture(scope="module")
def tab(browser, portal, cast) -> Iterator[Callable]:
    with reused_tabs(browser, portal, cast.person) as tab:
        yield tab


def open_with_errors(spec, cast, tab, js):
    if not spec.available(cast.app):
        pytest.skip(f"{spec.needs} does not exist yet")
    page = tab(spec.who, js)
    spec.open(page, cast)
    return page


@pytest.mark.parametrize("spec", FORMS_WITH_ERRORS, ids=lambda spec: spec.name)
def test_error_summary_takes_the_focus_and_links_each_error_to_its_field(spec, cast, tab):
    for js in (True, False):
        page = open_with_errors(spec, cast, tab, js)
        where = f"{spec.name}, JavaScript {'on' if js else 'off'}"

        assert page.title().startswith("Error: "), where
        summary = page.locator(".govuk-error-summary")
        assert summary.locator("h2").inner_text() == "There is a problem"
        if js:  # the summary takes the focus, so a screen reader reads it first
            assert has_focus(summary), where
        links = summary.locator("a")
        assert links.count() > 0, where
        for index in range(links.count()):
            link = links.nth(index)
            target = page.locator(link.get_attribute("href"))
            assert target.count() == 1, f"{where}: {link.inner_text()!r} points at nothing"
            link.click()
            assert has_focus(target), (f"{where}: {link.inner_text()!r} did not move the focus "
                                       "to its field")
            # The group marked as in error (a date's three boxes each sit in a group of their
            # own, inside the date's).
            group = target.locator(
                "xpath=ancestor::div[contains(@class, 'govuk-form-group--error')][1]")
            message = group.locator(".govuk-error-message")
            assert message.inner_text().removeprefix("Error:").strip() == link.inner_text(), (
                f"{where}: the summary and the field say different things")
            described = page.locator(f"[aria-describedby~='{message.get_attribute('id')}']")
            assert described.count() >= 1, (f"{where}: {message.get_attribute('id')} is not "
                                             "tied to its field")
