"""The whole journey in Chromium, against the portal on loopback, with every email delivered over
SMTP to a local sink and followed from there: once with JavaScript on (htmx: live search, the
shortlist button, the private note) and once with it off (plain forms, post/redirect/get).

A mentor writes, previews and publishes a profile; a mentee signs in from the emailed link,
searches, shortlists the mentor and asks for a chemistry call; the mentor accepts from the
emailed Accept link; the call happens; both say "let's work together"; both fill in the terms,
check them and send the agreement for signatures; both sign from their emailed links; the mentee
submits it from the emailed link; the administrator acknowledges it from theirs, and finds it
in the administration pages. Then the relationship runs: the mentee books a session, the mentor
logs it from the follow-up email, the mentee records an action against a goal, the mentor logs
a second session, and the mentee answers the review check-in from its email.

Every page on the way is checked with axe-core (WCAG 2.2 A and AA), has one h1, and has a
title that no other page on the way has.

The call happens in the past by a change to the database: the call's start time is moved to an
hour ago, as if the mentee and mentor had waited a week. Travelling in time instead would move
the clock of the whole test process, the live server included, while the browser (another
process) kept the real time, and every session and emailed link would have to survive the jump.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.accounts.models import Role
from portal.agreements.models import Agreement, AgreementState
from portal.calls.models import CallState, ChemistryCall
from portal.db import utcnow
from portal.extensions import db
from portal.relationships.models import RelationshipState
from portal.templating import LONDON, format_datetime
from tests.browser.keyboard import has_focus, htmx_swap
from tests.browser.live import MailSink
from tests.browser.pages import fill_date, submit, uk_time
from tests.conftest import Builders

MENTOR, MENTOR_EMAIL = "Katherine Johnson", "katherine.johnson@testborough.gov.uk"
MENTEE, MENTEE_EMAIL = "Ada Lovelace", "ada.lovelace@testborough.gov.uk"
ADMIN_EMAIL = "scheme.admin@testborough.gov.uk"
HOPES = "I want to present to the planning committee with confidence."


@dataclass
class Journey:
    """The browsers, the mailbox and a record of every page seen on the way."""

    portal: object
    mail: MailSink
    check_axe: object
    new_context: object
    js: bool
    #: page title -> the endpoints that used it
    titles: dict[str, set[str]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)

    def browser(self, user=None):
        """A new browser (a context), signed in as ``user`` or not signed in."""
        return self.new_context(js=self.js, user=user).new_page()

    def look(self, page, title: str | None = None) -> None:
        """Check the page as it is now: axe finds nothing, one h1, a title of its own."""
        self.check_axe(page)
        assert page.locator("h1").count() == 1, f"{page.url} has {page.locator('h1').count()} h1"
        shown = page.title()
        if title is not None:
            assert shown == f"{title} – Mentoring portal", shown
        endpoint = self.endpoint(page.url)
        self.titles.setdefault(shown, set()).add(endpoint)
        assert len(self.titles[shown]) == 1, f"{shown!r} is the title of {self.titles[shown]}"
        self.seen.append(endpoint)

    def endpoint(self, url: str) -> str:
        adapter = self.portal.app.url_map.bind("127.0.0.1")
        return adapter.match(urlsplit(url).path, method="GET")[0]

    def go(self, page, url: str, title: str | None = None):
        """Open an address (a link from an email, say), and look at the page."""
        response = page.goto(url)
        assert response.ok, f"{url}: {response.status}"
        self.look(page, title)
        return response

    def follow(self, page, link, title: str | None = None) -> None:
        """Follow a link on the page, and look at the page it leads to."""
        with page.expect_navigation():
            link.click()
        self.look(page, title)

    def press(self, page, button: str, title: str | None = None, status: int = 200) -> None:
        """Press a form's button (a plain post), and look at the page it leads to."""
        response = submit(page, button)
        assert response.status == status, f"{button}: {response.status} at {page.url}"
        self.look(page, title)

    def email(self, to: str, subject: str):
        return self.mail.last(to, subject_contains=subject)

    def link(self, to: str, subject: str, contains: str) -> str:
        return self.mail.link(self.email(to, subject), contains)


def success(page) -> str:
    """The text of the success banner on the page."""
    return page.locator(".govuk-notification-banner--success").inner_text()


def attachments(message) -> dict[str, str]:
    return {part.get_filename(): part.get_content_type() for part in message.iter_attachments()}


