"""The accessibility check itself: a page with known WCAG failures must fail it, whichever way
axe is run. Every other browser test trusts `check_axe`; this is what keeps that trust earned."""

from __future__ import annotations

import pytest

from tests.browser import axe

#: Three failures axe knows by rule: a field without a label, an image without a text
#: alternative, and grey text on white below 4.5:1.
#: (The colour is set through the DOM: the portal's Content Security Policy rightly ignores a
#: style attribute in markup.)
BREAK_THE_PAGE = """() => {
  const main = document.querySelector('main');
  main.insertAdjacentHTML('beforeend',
    '<input type="text" id="unlabelled"><img src="/static/missing.png">' +
    '<p id="faint">Hard to read</p>');
  const faint = document.getElementById('faint');
  faint.style.color = '#aaaaaa';
  faint.style.background = '#ffffff';
}"""

EXPECTED = {"label", "image-alt", "color-contrast"}


def test_axe_finds_what_it_should_on_a_broken_page(js_page, check_axe, axe_source):
    page = js_page
    page.goto("/sign-in")
    check_axe(page)  # the page as the portal serves it passes

    page.evaluate(BREAK_THE_PAGE)
    with pytest.raises(AssertionError) as failed:
        check_axe(page)
    report = str(failed.value)
    for rule in EXPECTED:
        assert f"- {rule} (" in report, report

    # The copy that check_axe checks finds what axe finds in the live page, no more, no less.
    copied = {v["id"] for v in axe.run_axe(page, axe_source)}
    live = {v["id"] for v in axe.run_axe(page, axe_source, live=True)}
    assert copied == live
    assert live >= EXPECTED
