"""Every email's HTML part in Chromium at 320 px: nothing wider than the screen, no link whose
words are an address. (Here, with the browser tests, so it shares their one Chromium: a second
Playwright in the same process refuses to start.)"""

from __future__ import annotations

import pytest

from tests.test_email_html import LOOKS_LIKE_AN_ADDRESS, render_every_email


@pytest.fixture
def rendered(app, make) -> list[tuple[str, str, str, str]]:
    return render_every_email(app, make)


def test_every_email_fits_a_320_px_phone_in_chromium(rendered, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640},
                                   java_script_enabled=True)
    page = context.new_page()
    try:
        for template, _, _, html in rendered:
            page.set_content(html, wait_until="load")
            measured = page.evaluate("""() => ({
                width: document.documentElement.scrollWidth,
                body: document.body.scrollWidth,
                links: [...document.querySelectorAll('a')].map(a => ({
                    text: a.innerText.trim(), right: a.getBoundingClientRect().right})),
            })""")
            assert measured["width"] <= 320 and measured["body"] <= 320, (template, measured)
            for link in measured["links"]:
                assert link["right"] <= 320, (template, link)
                assert not LOOKS_LIKE_AN_ADDRESS.search(link["text"]), (template, link)
    finally:
        context.close()


