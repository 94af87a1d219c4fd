"""The keyboard alone, with JavaScript on and off: signing in and registering (Tab to each field,
type, Enter or Space on buttons, follow the emailed link, Continue), searching and shortlisting,
signing the agreement, with a slip fixed from the error summary on the way, and, once the
mentoring runs, booking a session and answering a check-in."""

from __future__ import annotations

import re

import pytest

from portal.templating import LONDON, format_datetime
from tests.browser.keyboard import (
    focus_is_visible,
    focused,
    has_focus,
    htmx_swap,
    press_on,
    tab_to,
    type_into,
)
from tests.browser.pages import Cast, uk_time


@pytest.fixture
def cast(portal) -> Cast:
    return Cast(portal.app)


def follow_emailed_link(page, mail, to: str, contains: str):
    """Open the link in the newest email to ``to``, as a person clicking it in their mail."""
    link = mail.link(mail.last(to), contains)
    return page.goto(link)


def test_skip_link_is_the_first_stop_and_moves_to_the_content(page, portal):
    page.goto("/sign-in")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert has_focus(skip)
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link is off screen when focused"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")  # the next stop is inside the main content, not the header
    assert page.evaluate("document.getElementById('main-content').contains(document.activeElement)")


def test_sign_in_with_the_keyboard_alone(page, cast, mail):
    page.goto("/")
    press_on(page, page.get_by_role("main").get_by_role("link", name="Sign in"))
    assert page.title().startswith("Sign in")

    type_into(page, page.get_by_label("Email address"), cast.mentee.email)
    response = press_on(page, page.get_by_role("button", name="Email me a sign-in link"))
    assert response.status == 200 and page.title().startswith("Check your email")

    follow_emailed_link(page, mail, cast.mentee.email, "/sign-in/")
    assert page.title().startswith("Sign in to the mentoring portal")
    press_on(page, page.get_by_role("button", name="Continue"), key="Space")

    assert page.title().startswith("Your dashboard")
    assert page.get_by_text("You are signed in as Ada Lovelace").is_visible()


def test_a_mistake_in_sign_in_is_fixed_with_the_keyboard(page, cast, mail, js):
    page.goto("/sign-in")
    type_into(page, page.get_by_label("Email address"), "ada.lovelace at testborough")
    response = press_on(page, page.get_by_role("button", name="Email me a sign-in link"))

    assert response.status == 400 and page.title().startswith("Error: Sign in")
    summary = page.locator(".govuk-error-summary")
    if js:  # the error summary takes the focus, so a screen reader reads it out first
        assert has_focus(summary)
        tab_to(page, summary.get_by_role("link"))
    else:
        tab_to(page, summary.get_by_role("link"))
    page.keyboard.press("Enter")
    field = page.get_by_label("Email address")
    assert has_focus(field), f"the error's link left the focus on {focused(page)}"
    page.keyboard.press("Control+A")
    page.keyboard.type(cast.mentee.email)
    response = press_on(page, page.get_by_role("button", name="Email me a sign-in link"))
    assert page.title().startswith("Check your email")
    assert mail.last(cast.mentee.email)


def test_register_with_the_keyboard_alone(page, cast, mail):
    page.goto("/register")
    press_on(page, page.get_by_role("link", name=cast.scheme.name))
    assert page.title().startswith(f"Register for {cast.scheme.name}")

    tab_to(page, page.get_by_label("As a mentee: I want a mentor"))
    page.keyboard.press("Space")
    type_into(page, page.get_by_label("Full name"), "Mary Somerville")
    type_into(page, page.get_by_label("Work email address"), "mary.somerville@testborough.gov.uk")
    tab_to(page, page.get_by_label("I confirm that I meet"))
    page.keyboard.press("Space")
    press_on(page, page.get_by_role("button", name="Continue"))
    assert page.title().startswith("Check your email")

    follow_emailed_link(page, mail, "mary.somerville@testborough.gov.uk", "/register/")
    assert page.title().startswith(f"Confirm your registration for {cast.scheme.name}")
    press_on(page, page.get_by_role("button", name="Continue"))
    assert page.title().startswith("Your dashboard")
    assert page.get_by_text(f"You have joined {cast.scheme.name}").is_visible()


def test_sign_out_with_the_keyboard(new_context, cast, js):
    page = new_context(js=js, user=cast.mentee).new_page()
    page.goto("/dashboard")
    press_on(page, page.get_by_role("button", name="Sign out"))
    assert page.title().startswith("You have signed out")
    page.goto("/dashboard")
    assert page.title().startswith("Sign in")


FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex='0']"


@pytest.mark.parametrize("path", ["/", "/sign-in", "/register", "/dashboard", "/accessibility"])
def test_every_control_is_reached_once_and_shows_the_focus(path, new_context, cast):
    page = new_context(js=True, user=cast.mentee if path == "/dashboard" else None).new_page()
    page.goto(path)
    where = f"""() => [...document.querySelectorAll("{FOCUSABLE}")]
        .filter(el => el.getClientRects().length).indexOf(document.activeElement)"""
    stops = page.evaluate(f"""() => [...document.querySelectorAll("{FOCUSABLE}")]
        .filter(el => el.getClientRects().length).length""")
    seen = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(where))
        assert focus_is_visible(page), f"no visible focus on {focused(page)} at {path}"
    assert sorted(seen) == list(range(stops)), f"controls skipped or visited twice: {seen}"


