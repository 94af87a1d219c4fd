"""The dashboard says the true thing at every step of the journey, for the mentee, the mentor
and the scheme administrator: the "What to do next" panel's sentence and link, each task's
status in the task list, and none of the sentences that would contradict them.

Each state is reached through the domain functions (the steps themselves are tested through
HTTP in their own files); the dashboard is read through HTTP."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, replace
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine

from portal.accounts.models import Membership, Role
from portal.agreements import signing, submission, terms
from portal.agreements.models import Agreement
from portal.calls import answering, lifecycle, outcome
from portal.calls.models import CallFormat, Decision, DeclineReason
from portal.calls.requesting import request_call
from portal.db import utcnow
from portal.extensions import db
from portal.relationships import check_ins, sessions
from portal.relationships.models import CheckIn, CheckInAnswer, SessionFormat
from tests.support.calls import NOW, uk

IP = "127.0.0.1"
MENTOR, MENTEE = "Mira Mentor", "Tom Mentee"
ADMINISTRATOR = "Waiting for the scheme administrator"
CALL_TIME = "Thursday 5 March 2026 at 10am (UK time)"
NOT_REQUESTED = "You have not requested a chemistry call yet"
NOT_JOINED = "You have not joined a scheme yet"
C, N, P, X = "Completed", "Not yet started", "In progress", "Cannot start yet"

#: The terms a pair agree, as the terms verb takes them.
TERMS = {
    "duration_months": 12, "sessions": 6, "frequency": "Once a month",
    "min_minutes": 45, "max_minutes": 90, "meeting_format": "either",
    "meeting_place": "Testborough council offices, or a video call",
    "contact_between": "By email, no more than once a week", "notice_hours": 48,
    "arranges_meetings": "mentee", "sets_agenda": "both",
    "goals": ["Lead a planning committee report with confidence"], "phone": "",
}


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


# --- reaching each state through the domain functions ------------------------------------------

#: The journey's states, in order; the ended ones branch off it.
STATES = ["no_request", "requested", "accepted", "call_held", "mentee_said_yes", "matched",
          "terms_saved", "sent", "signed_by_one", "signed_by_both", "submitted",
          "acknowledged", "declined", "withdrawn", "expired", "not_taken_forward",
          "session_booked", "session_held", "check_in_waiting", "check_in_answered"]
ORDER = STATES[:12]
#: After submission, the running relationship's states, in order (from "submitted").
RUNNING = ["session_booked", "session_held", "check_in_waiting", "check_in_answered"]
#: The review date the pair agree (the terms below), and a moment on it.
REVIEW_AT = NOW + dt.timedelta(days=14 + 90)


def reach(make, state: str) -> SimpleNamespace:
    scheme = make.scheme()
    profile = make.mentor(scheme, name=MENTOR, email="mira.mentor@testborough.gov.uk",
                          capacity=3)
    mentee = make.mentee(scheme, name=MENTEE, email="tom.mentee@testborough.gov.uk")
    admin = make.admin(scheme, email="the.admin@testborough.gov.uk")
    world = SimpleNamespace(scheme=scheme, profile=profile, mentor=profile.user, mentee=mentee,
                            admin=admin, call=None, agreement=None, relationship_id=None,
                            check_in=None)
    if state == "no_request":
        return world
    call = request_call(mentee, profile.id, hopes="I want to grow as a team leader.",
                        experience="", times=[uk(3, 10), uk(4, 14, 30)], flexible=False,
                        preferred_format=CallFormat.VIDEO, ip=IP)
    world.call = call
    if state == "declined":
        answering.decline_call(call.id, world.mentor, reason=DeclineReason.NO_TIME, ip=IP)
        return world
    if state == "withdrawn":
        lifecycle.withdraw(call.id, mentee, ip=IP)
        return world
    if state == "expired":
        lifecycle.remind_and_expire(now=NOW + dt.timedelta(days=30))
        return world
    if state == "requested":
        return world
    answering.accept_call(call.id, world.mentor, proposed_time_id=call.proposed_times[0].id,
                          details="Video call: the link is in the invite", ip=IP)
    if state == "accepted":
        return world
    call.scheduled_at = NOW - dt.timedelta(hours=1)  # the call has happened
    db.session.commit()
    if state == "call_held":
        return world
    if state == "not_taken_forward":
        outcome.decide(call.id, mentee, Decision.NO, ip=IP)
        return world
    outcome.decide(call.id, mentee, Decision.YES, ip=IP)
    if state == "mentee_said_yes":
        return world
    outcome.decide(call.id, world.mentor, Decision.YES, ip=IP)
    agreement = db.session.scalars(sa.select(Agreement).where(
        Agreement.relationship_id == call.relationship_id)).one()
    world.agreement = agreement
    running = RUNNING[:RUNNING.index(state) + 1] if state in RUNNING else []
    if running:
        state = "submitted"
    steps = ORDER[ORDER.index("matched") + 1:ORDER.index(state) + 1]
    for step in steps:
        if step == "terms_saved":
            start = (NOW + dt.timedelta(days=14)).date()
            for person in (mentee, world.mentor):
                terms.update_terms(agreement.id, person,
                                   {**TERMS, "start_date": start, "email": person.email,
                                    "review_date": start + dt.timedelta(days=90)},
                                   ip_address=IP)
        elif step == "sent":
            terms.send_for_signatures(agreement.id, mentee, ip_address=IP)
        elif step in ("signed_by_one", "signed_by_both"):
            person = world.mentor if step == "signed_by_one" else mentee
            version = db.session.get(Agreement, agreement.id).current_version
            signing.sign(agreement.id, person, version_number=version.number,
                         shown_sha256=version.sha256, typed_name=person.full_name,
                         confirmed=True, ip_address=IP, user_agent="test", via="portal")
        elif step == "submitted":
            submission.submit(agreement.id, mentee, ip_address=IP, via="portal")
        elif step == "acknowledged":
            submission.acknowledge(agreement.id, admin, ip_address=IP)
    for step in running:
        if step == "session_booked":
            sessions.book(call.relationship_id, mentee, starts_at=NOW + dt.timedelta(days=7),
                          minutes=60, format=SessionFormat.VIDEO, place="Teams", ip=IP)
        elif step == "session_held":
            # Logged without booking, as pairs who met before the portal knew do.
            sessions.log_unbooked(call.relationship_id, world.mentor,
                                  held_on=NOW.date(), minutes=60, ip=IP)
        elif step == "check_in_waiting":
            assert check_ins.send_due(REVIEW_AT).sent == 1
            world.check_in = db.session.scalars(sa.select(CheckIn)).one()
        elif step == "check_in_answered":
            check_ins.answer(world.check_in.id, mentee, CheckInAnswer.ON_TRACK, via="portal")
    world.relationship_id = call.relationship_id
    return world


# --- reading the dashboard ---------------------------------------------------------------------

@dataclass
class Dashboard:
    html: str

    @property
    def text(self) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", self.html)).split())

    @property
    def next_step(self) -> str:
        found = re.search(r"<p class=\"govuk-body\" data-next-step>(.*?)</p>", self.html, re.S)
        assert found, "no What to do next panel"
        return " ".join(html.unescape(found.group(1)).split())

    @property
    def next_link(self) -> str | None:
        section = self.html.split('id="next-step"', 1)[1].split("</section>", 1)[0]
        link = re.search(r"<a [^>]*data-next-step-link[^>]*>", section)
        return html.unescape(re.search(r'href="([^"]*)"', link.group(0)).group(1)) \
            if link else None

    @property
    def tasks(self) -> list[tuple[str, str, str | None]]:
        """(title, status, link) of each step in each task list, in order."""
        found = []
        for item in self.html.split('<li class="govuk-task-list__item')[1:]:
            item = item.split("</li>", 1)[0]
            name, status = item.split('class="govuk-task-list__status', 1)
            name = name.rsplit("<div", 1)[0]
            link = re.search(r'<a class="govuk-link govuk-task-list__link[^"]*" href="([^"]*)"',
                             name)
            title = re.sub(r"<[^>]+>", " ", re.split(r'<div id="[^"]*-hint"', name)[0])
            title = " ".join(html.unescape(title.split(">", 1)[1]).split())
            status_text = " ".join(html.unescape(
                re.sub(r"<[^>]+>", " ", status.split(">", 1)[1])).split())
            found.append((title, status_text, html.unescape(link.group(1)) if link else None))
        return found

    @property
    def statuses(self) -> list[str]:
        return [status for _, status, _ in self.tasks]


def dashboard(login, user) -> Dashboard:
    response = login(user).get("/dashboard")
    assert response.status_code == 200
    return Dashboard(response.get_data(as_text=True))


# --- what each person should be told at each step ---------------------------------------------

@dataclass(frozen=True)
class Expected:
    #: Words the "What to do next" sentence holds.
    says: str
    #: The link it offers, as a format string filled from the state (None: no link).
    link: str | None
    #: Each task's status, or [] for no task list.
    statuses: list[str]
    #: Which task carries the link to do now (its index), if any.
    task_link: int | None = None
    #: Sentences that must be on the page, and ones that must not.
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


def _sign(name: str) -> str:
    return f"Waiting for {name}"


AGREE = "/agreements/{ref}"
ENDED = Expected("Find another mentor and ask them for a chemistry call.", "/search", [],
                 absent=(NOT_REQUESTED,))

MENTEE_SEES = {
    "no_request": Expected("Find a mentor and ask them for a chemistry call.", "/search", [],
                           present=(NOT_REQUESTED, "Search for a mentor")),
    "requested": Expected(f"Nothing to do now. Waiting for {MENTOR} to answer your request",
                          "/calls/{call}", [], present=("Waiting for an answer",),
                          absent=(NOT_REQUESTED,)),
    "accepted": Expected(f"Nothing to do before your chemistry call with {MENTOR} on "
                         f"{CALL_TIME}.", "/calls/{call}", [P, X, X, X, X], 0,
                         absent=(NOT_REQUESTED, "No calls booked")),
    "call_held": Expected(f"Your chemistry call with {MENTOR} was on", "/calls/{call}/outcome",
                          [P, X, X, X, X], 0, absent=(NOT_REQUESTED,)),
    "mentee_said_yes": Expected(f"Nothing to do now. Waiting for {MENTOR} to say how your "
                                "chemistry call went.", "/calls/{call}",
                                [_sign(MENTOR), X, X, X, X], absent=(NOT_REQUESTED,)),
    "matched": Expected(f"Agree the terms of your mentoring agreement with {MENTOR}",
                        AGREE + "/terms", [C, N, X, X, X], 1,
                        absent=(NOT_REQUESTED, "Search for a mentor", 'id="panel-find-mentor"')),
    "terms_saved": Expected("Check the terms you and", AGREE + "/check", [C, P, X, X, X], 1,
                            absent=(NOT_REQUESTED, "Search for a mentor")),
    "sent": Expected("Read and sign your mentoring agreement.", AGREE + "/sign",
                     [C, C, N, X, X], 2, absent=(NOT_REQUESTED,)),
    "signed_by_one": Expected("Read and sign your mentoring agreement.", AGREE + "/sign",
                              [C, C, N, X, X], 2, present=(f"{MENTOR} has signed.",),
                              absent=(NOT_REQUESTED,)),
    "signed_by_both": Expected("Submit your agreement to the scheme administrator before your "
                               "first session.", AGREE, [C, C, C, N, X], 3,
                               absent=(NOT_REQUESTED,)),
    "submitted": Expected(f"Your sessions with {MENTOR} can start. Waiting for the scheme "
                          "administrator to confirm", AGREE, [C, C, C, C, ADMINISTRATOR],
                          absent=(NOT_REQUESTED,)),
    "acknowledged": Expected("The scheme administrator has received your agreement. Your "
                             f"sessions with {MENTOR} can start.", AGREE, [C, C, C, C, C],
                             absent=(NOT_REQUESTED, "Search for a mentor")),
    "declined": ENDED,
    "withdrawn": ENDED,
    "expired": ENDED,
    "not_taken_forward": ENDED,
}

IDLE_MENTOR = Expected("Nothing to do now. We will email you when a mentee asks you for a "
                       "chemistry call.", "/mentors/{profile}/edit", [],
                       present=("No requests are waiting for you.",))

MENTOR_SEES = {
    "no_request": IDLE_MENTOR,
    "requested": Expected(f"{MENTEE} has asked you for a chemistry call. Answer by",
                          "/calls/{call}", [], present=('hx-get="/calls/{call}/accept"',)),
    "accepted": Expected(f"Nothing to do before your chemistry call with {MENTEE} on "
                         f"{CALL_TIME}.", "/calls/{call}", [P, X, X, X, X], 0,
                         present=("No requests are waiting for you.",)),
    "call_held": Expected(f"Your chemistry call with {MENTEE} was on", "/calls/{call}/outcome",
                          [P, X, X, X, X], 0),
    "mentee_said_yes": Expected(f"Your chemistry call with {MENTEE} was on",
                                "/calls/{call}/outcome", [P, X, X, X, X], 0),
    "matched": Expected(f"Agree the terms of your mentoring agreement with {MENTEE}",
                        AGREE + "/terms", [C, N, X, X, X], 1),
    "terms_saved": Expected("Check the terms you and", AGREE + "/check", [C, P, X, X, X], 1),
    "sent": Expected("Read and sign your mentoring agreement.", AGREE + "/sign",
                     [C, C, N, X, X], 2),
    "signed_by_one": Expected(f"You have signed. Waiting for {MENTEE} to sign the agreement.",
                              AGREE, [C, C, _sign(MENTEE), X, X]),
    "signed_by_both": Expected(f"Waiting for {MENTEE} to send the agreement to the scheme "
                               "administrator", AGREE, [C, C, C, _sign(MENTEE), X]),
    "submitted": Expected(f"Your sessions with {MENTEE} can start. Waiting for the scheme "
                          "administrator to confirm", AGREE, [C, C, C, C, ADMINISTRATOR]),
    "acknowledged": Expected("The scheme administrator has received your agreement. Your "
                             f"sessions with {MENTEE} can start.", AGREE, [C, C, C, C, C]),
    "declined": IDLE_MENTOR,
    "withdrawn": IDLE_MENTOR,
    "expired": IDLE_MENTOR,
    "not_taken_forward": IDLE_MENTOR,
}

# --- the running relationship: its three steps follow the agreement's five ---------------------

RUNNING_STEPS = ["Have your first session", "Review how the mentoring is going",
                 "End the mentoring"]
for _table in (MENTEE_SEES, MENTOR_SEES):
    for _state, _expected in _table.items():
        if len(_expected.statuses) == 5:  # before it runs, the running steps cannot start
            _table[_state] = replace(_expected, statuses=[*_expected.statuses, X, X, X])

REL = "/relationships/{rel}"
BOOK = REL + "/sessions/new"
FIRST_AT = "Monday 9 March 2026 at 9am (UK time)"
AGREED = [C, C, C, C, ADMINISTRATOR]
HELD = "1 of 6 sessions with {name} have taken place. Your next session is on " + FIRST_AT


def _check_in_waiting(name: str) -> Expected:
    return Expected(f"Say how your mentoring with {name} is going", REL + "/check-ins/{check_in}",
                    [*AGREED, C, P, N], 6)


MENTEE_SEES |= {
    # The agreed terms say the mentee books.
    "submitted": Expected(f"Your agreement has been submitted. Book your first session with "
                          f"{MENTOR}.", BOOK, [*AGREED, N, N, N], 5, absent=(NOT_REQUESTED,)),
    "acknowledged": Expected(f"Your agreement has been submitted. Book your first session with "
                             f"{MENTOR}.", BOOK, [C, C, C, C, C, N, N, N], 5,
                             absent=(NOT_REQUESTED, "Search for a mentor")),
    "session_booked": Expected(f"Nothing to do before your first session with {MENTOR} on "
                               f"{FIRST_AT}.", REL, [*AGREED, P, N, N]),
    "session_held": Expected(HELD.format(name=MENTOR), REL, [*AGREED, C, N, N],
                             present=("1 of 6 sessions have taken place.",)),
    "check_in_waiting": _check_in_waiting(MENTOR),
    "check_in_answered": Expected(HELD.format(name=MENTOR), REL, [*AGREED, C, _sign(MENTOR), N],
                                  present=("You said: We are on track.",)),
}
MENTOR_SEES |= {
    "submitted": Expected(f"Nothing to do now. Waiting for {MENTEE} to book your first "
                          "session.", REL, [*AGREED, _sign(MENTEE), N, N]),
    "acknowledged": Expected(f"Nothing to do now. Waiting for {MENTEE} to book your first "
                             "session.", REL, [C, C, C, C, C, _sign(MENTEE), N, N]),
    "session_booked": Expected(f"Nothing to do before your first session with {MENTEE} on "
                               f"{FIRST_AT}.", REL, [*AGREED, P, N, N]),
    "session_held": Expected(HELD.format(name=MENTEE), REL, [*AGREED, C, N, N]),
    "check_in_waiting": _check_in_waiting(MENTEE),
    # The mentee has answered; the mentor has not yet.
    "check_in_answered": _check_in_waiting(MENTEE),
}

TITLES = {
    "mentee": ["Chemistry call", "Agree the terms", "Sign the agreement",
               "Send the agreement to the scheme administrator",
               "The scheme administrator confirms they have received it", *RUNNING_STEPS],
    "mentor": ["Chemistry call", "Agree the terms", "Sign the agreement",
               "Your mentee sends the agreement to the scheme administrator",
               "The scheme administrator confirms they have received it", *RUNNING_STEPS],
}


def fill(template: str, world) -> str:
    return template.format(call=world.call.id if world.call else None,
                           ref=world.agreement.reference if world.agreement else None,
                           profile=world.profile.id, rel=world.relationship_id,
                           check_in=world.check_in.id if world.check_in else None)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ["mentee", "mentor"])
def test_the_dashboard_says_where_each_person_is(make, login, role, state):
    world = reach(make, state)
    expected = (MENTEE_SEES if role == "mentee" else MENTOR_SEES)[state]
    page = dashboard(login, getattr(world, role))

    assert expected.says in page.next_step
    assert page.next_link == (fill(expected.link, world) if expected.link else None)
    # "What to do next" comes first, before every other panel.
    first_heading = page.html.index("<h2", page.html.index("<h1"))
    assert page.html.index('id="next-step-heading"', first_heading) < first_heading + 80
    assert page.statuses == expected.statuses
    if expected.statuses:
        assert [title for title, _, _ in page.tasks] == TITLES[role]
        links = [(i, link) for i, (_, _, link) in enumerate(page.tasks) if link]
        if expected.task_link is None:
            assert links == [], "only the step that can be done now has a link"
        else:
            assert links == [(expected.task_link, fill(expected.link, world))]
    for sentence in expected.present:
        assert fill(sentence, world) in page.html or fill(sentence, world) in page.text
    for sentence in (*expected.absent, NOT_JOINED):
        assert sentence not in page.text and sentence not in page.html, \
            f"{sentence!r} contradicts the {state} state"


@pytest.mark.parametrize("state", ["no_request", "requested", "signed_by_both", "submitted",
                                   "acknowledged"])
def test_the_administrators_dashboard_shows_their_schemes_and_what_waits(make, login, state):
    world = reach(make, state)
    page = dashboard(login, world.admin)
    slug = world.scheme.slug
    if state == "submitted":
        assert page.next_step == (f"{world.scheme.name}: 1 signed agreement is waiting for you "
                                  "to confirm you have received it.")
        assert page.next_link == f"/admin/schemes/{slug}/agreements?state=submitted"
        assert "1 signed agreement waiting for you to confirm receipt" in page.text
    else:
        assert page.next_step == ("Nothing to do now. No signed agreements are waiting for you "
                                  "to confirm receipt.")
        assert page.next_link == "/admin"
    assert "Schemes you administer" in page.text
    assert f'href="/admin/schemes/{slug}/agreements"' in page.html
    assert page.tasks == []
    for sentence in (NOT_JOINED, NOT_REQUESTED, "Search for a mentor"):
        assert sentence not in page.text


def test_someone_in_no_scheme_is_told_to_choose_one(make, login):
    page = dashboard(login, make.user(name="Nobody Yet"))
    assert page.next_step == NOT_JOINED + "."
    assert page.next_link == "/schemes"
    assert "Your schemes" not in page.text


def test_a_mentee_matched_in_one_scheme_still_finds_a_mentor_in_another(make, login):
    world = reach(make, "matched")
    other = make.scheme(name="County leadership mentoring")
    db.session.add(Membership(user=world.mentee, scheme=other, role=Role.MENTEE,
                              eligibility_confirmed_at=utcnow()))
    db.session.commit()
    page = dashboard(login, world.mentee)
    # The agreement is the next step; the search for the other scheme stays, below it.
    assert page.next_link == f"/agreements/{world.agreement.reference}/terms"
    assert page.html.index('id="tasks-heading"') < page.html.index('id="panel-find-mentor"')
    assert "Search for a mentor" in page.text


def test_a_mentee_with_two_requests_waits_for_both(make, login):
    world = reach(make, "requested")
    second = make.mentor(world.scheme, name="Second Mentor")
    request_call(world.mentee, second.id, hopes="Leadership.", experience="",
                 times=[uk(3, 10), uk(4, 14, 30)], flexible=False,
                 preferred_format=CallFormat.VIDEO, ip=IP)
    page = dashboard(login, world.mentee)
    assert page.next_step.startswith("Nothing to do now. Waiting for 2 mentors to answer")
    assert page.next_link == f"/calls/{world.call.id}"
