"""Moving around a page as a keyboard user does: Tab, Shift+Tab, Enter and Space only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: What a keyboard user would have to press through on a long page before giving up.
MAX_TABS = 60

_DESCRIBE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "(nothing)";
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
  return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${text.slice(0, 40)}"`;
}"""


def focused(page) -> str:
    """A short description of the element that has the focus."""
    return page.evaluate(_DESCRIBE)


def has_focus(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, *, limit: int = MAX_TABS, backwards: bool = False) -> None:
    """Press Tab until ``locator`` has the focus; fail, showing the way taken, if it never does."""
    key = "Shift+Tab" if backwards else "Tab"
    path = []
    for _ in range(limit):
        page.keyboard.press(key)
        if has_focus(locator):
            return
        path.append(focused(page))
    raise AssertionError(f"{locator} never got the focus after {limit} presses of {key}; "
                         f"the focus went: {' -> '.join(path)}")


def type_into(page, locator, text: str) -> None:
    """Tab to a field and type, as a person does (no fill(), which skips the keyboard)."""
    tab_to(page, locator)
    page.keyboard.type(text)


class _Loaded:
    response: Any = None


@contextmanager
def new_document(page) -> Iterator[_Loaded]:
    """Wait, after the block, for the new page it loads; ``.response`` is the response that
    brought it (after any redirect).

    It waits for a new document's ``load`` event, not for "a navigation": htmx's history push
    (the search page updates its results and address as one types) is a navigation to
    Playwright, and waiting for that let a test read a page the real submit then replaced.
    """
    loaded = _Loaded()

    def seen(response) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            loaded.response = response

    page.on("response", seen)
    try:
        with page.expect_event("load"):
            yield loaded
    finally:
        page.remove_listener("response", seen)


def press_on(page, locator, key: str = "Enter") -> Any:
    """Tab to a control and press a key on it; returns the response of the page it loads."""
    tab_to(page, locator)
    with new_document(page) as loaded:
        page.keyboard.press(key)
    return loaded.response


def focus_is_visible(page) -> bool:
    """Whether the focused element shows a focus indicator: an outline, a box shadow, or a
    background different from its unfocused one (GOV.UK's yellow highlight)."""
    return page.evaluate("""() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
        && !["rgba(0, 0, 0, 0)", "transparent"].includes(style.outlineColor);
      const shadow = style.boxShadow !== "none";
      const background = style.backgroundColor;
      el.blur();
      const plain = getComputedStyle(el).backgroundColor;
      el.focus();
      return outline || shadow || background !== plain;
    }""")


@contextmanager
def htmx_swap(page, timeout: float = 10_000) -> Iterator[None]:
    """Wait, after the block, for the htmx swap it caused to settle (JavaScript on only).

        with htmx_swap(page):
            page.keyboard.press("Enter")
        assert has_focus(page.locator("[data-announce]"))
    """
    page.evaluate("""() => { window.__portalSwapped = false;
      document.addEventListener("htmx:afterSettle", () => { window.__portalSwapped = true; },
                                {once: true}); }""")
    yield
    page.wait_for_function("() => window.__portalSwapped === true", timeout=timeout)