def test_search_and_shortlist_with_the_keyboard_alone(new_context, cast, js):
    if "mentors.search" not in cast.app.view_functions:
        pytest.skip("mentor search does not exist yet")
    other = cast.other_profile  # Annie Easley, of Eastshire Council; Grace is not
    page = new_context(js=js, user=cast.mentee).new_page()
    page.goto("/dashboard")
    press_on(page, page.get_by_role("navigation", name="Main").get_by_role("link",
                                                                          name="Find a mentor"))
    assert page.title().startswith("Find a mentor")

    type_into(page, page.get_by_label("Search by skills"), "planning")
    type_into(page, page.get_by_label("Organisation", exact=True), "Eastshire")
    press_on(page, page.get_by_role("button", name="Search", exact=True))
    results = page.locator("#search-results")
    assert "organisation=Eastshire" in page.url
    assert results.get_by_role("heading", level=3).all_inner_texts() == [other.display_name]

    press_on(page, results.get_by_role("link", name=other.display_name))
    assert page.title().startswith(f"{other.display_name}, mentor")
    add = page.get_by_role("button", name=f"Add {other.display_name} to shortlist")
    if js:  # htmx swaps the button; the focus stays on it
        tab_to(page, add)
        with htmx_swap(page):
            page.keyboard.press("Enter")
        remove = page.get_by_role("button", name=f"Remove {other.display_name} from shortlist")
        assert has_focus(remove), f"the focus went to {focused(page)}"
    else:
        press_on(page, add)
        assert page.get_by_text(f"{other.display_name} is on your shortlist").is_visible()
    assert page.get_by_text("On your shortlist", exact=True).is_visible()
    # A link drawn as a button (GOV.UK's button component) is a button to assistive technology.
    press_on(page, page.get_by_role("button",
                                    name=f"Request a chemistry call with {other.display_name}"))
    assert page.title().startswith(f"Request a chemistry call with {other.display_name}")


def test_sign_the_agreement_with_the_keyboard_alone(new_context, cast, js, mail):
    if "agreements.sign_link" not in cast.app.view_functions:
        pytest.skip("agreements do not exist yet")
    pair = cast.sent  # the mentor has signed; the mentee, Emmy Noether, signs here
    page = new_context(js=js).new_page()
    page.goto(cast.sign_path(pair.agreement, "mentee"))
    assert page.title().startswith("Sign your mentoring agreement")

    # First, a slip: the wrong name and no tick.
    type_into(page, page.get_by_label("Your full name"), "E Noether")
    response = press_on(page, page.get_by_role("button", name="Sign the agreement"))
    assert response.status == 400 and page.title().startswith("Error: Sign your")
    summary = page.locator(".govuk-error-summary")
    if js:
        assert has_focus(summary), f"the focus is on {focused(page)}"
    tab_to(page, summary.get_by_role("link", name=re.compile("^Enter your full name")))
    page.keyboard.press("Enter")
    field = page.get_by_label("Your full name")
    assert has_focus(field), f"the error's link left the focus on {focused(page)}"
    page.keyboard.press("Control+A")
    page.keyboard.type(pair.mentee.full_name)
    tab_to(page, page.get_by_label("I have read this agreement and I agree to it"))
    page.keyboard.press("Space")
    press_on(page, page.get_by_role("button", name="Sign the agreement"))

    assert page.title().startswith("You have signed the agreement")
    assert page.get_by_text("You have both signed").is_visible()
    assert mail.last(pair.mentee.email, subject_contains="You have both signed")


def test_book_a_session_and_answer_the_check_in_with_the_keyboard_alone(new_context, cast, js,
                                                                         mail):
    if "relationships.book" not in cast.app.view_functions:
        pytest.skip("the running relationship does not exist yet")
    pair = cast.running  # Rachel Carson books; their review check-in waits for her answer
    page = new_context(js=js, user=pair.mentee).new_page()
    page.goto(f"/relationships/{pair.relationship.id}")
    assert page.title().startswith(f"Your mentoring with {pair.mentor.full_name}")

    # A link drawn as a button (GOV.UK's button component) is a button to assistive technology.
    press_on(page, page.get_by_role("button", name="Book a session"))
    assert page.title().startswith("Book a session")
    start = uk_time(5, 11).astimezone(LONDON)
    for part, value in (("day", start.day), ("month", start.month), ("year", start.year)):
        type_into(page, page.locator(f"#day-{part}"), str(value))
    type_into(page, page.get_by_label("Time", exact=True), start.strftime("%H:%M"))
    # The length, the way of meeting and the place come filled in from the agreed terms.
    assert page.get_by_label("How long, in minutes").input_value() == "60"
    press_on(page, page.get_by_role("button", name="Book the session"), key="Space")

    assert page.title().startswith(f"Your mentoring with {pair.mentor.full_name}")
    assert page.get_by_text(f"Your session is booked for {format_datetime(start)}").is_visible()
    assert mail.last(pair.mentor.email, subject_contains="Mentoring session booked")

    press_on(page, page.get_by_role("link", name=re.compile("^Review check-in")))
    assert page.title().startswith("Review check-in: how is the mentoring going?")
    on_track = page.get_by_label("We are on track")
    tab_to(page, on_track)
    page.keyboard.press("Space")
    assert on_track.is_checked()
    press_on(page, page.get_by_role("button", name="Send my answer"))

    assert page.title().startswith("Review check-in: how is the mentoring going?")
    assert page.get_by_text("You said: We are on track.").is_visible()
    assert page.get_by_text("You said: We are on track, on").is_visible()
