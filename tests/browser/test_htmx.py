"""htmx swaps as a keyboard or screen reader user meets them (JavaScript on)."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from portal.extensions import db
from tests.browser.keyboard import focused, has_focus, htmx_swap, tab_to
from tests.browser.pages import Cast


@pytest.fixture
def cast(portal) -> Cast:
    return Cast(portal.app)


def test_live_search_keeps_the_focus_in_the_search_box_and_announces_results(
        portal, cast, new_context, check_axe):
    if "mentors.search" not in portal.app.view_functions:
        pytest.skip("mentor search does not exist yet")
    with portal.app.test_request_context():
        path = url_for("mentors.search")
    page = new_context(js=True, user=cast.mentee).new_page()
    page.goto(path)
    box = page.locator("#main-content input[type=search], #main-content input[name=q]").first

    tab_to(page, box)
    with htmx_swap(page):
        page.keyboard.type("planner")

    assert "q=planner" in page.url  # htmx swapped the results and pushed the search's URL
    assert has_focus(box), "typing a search moved the focus away from the search box"
    status = page.locator("#main-content [role=status]")
    assert status.count() == 1 and status.inner_text().strip(), "no results count announced"
    check_axe(page)


def requests_to_grace(cast: Cast, count: int) -> list:
    """``count`` mentees have asked Grace Hopper for a chemistry call (Ada first)."""
    calls = [cast.requested]
    for number in range(1, count):
        mentee = cast.make.mentee(cast.scheme, email=f"mentee.{number}@testborough.gov.uk",
                                  name=("Mary Somerville", "Caroline Herschel")[number - 1])
        calls.append(cast._request(mentee, cast.profile))
    return calls


def test_inline_accept_and_decline_move_the_focus_to_what_changed(cast, new_context,
                                                                   check_axe, mail):
    if "calls.accept" not in cast.app.view_functions:
        pytest.skip("chemistry calls do not exist yet")
    ada, mary = requests_to_grace(cast, 2)
    page = new_context(js=True, user=cast.mentor).new_page()
    page.goto("/dashboard")
    page.wait_for_function("() => window.htmx !== undefined")
    row = page.locator(f"#call-{ada.id}")

    # Accept opens the form in the row; the focus moves to its heading.
    tab_to(page, row.get_by_role("button", name="Accept the request from Ada Lovelace"))
    with htmx_swap(page):
        page.keyboard.press("Enter")
    heading = row.get_by_role("heading", name="Accept the request from Ada Lovelace")
    assert has_focus(heading), f"the focus is on {focused(page)}"
    check_axe(page)

    # Sent without saying how to join: the row's error summary takes the focus.
    tab_to(page, row.get_by_label(re.compile(r"^\s*[A-Z][a-z]+day ")).first)  # the first time
    page.keyboard.press("Space")
    tab_to(page, row.get_by_role("button", name="Accept and send the invite"))
    with htmx_swap(page):
        page.keyboard.press("Enter")
    summary = row.locator(".govuk-error-summary")
    assert has_focus(summary), f"the focus is on {focused(page)}"
    assert page.locator("h1").count() == 1
    check_axe(page)
    tab_to(page, summary.get_by_role("link"))
    page.keyboard.press("Enter")
    assert has_focus(row.get_by_label("How to join the call"))
    page.keyboard.type("Video call: the link is in the invite")
    tab_to(page, row.get_by_role("button", name="Accept and send the invite"))
    with htmx_swap(page):
        page.keyboard.press("Enter")
    done = row.locator("[data-announce]")
    assert has_focus(done) and done.inner_text().startswith("You accepted")
    assert mail.last(ada.mentee.email, subject_contains="has accepted your chemistry call")
    check_axe(page)

    # Decline: the form, then what happened, each take the focus.
    other = page.locator(f"#call-{mary.id}")
    tab_to(page, other.get_by_role("button", name="Decline the request from Mary Somerville"))
    with htmx_swap(page):
        page.keyboard.press("Enter")
    assert has_focus(other.get_by_role("heading", name="Decline the request from Mary Somerville"))
    tab_to(page, other.get_by_role("button", name="Decline the request"))
    with htmx_swap(page):
        page.keyboard.press("Enter")
    done = other.locator("[data-announce]")
    assert has_focus(done) and done.inner_text().startswith("You declined")
    check_axe(page)


def test_a_refusal_swapped_in_by_htmx_is_not_a_second_h1_and_takes_the_focus(cast, new_context,
                                                                             check_axe):
    if "calls.accept" not in cast.app.view_functions:
        pytest.skip("chemistry calls do not exist yet")
    from portal.calls import answering

    ada, mary = requests_to_grace(cast, 2)
    cast.profile.capacity = 1  # room for one of them
    db.session.commit()
    page = new_context(js=True, user=cast.mentor).new_page()
    page.goto("/dashboard")
    page.wait_for_function("() => window.htmx !== undefined")
    row = page.locator(f"#call-{ada.id}")
    with htmx_swap(page):
        row.get_by_role("button", name=re.compile("^Accept")).click()
    row.get_by_label(re.compile(r"^\s*[A-Z][a-z]+day ")).first.check()
    row.get_by_label("How to join the call").fill("By phone")
    # Meanwhile, from the emailed link on a phone, Grace accepts Mary: the last place goes.
    answering.accept_call(mary.id, cast.mentor, proposed_time_id=mary.proposed_times[0].id,
                          details="By phone", via="email")

    with htmx_swap(page):
        row.get_by_role("button", name="Accept and send the invite").click()
    problem = row.locator(".portal-problem")
    assert problem.get_by_role("heading", level=2).inner_text() == "You have no free places"
    assert page.locator("h1").count() == 1, "the refusal added a second h1 to the page"
    assert has_focus(problem), f"the focus is on {focused(page)}"
    check_axe(page)


def test_two_answer_forms_open_at_once_label_their_own_fields(cast, new_context):
    if "calls.accept" not in cast.app.view_functions:
        pytest.skip("chemistry calls do not exist yet")
    ada, mary = requests_to_grace(cast, 2)
    page = new_context(js=True, user=cast.mentor).new_page()
    page.goto("/dashboard")
    page.wait_for_function("() => window.htmx !== undefined")
    for call in (ada, mary):
        row = page.locator(f"#call-{call.id}")
        with htmx_swap(page):
            row.get_by_role("button", name=re.compile("^Accept")).click()
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(el => el.id)")
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    # Every label names a field in its own form.
    strays = page.evaluate("""() => [...document.querySelectorAll('form label[for]')]
        .filter(l => !l.closest('form').contains(document.getElementById(l.htmlFor)))
        .map(l => l.htmlFor)""")
    assert strays == []
    assert page.locator("form label[for]").count() >= 4


def test_gov_uk_components_swapped_in_by_htmx_are_started_without_errors(cast, new_context):
    if "calls.accept" not in cast.app.view_functions:
        pytest.skip("chemistry calls do not exist yet")
    (ada,) = requests_to_grace(cast, 1)
    page = new_context(js=True, user=cast.mentor).new_page()
    page.goto("/dashboard")
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')")
    # The page's own components (the navigation) were started when it loaded.
    assert page.locator("[data-module=govuk-service-navigation]").get_attribute(
        "data-govuk-service-navigation-init") is not None

    row = page.locator(f"#call-{ada.id}")
    with htmx_swap(page):
        row.get_by_role("button", name="Accept the request from Ada Lovelace").click()
    radios = row.locator("[data-module=govuk-radios]")
    assert radios.count() >= 1, "the accept form has no GOV.UK radios"
    page.wait_for_function(
        "(el) => el.hasAttribute('data-govuk-radios-init')", arg=radios.first.element_handle())
    assert page.context.script_errors == [], page.context.script_errors


def test_an_htmx_button_pressed_while_the_database_is_locked_says_to_try_again(
        cast, new_context, check_axe):
    import sqlite3

    import sqlalchemy as sa

    profile = cast.other_profile
    page = new_context(js=True, user=cast.mentee).new_page()
    page.goto(f"/mentors/{profile.id}")
    page.wait_for_function("() => window.htmx !== undefined")

    # Another writer holds SQLite's lock; the portal waits 0.2 s for it (not its usual 10 s),
    # then answers 503, as it does when PostgreSQL is restarting.
    def short_busy_timeout(dbapi_connection, record, proxy):
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    sa.event.listen(db.engine, "checkout", short_busy_timeout)
    holder = sqlite3.connect(db.engine.url.database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        page.get_by_role("button", name=f"Add {profile.display_name} to shortlist").click()
        heading = page.get_by_role("heading", name="Sorry, there is a problem with the service")
        heading.wait_for()
        assert has_focus(heading)
        assert page.title().startswith("Sorry, there is a problem with the service")
        check_axe(page)
    finally:
        holder.rollback()
        holder.close()
        sa.event.remove(db.engine, "checkout", short_busy_timeout)
    errors = [e for e in page.context.script_errors if "503" not in e]
    assert errors == [], errors