@pytest.fixture
def people(app):
    make = Builders()
    scheme = make.scheme(slug="testborough-planning", name="Testborough planning mentoring",
                         admin_email=ADMIN_EMAIL)
    return {
        "scheme": scheme,
        # Registered already; the profile is written in the browser.
        "mentor": make.user(MENTOR_EMAIL, MENTOR, roles={scheme: [Role.MENTOR]}),
        "mentee": make.mentee(scheme, email=MENTEE_EMAIL, name=MENTEE),
        "admin": make.admin(scheme, email=ADMIN_EMAIL),
        # Someone the search should not find.
        "other": make.mentor(scheme, email="annie.easley@testborough.gov.uk", name="Annie Easley",
                             job_title="Head of finance", organisation="Eastshire Council",
                             background="Budgets, audit and procurement.",
                             offer="Help with setting a budget.", location="Ely",
                             expertise=["Finance"]),
    }


def test_the_whole_journey(portal, mail, check_axe, new_context, people, js):
    journey = Journey(portal, mail, check_axe, new_context, js)

    mentor = journey.browser(people["mentor"])
    profile_id = mentor_publishes_a_profile(journey, mentor)
    mentee = journey.browser()
    mentee_signs_in_from_the_emailed_link(journey, mentee)
    mentee_searches_and_shortlists(journey, mentee, profile_id)
    times = mentee_requests_a_chemistry_call(journey, mentee)
    mentor_accepts_from_the_emailed_link(journey, times)
    the_call_happens(journey)
    both_say_lets_work_together(journey, mentee, mentor)
    reference = both_agree_the_terms(journey, mentee, mentor)
    both_sign_from_their_emailed_links(journey, mentee, reference)
    mentee_submits_from_the_emailed_link(journey, mentee, reference)
    administrator_acknowledges_from_the_emailed_link(journey, people["admin"], reference)

    db.session.rollback()
    agreement = db.session.scalars(sa.select(Agreement)).one()
    assert agreement.state == AgreementState.ACKNOWLEDGED
    assert agreement.relationship.state == RelationshipState.ACTIVE

    # The relationship runs: two sessions, an action plan and the review check-in.
    mentee_books_the_first_session(journey, mentee)
    the_session_happens_and_the_mentor_logs_it_from_the_email(journey)
    mentee_records_an_action(journey, mentee)
    mentor_logs_a_second_session_they_did_not_book(journey, mentor)
    mentee_answers_the_review_check_in_from_the_email(journey)

    assert {"mentors.search", "calls.answer_accept", "agreements.sign_link",
            "agreements.submit_link", "agreements.acknowledge_link", "admin.agreement",
            "relationships.book", "relationships.log_link", "relationships.new_action",
            "relationships.log_unbooked", "relationships.check_in_link",
            "relationships.show"} <= set(journey.seen)


def mentor_publishes_a_profile(journey: Journey, page) -> int:
    journey.go(page, "/dashboard", "Your dashboard")
    journey.follow(page, page.get_by_role("link", name=re.compile("^Create your profile")),
                   "Create your mentor profile")
    expect(page.get_by_label("Your name")).to_have_value(MENTOR)
    page.get_by_label("Job title").fill("Principal planning officer")
    page.get_by_label("Organisation").fill("Testborough Borough Council")
    page.get_by_label("Grade or level").fill("Grade 7")
    page.get_by_label("Planning policy").check()
    page.get_by_label("Development management").check()
    page.get_by_label("Professional background").fill(
        "Fifteen years in council planning teams, most recently leading the local plan.")
    page.get_by_label("What I can offer").fill(
        "Help with planning committee reports, and with stepping up to lead a team.")
    page.get_by_label("Mentoring experience").fill("I have mentored two graduate planners.")
    page.get_by_label("Location").fill("Testborough")
    page.get_by_label("How many mentees can you mentor at once?").fill("2")
    journey.press(page, "Save as draft", "Preview your mentor profile")
    assert "saved as a draft" in success(page)
    assert page.locator(".portal-preview h1").inner_text() == MENTOR

    journey.press(page, "Publish your profile", "Preview your mentor profile")
    assert "Your profile is published" in success(page)
    assert "Mentees in Testborough planning mentoring can now find it" in success(page)
    return int(re.search(r"/mentors/(\d+)/preview", page.url).group(1))


