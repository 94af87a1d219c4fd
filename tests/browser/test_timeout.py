"""The timeout warning in a real browser: the live portal's idle limit is set short, so the
dialog opens within seconds; "Stay signed in" (or Escape) keeps the session, and a session that
runs out goes to the sign-in page with a message. And a form's draft is kept as people type."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import axe
from tests.browser.keyboard import has_focus


def _signed_in_page(portal, new_context, make, idle_minutes: float):
    portal.app.config["SESSION_IDLE_MINUTES"] = idle_minutes
    user = make.user()
    page = new_context(user=user).new_page()
    page.goto("/dashboard")
    return page


def test_the_warning_opens_and_stay_signed_in_keeps_the_session(portal, new_context, make,
                                                                axe_source):
    # 2.1 minutes: the warning opens 2 minutes before, so about 6 seconds after the page loads.
    page = _signed_in_page(portal, new_context, make, 2.1)
    dialog = page.locator("#timeout-warning")
    assert not dialog.is_visible()
    dialog.wait_for(state="visible", timeout=15_000)
    assert "You will be signed out in" in dialog.inner_text()
    assert has_focus(dialog)
    live_region = dialog.locator("[aria-live=polite]")
    assert "You will be signed out in" in live_region.inner_text()
    violations = axe.run_axe(page, axe_source, live=True)
    assert not violations, axe.describe(violations)

    with page.expect_response("**/session/keep-alive") as answer:
        page.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    assert int(answer.value.headers["x-session-seconds-left"]) > 120
    dialog.wait_for(state="hidden")
    page.reload()
    assert page.url.endswith("/dashboard")
    assert page.get_by_role("button", name="Sign out").first.is_visible()


def test_escape_closes_the_warning_and_keeps_the_session(portal, new_context, make):
    page = _signed_in_page(portal, new_context, make, 2.1)
    dialog = page.locator("#timeout-warning")
    dialog.wait_for(state="visible", timeout=15_000)
    page.keyboard.press("Tab")
    assert has_focus(page.get_by_role("button", name="Stay signed in"))
    with page.expect_response("**/session/keep-alive") as answer:
        page.keyboard.press("Escape")
    assert answer.value.status == 204
    dialog.wait_for(state="hidden")
    assert page.context.script_errors == []


def test_when_time_runs_out_the_page_goes_to_sign_in_with_a_message(portal, new_context, make):
    page = _signed_in_page(portal, new_context, make, 0.1)  # 6 seconds
    page.locator("#timeout-warning").wait_for(state="visible")
    page.wait_for_url("**/sign-in**", timeout=15_000)
    assert "You were signed out because you had not used the portal" in page.content()


def test_a_profile_keeps_a_draft_as_people_type(portal, new_context, make):
    profile = make.mentor(make.scheme())
    page = new_context(user=profile.user).new_page()
    page.goto(f"/mentors/{profile.id}/edit")
    with page.expect_response(f"**/mentors/{profile.id}/edit/draft") as answer:
        page.get_by_label("What I can offer").fill("Typed during the meeting")
    assert answer.value.status == 200
    # The response comes before htmx puts it in the page: wait for the words, as a person would.
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    page.goto(f"/mentors/{profile.id}/edit")
    assert "We kept what you typed on" in page.content()
    assert page.get_by_label("What I can offer").input_value() == "Typed during the meeting"


def test_near_the_absolute_limit_the_warning_says_it_cannot_be_extended(portal, new_context,
                                                                        make):
    portal.app.config["SESSION_MAX_HOURS"] = 2.1 / 60  # 2.1 minutes since signing in
    try:
        page = _signed_in_page(portal, new_context, make, 30)
        dialog = page.locator("#timeout-warning")
        dialog.wait_for(state="visible", timeout=15_000)
        assert "this cannot be extended" in dialog.inner_text()
        assert not page.get_by_role("button", name="Stay signed in").is_visible()
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")
        page.wait_for_timeout(2500)  # it does not open again every second
        assert not dialog.is_visible()
        assert page.context.script_errors == []
    finally:
        portal.app.config["SESSION_MAX_HOURS"] = 12
