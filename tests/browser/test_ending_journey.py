"""A mentoring that ends early, in Chromium, with JavaScript on and off: the mentee ends it
from their mentoring page with a reason only the administrators see, finds another mentor (the
first one marked on their shortlist) and asks them for a chemistry call; then the mentee and
the first mentor answer the scheme's evaluation questions from the emailed links.

Every page on the way is checked with axe-core, as in test_journey.py, whose Journey this uses.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from portal.evaluations.models import Evaluation
from portal.extensions import db
from portal.mentors.models import MentorProfile
from portal.relationships.models import Relationship, RelationshipState
from portal.templating import LONDON
from tests.browser.live import MailSink
from tests.browser.pages import fill_date, uk_time
from tests.browser.test_journey import Journey, success
from tests.conftest import Builders

MENTOR, MENTEE, SECOND = "Katherine Johnson", "Ada Lovelace", "Annie Easley"
ADMIN_EMAIL = "scheme.admin@testborough.gov.uk"
REASON = "I have moved to a new post and cannot keep the sessions up."
QUESTIONS = {"mentee": ["What difference has mentoring made to you?",
                        "What would you change about the scheme?"],
             "mentor": ["What did you learn as a mentor?"]}


def test_a_pair_ends_early_the_mentee_finds_another_mentor_and_both_evaluate(
        portal, mail, check_axe, new_context, js):
    make = Builders()
    scheme = make.scheme(slug="testborough-planning", name="Testborough planning mentoring",
                         admin_email=ADMIN_EMAIL,
                         evaluation_form={**QUESTIONS, "anonymous": True, "window_days": 28})
    relationship = make.active_relationship(
        scheme, mentor_name=MENTOR, mentor_email="katherine.johnson@testborough.gov.uk",
        mentee_name=MENTEE, mentee_email="ada.lovelace@testborough.gov.uk")
    profile = db.session.get(MentorProfile, relationship.profile_id)
    profile.places_taken = 1
    second = make.mentor(scheme, email="annie.easley@testborough.gov.uk", name=SECOND)
    db.session.commit()
    mentee_user, mentor_user = relationship.mentee, relationship.mentor
    journey = Journey(portal, mail, check_axe, new_context, js)
    mentee = journey.browser(mentee_user)

    # The mentee shortlists their mentor's profile earlier on, as many do.
    journey.go(mentee, f"/mentors/{profile.id}", f"{MENTOR}, mentor")
    mentee.get_by_role("button", name=re.compile("^Add .*to (your )?shortlist")).click()
    # Done (by htmx, or by the plain post and its redirect) before the page moves on.
    expect(mentee.get_by_role("button", name=re.compile("^Remove"))).to_be_visible()

    # The mentee ends it, from their mentoring page.
    journey.go(mentee, f"/relationships/{relationship.id}", f"Your mentoring with {MENTOR}")
    journey.follow(mentee, mentee.get_by_role("link", name="End our mentoring"),
                   f"End your mentoring with {MENTOR}")
    mentee.get_by_label("Work or personal circumstances have changed").check()
    mentee.get_by_label("Anything the scheme should know (optional)").fill(REASON)
    journey.press(mentee, "End our mentoring", "Your dashboard")
    assert "has ended" in success(mentee)
    db.session.rollback()
    assert db.session.get(Relationship, relationship.id).state == RelationshipState.ENDED

    to_mentor = MailSink.text(journey.email(mentor_user.email,
                                            f"Your mentoring with {MENTEE} has ended"))
    assert f"{MENTEE} has ended your mentoring together" in to_mentor
    assert REASON not in to_mentor
    assert REASON in MailSink.text(journey.email(ADMIN_EMAIL, "A mentoring relationship has ended"))

    # A new match: the shortlist marks the earlier mentor; the mentee asks another.
    journey.go(mentee, "/shortlist", "Your shortlist")
    expect(mentee.get_by_role("main")).to_contain_text("Your earlier mentor")
    journey.go(mentee, f"/mentors/{second.id}", f"{SECOND}, mentor")
    journey.follow(mentee, mentee.get_by_role("button",
                                              name=f"Request a chemistry call with {SECOND}"),
                   f"Request a chemistry call with {SECOND}")
    expect(mentee.get_by_role("main")).not_to_contain_text("already working with")
    mentee.get_by_label("Your job title").fill("Senior planning officer")
    mentee.get_by_label("Your organisation").fill("Testborough Borough Council")
    mentee.get_by_label("What do you hope to get from mentoring?").fill(
        "To carry on where I left off, in my new post.")
    for number, start in enumerate([uk_time(7, 10), uk_time(8, 14)], 1):
        local = start.astimezone(LONDON)
        fill_date(mentee, f"time{number}_date", local.date())
        mentee.locator(f"#time{number}_time").fill(local.strftime("%H:%M"))
    mentee.get_by_label("Video call").check()
    journey.press(mentee, "Send request", f"Chemistry call: {SECOND} and {MENTEE}")
    assert journey.email(second.user.email, f"{MENTEE} would like a chemistry call with you")

    # Both answer the evaluation from their emails.
    for user, browser, questions in (
            (mentee_user, mentee, QUESTIONS["mentee"]),
            (mentor_user, journey.browser(mentor_user), QUESTIONS["mentor"])):
        link = journey.link(user.email, "How did your mentoring go?", "/evaluations/")
        journey.go(browser, link, "How did your mentoring go?")
        for question in questions:
            expect(browser.get_by_role("main")).to_contain_text(question)
        browser.get_by_label(questions[0]).fill("It gave me the confidence to speak up.")
        journey.press(browser, "Send your answers")
        assert "sent" in success(browser)
    db.session.rollback()
    answered = db.session.scalars(sa.select(Evaluation).where(
        Evaluation.submitted_at.is_not(None))).all()
    assert len(answered) == 2