def mentee_signs_in_from_the_emailed_link(journey: Journey, page) -> None:
    journey.go(page, "/", "Find a mentor in your scheme")
    journey.follow(page, page.get_by_role("main").get_by_role("link", name="Sign in"),
                   "Sign in")
    page.get_by_label("Email address").fill(MENTEE_EMAIL)
    journey.press(page, "Email me a sign-in link", "Check your email")
    # Enough of the address to spot a typing mistake; the session cookie holds no more.
    assert "ad•••@testborough.gov.uk" in page.get_by_role("main").inner_text()

    link = journey.link(MENTEE_EMAIL, "sign-in link", "/sign-in/")
    journey.go(page, link, "Sign in to the mentoring portal")
    journey.press(page, "Continue", "Your dashboard")
    assert f"You are signed in as {MENTEE}" in success(page)


def mentee_searches_and_shortlists(journey: Journey, page, profile_id: int) -> None:
    journey.follow(page, page.get_by_role("navigation", name="Main")
                   .get_by_role("link", name="Find a mentor"), "Find a mentor")
    results = page.locator("#search-results")
    expect(results).to_contain_text("Annie Easley")  # everyone, before a search

    box = page.get_by_label("Search by skills, job title, organisation or any words")
    if journey.js:
        page.evaluate("() => { window.samePage = true; }")
        box.click()
        with htmx_swap(page):
            box.press_sequentially("planning")
        page.wait_for_url(re.compile(r"[?&]q=planning"))  # the search has an address
        expect(results).not_to_contain_text("Annie Easley")
        assert page.evaluate("() => window.samePage") is True, "the page was reloaded"
        expect(page.locator("#search-status")).to_have_text("1 mentor found")
        journey.look(page)
    else:
        box.press_sequentially("planning")
        with page.expect_navigation():
            box.press("Enter")
        journey.look(page, "Find a mentor")
        assert "q=planning" in page.url
    expect(results.get_by_role("heading", level=3)).to_have_text([MENTOR])

    add = results.get_by_role("button", name=f"Add {MENTOR} to shortlist")
    if journey.js:
        with htmx_swap(page):
            add.click()
        remove = results.get_by_role("button", name=f"Remove {MENTOR} from shortlist")
        expect(remove).to_be_visible()
        assert has_focus(remove), "the focus left the shortlist button when it changed"
        journey.look(page)
    else:
        journey.press(page, f"Add {MENTOR} to shortlist", "Find a mentor")
        assert f"{MENTOR} is on your shortlist" in success(page)
        assert "q=planning" in page.url  # back to the same results
    expect(results).to_contain_text("On your shortlist")

    journey.follow(page, page.get_by_role("navigation", name="Main")
                   .get_by_role("link", name="Shortlist"), "Your shortlist")
    card = page.locator(f"#mentor-{profile_id}")
    expect(card.get_by_role("heading", level=3)).to_have_text(MENTOR)
    card.get_by_label(f"Your private note about {MENTOR}").fill("Ask about committee reports.")
    if journey.js:
        with htmx_swap(page):
            card.get_by_role("button", name="Save note").click()
        expect(card.get_by_role("status")).to_have_text("Note saved")
        journey.look(page)
    else:
        journey.press(page, "Save note", "Your shortlist")
        assert "Your note is saved" in success(page)
    expect(card.get_by_label(f"Your private note about {MENTOR}")).to_have_value(
        "Ask about committee reports.")


def mentee_requests_a_chemistry_call(journey: Journey, page) -> list[dt.datetime]:
    journey.follow(page, page.get_by_role("button", name=f"Request a chemistry call with {MENTOR}"),
                   f"Request a chemistry call with {MENTOR}")
    times = [uk_time(7, 10), uk_time(8, 14)]
    page.get_by_label("Your job title").fill("Senior planning officer")
    page.get_by_label("Your organisation").fill("Testborough Borough Council")
    page.get_by_label("What do you hope to get from mentoring?").fill(HOPES)
    page.get_by_label("Have you been mentored").fill("Not yet.")
    for number, start in enumerate(times, 1):
        local = start.astimezone(LONDON)
        fill_date(page, f"time{number}_date", local.date())
        page.locator(f"#time{number}_time").fill(local.strftime("%H:%M"))
    page.get_by_label("Video call").check()
    journey.press(page, "Send request", f"Chemistry call: {MENTOR} and {MENTEE}")
    assert f"Your request has been sent to {MENTOR}" in success(page)
    expect(page.get_by_role("main")).to_contain_text("Waiting for an answer")

    sent = journey.email(MENTEE_EMAIL, f"Your chemistry call request to {MENTOR} has been sent")
    assert MENTOR in MailSink.text(sent)
    request = journey.email(MENTOR_EMAIL, f"{MENTEE} would like a chemistry call with you")
    text = MailSink.text(request)
    assert HOPES in text
    assert all(format_datetime(start) in text for start in times)
    assert MENTEE_EMAIL not in text  # shared only once the mentor accepts
    return times


def mentor_accepts_from_the_emailed_link(journey: Journey, times) -> None:
    phone = journey.browser()  # the mentor reads the email on a phone, not signed in
    accept = journey.link(MENTOR_EMAIL, "would like a chemistry call", "/accept")
    journey.go(phone, accept, f"Accept the request from {MENTEE}")
    assert _call().state == CallState.REQUESTED  # opening the link changed nothing

    phone.get_by_label(format_datetime(times[0])).check()
    phone.get_by_label("How to join the call").fill("Video call: meet.testborough.gov.uk/kj-al")
    journey.press(phone, "Accept and send the invite", "You accepted the request")
    assert "/answer/" not in phone.url  # the token has left the address bar
    expect(phone.get_by_role("main")).to_contain_text("We have sent you both an invite")
    assert _call().state == CallState.ACCEPTED

    for to in (MENTEE_EMAIL, MENTOR_EMAIL):
        subject = (f"{MENTOR} has accepted your chemistry call" if to == MENTEE_EMAIL
                   else f"Chemistry call with {MENTEE}")
        invite = journey.email(to, subject)
        assert list(attachments(invite).values()) == ["text/calendar"]
        assert format_datetime(times[0]) in MailSink.text(invite)
    assert MENTOR_EMAIL in MailSink.text(journey.email(MENTEE_EMAIL, "has accepted"))


def the_call_happens(journey: Journey) -> None:
    """Move the call's start an hour into the past (see the module's docstring)."""
    call = _call()
    call.scheduled_at = utcnow() - dt.timedelta(hours=1)
    db.session.commit()


def both_say_lets_work_together(journey: Journey, mentee, mentor) -> None:
    for page, other, then in ((mentee, MENTOR, "We will tell you when the other person"),
                              (mentor, MENTEE, "You both want to work together")):
        journey.go(page, "/dashboard", "Your dashboard")
        journey.follow(page, page.get_by_role("link",
                                              name="say whether you would like to work together"),
                       "How did your chemistry call go?")
        expect(page.locator("h1")).to_have_text(f"How did your chemistry call with {other} go?")
        page.get_by_label("Let's work together").check()
        journey.press(page, "Send my answer", f"Chemistry call: {MENTOR} and {MENTEE}")
        assert then in success(page)
    assert _call().state == CallState.MATCHED
    for to, other in ((MENTEE_EMAIL, MENTOR), (MENTOR_EMAIL, MENTEE)):
        assert journey.email(to, f"You and {other} have agreed to work together")


def both_agree_the_terms(journey: Journey, mentee, mentor) -> str:
    # The mentee starts, from the email that says the agreement has opened.
    journey.go(mentee, journey.link(MENTEE_EMAIL, "agree the terms", "/agreements/"),
               f"Your mentoring agreement with {MENTOR}")
    journey.follow(mentee, mentee.get_by_role("button", name="Fill in the terms"),
                   "The terms of your mentoring agreement")
    start = (utcnow() + dt.timedelta(days=14)).date()
    fill_date(mentee, "start_date", start)
    fill_date(mentee, "review_date", start + dt.timedelta(days=91))
    mentee.get_by_label("Goal 1").fill("Present a committee report with confidence")
    mentee.get_by_label("Goal 2").fill("Build a network across neighbouring councils")
    journey.press(mentee, "Save and check the agreement",
                  "Check your agreement before sending it")
    document = mentee.locator(".portal-agreement")
    expect(document).to_contain_text("Present a committee report with confidence")
    reference = re.search(r"/agreements/(MA-[0-9A-Z-]+)/check", mentee.url).group(1)

    # The mentor adds their phone number, checks the whole agreement and sends it.
    journey.go(mentor, journey.link(MENTOR_EMAIL, "agree the terms", "/agreements/"),
               f"Your mentoring agreement with {MENTEE}")
    journey.follow(mentor, mentor.get_by_role("main").get_by_role("link",
                                                                  name="Change the terms"),
                   "The terms of your mentoring agreement")
    expect(mentor.get_by_label("Goal 1")).to_have_value(
        "Present a committee report with confidence")
    mentor.get_by_label("Your phone number").fill("01632 960 001")
    journey.press(mentor, "Save and check the agreement", "Check your agreement before sending it")
    expect(mentor.locator(".portal-agreement")).to_contain_text("01632 960 001")
    journey.press(mentor, "Send for signatures", f"Your mentoring agreement with {MENTEE}")
    assert "sent for signatures" in success(mentor)
    return reference


def both_sign_from_their_emailed_links(journey: Journey, mentee, reference: str) -> None:
    phone = journey.browser()  # the mentor signs on a phone, not signed in
    for page, to, waiting in ((phone, MENTOR_EMAIL, f"We are waiting for {MENTEE} to sign"),
                              (mentee, MENTEE_EMAIL, "You have both signed")):
        name = MENTOR if to == MENTOR_EMAIL else MENTEE
        journey.go(page, journey.link(to, "Sign your mentoring agreement", "/agreements/sign/"),
                   "Sign your mentoring agreement")
        expect(page.locator(".portal-agreement")).to_contain_text(reference)
        page.get_by_label("Your full name").fill(name)
        page.get_by_label("I have read this agreement and I agree to it").check()
        journey.press(page, "Sign the agreement", "You have signed the agreement")
        assert "/agreements/sign/" not in page.url
        expect(page.get_by_role("main")).to_contain_text(waiting)

    for to in (MENTOR_EMAIL, MENTEE_EMAIL):
        signed = journey.email(to, "You have both signed your mentoring agreement")
        assert list(attachments(signed).values()) == ["application/pdf"]
        assert reference in MailSink.text(signed)


def mentee_submits_from_the_emailed_link(journey: Journey, page, reference: str) -> None:
    link = journey.link(MENTEE_EMAIL, "You have both signed", "/agreements/submit/")
    journey.go(page, link, "Submit your agreement to the scheme administrator")
    journey.press(page, "Submit to the scheme administrator",
                  "Your agreement has been submitted")
    expect(page.get_by_role("main")).to_contain_text(reference)

    to_admin = journey.email(ADMIN_EMAIL, f"Signed mentoring agreement: {MENTEE} with {MENTOR}")
    assert list(attachments(to_admin).values()) == ["application/pdf"]
    for to in (MENTEE_EMAIL, MENTOR_EMAIL):
        assert journey.email(to, "your sessions can start")


def administrator_acknowledges_from_the_emailed_link(journey: Journey, admin,
                                                     reference: str) -> None:
    page = journey.browser()  # the scheme's mailbox: not signed in
    link = journey.link(ADMIN_EMAIL, "Signed mentoring agreement", "/agreements/acknowledge/")
    journey.go(page, link, "Confirm you have received this agreement")
    journey.press(page, "Confirm receipt", "Receipt confirmed")
    expect(page.get_by_role("main")).to_contain_text(f"We have told {MENTOR} and {MENTEE}")
    for to in (MENTEE_EMAIL, MENTOR_EMAIL):
        assert journey.email(to, "The scheme administrator has received your mentoring agreement")

    # Later, signed in, the administrator finds it in the administration pages.
    page.context.add_cookies([journey.portal.session_cookie(admin)])
    journey.go(page, "/admin", "Administration")
    main = page.get_by_role("main")  # the header's bar names the scheme too
    # Exactly: the scheme's other administration links name it too ("… in Testborough …").
    journey.follow(page, main.get_by_role("link", name="Testborough planning mentoring",
                                          exact=True),
                   "Agreements – Testborough planning mentoring")
    journey.follow(page, page.get_by_role("link", name=reference),
                   f"Agreement {reference} – Testborough planning mentoring")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Acknowledged")
    expect(main.locator(".portal-audit")).to_contain_text("Receipt acknowledged")


def mentee_books_the_first_session(journey: Journey, page) -> None:
    """In the agreed terms the mentee books; the dashboard says so first."""
    journey.go(page, "/dashboard", "Your dashboard")
    journey.follow(page, page.get_by_role("button", name="Book your first session"),
                   "Book a session")
    start = uk_time(3, 10).astimezone(LONDON)
    fill_date(page, "day", start.date())
    page.locator("#time").fill(start.strftime("%H:%M"))
    page.get_by_label("How long, in minutes").fill("60")
    page.get_by_label("In person").check()
    page.get_by_label("Where, or how to join").fill("Room 4, Testborough Council offices")
    journey.press(page, "Book the session", f"Your mentoring with {MENTOR}")
    expect(page.get_by_role("main")).to_contain_text(format_datetime(start))
    for to in (MENTOR_EMAIL, MENTEE_EMAIL):
        booked = journey.email(to, "Mentoring session booked")
        assert list(attachments(booked).values()) == ["text/calendar"]


def the_session_happens_and_the_mentor_logs_it_from_the_email(journey: Journey) -> None:
    """The session's start moves into the past (as the call's did); the follow-up goes out,
    and the mentor, on a phone and not signed in, logs it from the email."""
    from portal.relationships import follow_up
    from portal.relationships.models import MentoringSession

    db.session.rollback()
    session = db.session.scalars(sa.select(MentoringSession)).one()
    session.starts_at = utcnow() - dt.timedelta(hours=2)
    db.session.commit()
    follow_up.send_due()
    phone = journey.browser()
    journey.go(phone, journey.link(MENTOR_EMAIL, "How was your mentoring session",
                                   "/relationships/log/"),
               "Did your session take place?")
    phone.get_by_label("We met").check()
    fill_date(phone, "held_on", london_today())
    phone.get_by_label("How long you met for, in minutes").fill("55")
    journey.press(phone, "Log the session")
    assert "/log/" not in phone.url  # the token has left the address bar
    db.session.rollback()
    assert db.session.get(MentoringSession, session.id).held_minutes == 55


def mentee_records_an_action(journey: Journey, page) -> None:
    journey.go(page, _relationship_path(), f"Your mentoring with {MENTOR}")
    expect(page.get_by_role("main")).to_contain_text("1 of")
    journey.follow(page, page.get_by_role("button", name="Add an action"), "Add an action")
    page.get_by_label("Present a committee report with confidence").check()
    page.get_by_label("What will be done?").fill(
        "Draft the report on the Eastgate scheme and ask Katherine to read it")
    page.get_by_label("The mentee").check()
    journey.press(page, "Add the action", f"Your mentoring with {MENTOR}")
    expect(page.get_by_role("main")).to_contain_text("Draft the report on the Eastgate scheme")


def mentor_logs_a_second_session_they_did_not_book(journey: Journey, page) -> None:
    journey.go(page, _relationship_path(), f"Your mentoring with {MENTEE}")
    expect(page.get_by_role("main")).to_contain_text("Draft the report on the Eastgate scheme")
    journey.follow(page, page.get_by_role("link", name="Log a session you did not book here"),
                   "Log a session you did not book here")
    fill_date(page, "held_on", london_today())
    page.get_by_label("How long you met for, in minutes").fill("30")
    journey.press(page, "Log the session", f"Your mentoring with {MENTEE}")
    expect(page.get_by_role("main")).to_contain_text("2 of")


def mentee_answers_the_review_check_in_from_the_email(journey: Journey) -> None:
    """The review date comes (moved to today, as the call's time was); the check-in goes out
    and the mentee answers it from the email."""
    from portal.relationships import check_ins

    db.session.rollback()
    agreement = db.session.scalars(sa.select(Agreement)).one()
    agreement.review_date = london_today()
    db.session.commit()
    assert check_ins.send_due().sent == 1
    phone = journey.browser()
    link = journey.link(MENTEE_EMAIL, "How is your mentoring with", "answer=on_track")
    journey.go(phone, link, "Review check-in: how is the mentoring going?")
    journey.press(phone, "Send my answer")
    expect(phone.get_by_role("main")).to_contain_text("We are on track")
    assert "/check-in/" not in phone.url


def london_today() -> dt.date:
    return utcnow().astimezone(LONDON).date()


def _relationship_path() -> str:
    db.session.rollback()
    agreement = db.session.scalars(sa.select(Agreement)).one()
    return f"/relationships/{agreement.relationship_id}"


def _call() -> ChemistryCall:
    db.session.rollback()  # read what the portal committed
    return db.session.scalars(sa.select(ChemistryCall)).one()
