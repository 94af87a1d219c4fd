"""Where a person stands on the dashboard, worked out in one place: a task list for each
chemistry call and relationship they are in, and the one thing they should do next.

Everything is read through the areas' queries (calls, agreements, mentors, admin, mail); the
rules for each step's status are here and nowhere else, so the task lists, the "What to do
next" panel and the other panels cannot tell a person different things.

A step's status is one of: "Completed", "In progress", "Not yet started", "Cannot start yet"
or "Waiting for <name>". A step has a link only when this person can do it now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, url_for

from portal.accounts.models import Role, User
from portal.admin import queries as admin_queries
from portal.agreements import queries as agreement_queries
from portal.agreements.models import Agreement, AgreementState
from portal.agreements.progress import NextStep
from portal.agreements.progress import next_step as agreement_next_step
from portal.calls import queries as call_queries
from portal.calls.models import ApprovalState, CallState, ChemistryCall
from portal.calls.outcome import may_decide
from portal.dashboard import shared
from portal.db import utcnow
from portal.mail import queries as mail_queries
from portal.mentors import queries as mentor_queries
from portal.mentors.models import ProfileState
from portal.relationships import check_ins as relationship_check_ins
from portal.relationships import progress as relationship_progress
from portal.relationships import queries as relationship_queries
from portal.relationships.models import RelationshipState
from portal.relationships.sessions import may_arrange
from portal.templating import format_date, format_datetime

COMPLETED = "Completed"
IN_PROGRESS = "In progress"
NOT_STARTED = "Not yet started"
CANNOT_START = "Cannot start yet"
#: A step an ended relationship never reached.
NOT_REACHED = "Did not happen"
ADMINISTRATOR = "the scheme administrator"


def waiting_for(name: str) -> str:
    return f"Waiting for {name}"


@dataclass(frozen=True)
class Task:
    title: str
    status: str
    #: Only on the step this person can do now.
    href: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Track:
    """One chemistry call or relationship, as its mentor or mentee sees it."""

    heading: str
    scheme_name: str
    party: str
    tasks: list[Task]
    #: The agreement's page, once there is an agreement; else the call's page.
    href: str


@dataclass
class Journey:
    tracks: list[Track] = field(default_factory=list)
    next_step: NextStep | None = None


# Lower rank wins. Things the person can do come first, then what they are waiting for, then
# the quiet "nothing to do" sentences.
_ANSWER, _DECIDE, _AGREEMENT, _APPROVAL, _ACKNOWLEDGE, _DEAD, _FIND, _PROFILE = range(10, 90, 10)
_WAIT_SIGN, _WAIT_SUBMIT, _WAIT_DECIDE, _WAIT_CALL, _WAIT_ANSWER, _WAIT_MANAGER = range(
    100, 160, 10)
_WAIT_ADMIN, _SESSIONS, _IDLE = 200, 210, 300
# A running relationship: a check-in waiting for this person's answer, a first (or next)
# session for them to book, a session they wait for the other to book.
_CHECK_IN, _BOOK, _WAIT_BOOK = 25, 35, 165


def journey_of(user: User) -> Journey:
    """The person's tracks and next step, worked out once per request."""
    cached = g.get("_journey")
    if cached is None or cached[0] != user.id:
        cached = (user.id, _build(user))
        g._journey = cached
    return cached[1]


def _build(user: User) -> Journey:
    steps: list[tuple[int, NextStep]] = []
    tracks: list[Track] = []
    agreements = shared(agreement_queries.on_dashboard, user.id)
    # Sessions and check-ins of the running ones, summed up in a fixed number of queries.
    running = relationship_queries.running_overviews(
        [a.relationship_id for a in agreements
         if a.relationship.state in (RelationshipState.ACTIVE, RelationshipState.ENDED)])
    for agreement in agreements:
        if agreement.relationship.state == RelationshipState.ENDED:
            tracks.append(_ended_track(agreement, user, running[agreement.relationship_id]))
            continue
        track, step = _agreement_track(agreement, user, running.get(agreement.relationship_id))
        tracks.append(track)
        steps.append(step)

    mentee_calls = shared(call_queries.mentee_calls, user) if user.has_role(Role.MENTEE) else []
    mentor_calls = shared(call_queries.mentor_calls, user) if user.has_role(Role.MENTOR) else []
    for call in [*mentee_calls, *mentor_calls]:
        if call.state == CallState.ACCEPTED:
            track, step = _call_track(call, call.party(user.id))
            tracks.append(track)
            steps.append(step)

    incoming = [c for c in mentor_calls if c.state == CallState.REQUESTED]
    if incoming:
        first = min(incoming, key=lambda c: c.closes_at)
        others = len(incoming) - 1
        more = f" You have {others} more request{'s' if others != 1 else ''} to answer." \
            if others else ""
        steps.append((_ANSWER, NextStep(
            f"{first.mentee.full_name} has asked you for a chemistry call. Answer by "
            f"{format_date(first.closes_at)}.{more}",
            url_for("calls.show", call_id=first.id), "Answer the request", True)))

    steps.extend(_mentee_steps(user, mentee_calls, agreements))
    steps.extend(_mentor_steps(user, mentor_calls, agreements))
    steps.extend(_admin_steps(user))

    if not user.memberships:
        steps.append((_FIND, NextStep("You have not joined a scheme yet.",
                                      url_for("schemes.index"), "Choose a scheme", True)))
    steps.sort(key=lambda ranked: ranked[0])
    return Journey(tracks, steps[0][1] if steps else NextStep("You have nothing to do now."))


# --- one chemistry call, accepted and not yet decided ---------------------------------------

def _other_in_call(call: ChemistryCall, party: str) -> str:
    return call.mentee.full_name if party == "mentor" else call.profile.display_name


def _call_track(call: ChemistryCall, party: str) -> tuple[Track, tuple[int, NextStep]]:
    other = _other_in_call(call, party)
    when = f"{format_datetime(call.scheduled_at)} (UK time)"
    page = url_for("calls.show", call_id=call.id)
    if call.scheduled_at > utcnow():
        task = Task("Chemistry call", IN_PROGRESS, page, f"Booked for {when}.")
        step = (_WAIT_CALL, NextStep(
            f"Nothing to do before your chemistry call with {other} on {when}.",
            page, "See the call's details"))
    elif may_decide(call, party):
        decide = url_for("calls.decide", call_id=call.id)
        task = Task("Chemistry call", IN_PROGRESS, decide,
                    "Say whether you would like to work together.")
        step = (_DECIDE, NextStep(
            f"Your chemistry call with {other} was on {when}. Say whether you would like to "
            "work together.", decide, "Say how your call went", True))
    else:
        task = Task("Chemistry call", waiting_for(other), None,
                    f"You have said how it went. We will email you when {other} has answered.")
        step = (_WAIT_DECIDE, NextStep(
            f"Nothing to do now. Waiting for {other} to say how your chemistry call went.",
            page, "See the call"))
    later = [Task(title, CANNOT_START) for title in _agreement_titles(party)]
    return (Track(f"Chemistry call with {other}", call.scheme.name, party, [task, *later], page),
            step)


def _agreement_titles(party: str) -> list[str]:
    return ["Agree the terms", "Sign the agreement",
            "Send the agreement to the scheme administrator" if party == "mentee"
            else "Your mentee sends the agreement to the scheme administrator",
            "The scheme administrator confirms they have received it",
            *RUNNING_TITLES]


#: The running relationship's steps, after the agreement's.
FIRST_SESSION, REVIEW, END = RUNNING_TITLES = ["Have your first session",
                                               "Review how the mentoring is going",
                                               "End the mentoring"]


# --- one relationship and its agreement -----------------------------------------------------

#: Where an agreement step the person only waits for ranks, by the agreement's state.
_WAITING_RANK = {AgreementState.SENT: _WAIT_SIGN, AgreementState.SIGNED_BY_ONE: _WAIT_SIGN,
                 AgreementState.SIGNED_BY_BOTH: _WAIT_SUBMIT,
                 AgreementState.SUBMITTED: _WAIT_ADMIN, AgreementState.ACKNOWLEDGED: _SESSIONS}


def _agreement_track(agreement: Agreement, user: User,
                     running: relationship_queries.RunningOverview | None = None,
                     ) -> tuple[Track, tuple[int, NextStep]]:
    party = agreement.party(user.id)
    other = agreement.person("mentee" if party == "mentor" else "mentor").full_name
    state = agreement.state
    ref = agreement.reference
    show = url_for("agreements.show", reference=ref)
    terms_title, sign_title, send_title, receipt_title, *_ = _agreement_titles(party)
    tasks = [Task("Chemistry call", COMPLETED, hint="You both want to work together.")]

    # The next step is the agreements area's own (the same words as on the agreement's page);
    # a step the person only waits for says so, and links to the agreement.
    step = agreement_next_step(agreement, user.id)
    if step.yours:
        ranked = (_AGREEMENT, step)
    else:
        ranked = (_WAITING_RANK[state], NextStep(f"Nothing to do now. {step.text}",
                                                 step.link or show,
                                                 step.link_text or "See the agreement"))

    # Agree the terms: either of them fills them in, then sends them for signatures.
    if state == AgreementState.DRAFT and agreement.terms_saved_at is None:
        tasks.append(Task(terms_title, NOT_STARTED, step.link,
                          f"Agree the terms with {other}, then fill them in."))
    elif state == AgreementState.DRAFT:
        tasks.append(Task(terms_title, IN_PROGRESS, step.link,
                          "Check the terms, then send the agreement for signatures."))
    else:
        tasks.append(Task(terms_title, COMPLETED))

    # Sign the agreement.
    if state in (AgreementState.SENT, AgreementState.SIGNED_BY_ONE):
        if not step.yours:
            tasks.append(Task(sign_title, waiting_for(other), hint="You have signed."))
        else:
            signed = state == AgreementState.SIGNED_BY_ONE
            tasks.append(Task(sign_title, NOT_STARTED, step.link,
                              f"{other} has signed." if signed else None))
    elif state == AgreementState.DRAFT:
        tasks.append(Task(sign_title, CANNOT_START))
    else:
        tasks.append(Task(sign_title, COMPLETED))

    # The mentee sends it to the scheme administrator.
    if state == AgreementState.SIGNED_BY_BOTH:
        if step.yours:
            tasks.append(Task(send_title, NOT_STARTED, step.link,
                              "Send it before your first session."))
        else:
            tasks.append(Task(send_title, waiting_for(other)))
    elif state in (AgreementState.SUBMITTED, AgreementState.ACKNOWLEDGED):
        tasks.append(Task(send_title, COMPLETED))
    else:
        tasks.append(Task(send_title, CANNOT_START))

    # The scheme administrator confirms receipt.
    if state == AgreementState.SUBMITTED:
        tasks.append(Task(receipt_title, waiting_for(ADMINISTRATOR),
                          hint="Your sessions can start."))
    elif state == AgreementState.ACKNOWLEDGED:
        tasks.append(Task(receipt_title, COMPLETED, hint="Your sessions can start."))
    else:
        tasks.append(Task(receipt_title, CANNOT_START))

    heading = f"Mentoring {other}" if party == "mentor" else f"Mentored by {other}"
    if running is None:
        tasks += [Task(title, CANNOT_START) for title in RUNNING_TITLES]
        return Track(heading, agreement.scheme.name, party, tasks, show), ranked
    running_tasks, running_step = _running(agreement, party, other, running)
    page = url_for("relationships.show", relationship_id=agreement.relationship_id)
    return (Track(heading, agreement.scheme.name, party, [*tasks, *running_tasks], page),
            running_step or ranked)


# --- a relationship that has ended -----------------------------------------------------------

def _ended_track(agreement: Agreement, user: User,
                 running: relationship_queries.RunningOverview) -> Track:
    """What happened, step by step, with nothing left to do: steps not reached did not happen."""
    relationship = agreement.relationship
    party = agreement.party(user.id)
    other = agreement.person("mentee" if party == "mentor" else "mentor").full_name
    terms_title, sign_title, send_title, receipt_title, *_ = _agreement_titles(party)
    reached = {terms_title: agreement.sent_at is not None,
               sign_title: agreement.signed_at is not None,
               send_title: agreement.submitted_at is not None,
               receipt_title: agreement.acknowledged_at is not None,
               FIRST_SESSION: running.held > 0,
               REVIEW: any(c.answer_of(party) is not None for c in running.check_ins)}
    tasks = [Task("Chemistry call", COMPLETED)]
    tasks += [Task(title, COMPLETED if done else NOT_REACHED) for title, done in reached.items()]
    completed = relationship.end_kind is not None and relationship.end_kind.value == "completed"
    tasks.append(Task(END, COMPLETED, hint=(
        f"Completed on {format_date(relationship.ended_at)}." if completed
        else f"Ended on {format_date(relationship.ended_at)}.")))
    heading = f"Mentoring {other}" if party == "mentor" else f"Mentored by {other}"
    return Track(heading, agreement.scheme.name, party, tasks,
                 url_for("relationships.show", relationship_id=relationship.id))


# --- one running relationship: sessions, check-ins, the end -----------------------------------

def _running(agreement: Agreement, party: str, other: str,
             running: relationship_queries.RunningOverview
             ) -> tuple[list[Task], tuple[int, NextStep] | None]:
    """The running relationship's tasks, and its next step (None: the agreement's own, e.g.
    waiting for the administrator, is as true as anything here)."""
    relationship = agreement.relationship
    page = url_for("relationships.show", relationship_id=relationship.id)
    books = may_arrange(agreement, party)
    book = url_for("relationships.book", relationship_id=relationship.id)
    held, planned = running.held, agreement.sessions
    next_when = (f"{format_datetime(running.next_booked)} (UK time)"
                 if running.next_booked is not None else None)
    tasks: list[Task] = []
    step: tuple[int, NextStep] | None = None

    # The first session: booked by whoever the agreement says, or logged by either.
    if held:
        tasks.append(Task(FIRST_SESSION, COMPLETED,
                          hint=f"{held} of {planned} sessions have taken place."))
        if next_when:
            step = (_SESSIONS, NextStep(f"{held} of {planned} sessions with {other} have taken "
                                        f"place. Your next session is on {next_when}.",
                                        page, "See your sessions"))
        elif books:
            step = (_BOOK, NextStep(f"{held} of {planned} sessions with {other} have taken "
                                    "place. Book your next session.", book,
                                    "Book your next session", True))
        else:
            step = (_WAIT_BOOK, NextStep(f"Nothing to do now. {held} of {planned} sessions with "
                                         f"{other} have taken place. Waiting for {other} to book "
                                         "the next one.", page, "See your sessions"))
    elif running.booked:
        tasks.append(Task(FIRST_SESSION, IN_PROGRESS, hint=f"Booked for {next_when}."))
        step = (_SESSIONS, NextStep(f"Nothing to do before your first session with {other} on "
                                    f"{next_when}.", page, "See your sessions"))
    elif books:
        tasks.append(Task(FIRST_SESSION, NOT_STARTED, book,
                          f"Book it with {other}, or log it on your mentoring page if you "
                          "have already met."))
        step = (_BOOK, NextStep(f"Your agreement has been submitted. Book your first session "
                                f"with {other}.", book, "Book your first session", True))
    else:
        tasks.append(Task(FIRST_SESSION, waiting_for(other),
                          hint=f"In your agreement, {other} books the sessions."))
        step = (_WAIT_BOOK, NextStep(f"Nothing to do now. Waiting for {other} to book your "
                                     "first session.", page, "See your sessions"))

    # The review: a check-in on the review date (and at the midpoint where the pack asks).
    waiting = [c for c in running.check_ins if c.answer_of(party) is None]
    other_party = "mentee" if party == "mentor" else "mentor"
    latest = running.check_ins[-1] if running.check_ins else None
    if waiting:
        check_in = waiting[-1]
        answer = url_for("relationships.check_in", relationship_id=relationship.id,
                         check_in_id=check_in.id)
        tasks.append(Task(REVIEW, IN_PROGRESS, answer,
                          f"Your check-in of {format_date(check_in.sent_at)} is waiting for "
                          "your answer."))
        step = (_CHECK_IN, NextStep(f"Say how your mentoring with {other} is going: your "
                                    "check-in is waiting for your answer.", answer,
                                    "Answer the check-in", True))
    elif latest is not None and latest.answer_of(other_party) is None:
        tasks.append(Task(REVIEW, waiting_for(other),
                          hint=f"You said: {latest.answer_of(party).label}."))
    elif latest is not None and latest.kind == "review":
        tasks.append(Task(REVIEW, COMPLETED, hint=f"You said: {latest.answer_of(party).label}."))
    else:
        review_on = relationship_check_ins.agreed_dates(relationship, agreement)["review"]
        tasks.append(Task(REVIEW, NOT_STARTED,
                          hint=f"We will ask you both how it is going on "
                               f"{format_date(review_on)}."))

    # The end: not started while the relationship runs.
    span = relationship_progress.agreed_span(relationship, agreement)
    tasks.append(Task(END, NOT_STARTED, hint=(
        f"The time you agreed runs until {format_date(span[1])}. Either of you can end it "
        "sooner." if span else "Either of you can end it at any time.")))
    return tasks, step


# --- before any call: mentees, mentors, administrators ----------------------------------------

def _mentee_steps(user: User, calls: list[ChemistryCall],
                  agreements: list[Agreement]) -> list[tuple[int, NextStep]]:
    steps = []
    waiting = [c for c in calls if c.state == CallState.REQUESTED]
    if waiting:
        first = min(waiting, key=lambda c: c.requested_at)
        who = (first.profile.display_name if len(waiting) == 1
               else f"{len(waiting)} mentors")
        steps.append((_WAIT_ANSWER, NextStep(
            f"Nothing to do now. Waiting for {who} to answer your request for a chemistry "
            "call.", url_for("calls.show", call_id=first.id),
            "See your request" if len(waiting) == 1 else "See your first request")))
    busy = {c.scheme_id for c in calls if c.state in (CallState.REQUESTED, CallState.ACCEPTED)}
    busy |= {a.scheme_id for a in agreements if a.party(user.id) == "mentee"
             and a.relationship.state != RelationshipState.ENDED}
    for scheme in user.schemes(Role.MENTEE):
        if scheme.id in busy:
            continue
        if scheme.needs_line_manager_approval:
            approval = call_queries.latest_approval(user.id, scheme.id)
            ask = url_for("calls.ask_line_manager", slug=scheme.slug)
            if approval is None or approval.state == ApprovalState.DECLINED:
                again = approval is not None
                steps.append((_APPROVAL, NextStep(
                    f"{scheme.name} needs your line manager's approval before you ask a mentor "
                    "for a chemistry call." + (" Your line manager has not approved your taking "
                                               "part." if again else ""),
                    ask, "Ask your line manager again" if again else "Ask your line manager",
                    True)))
                continue
            if approval.state == ApprovalState.PENDING:
                steps.append((_WAIT_MANAGER, NextStep(
                    f"Nothing to do now. Waiting for {approval.manager_name} to approve your "
                    f"taking part in {scheme.name}.", ask, "Change or resend the request")))
                continue
        ended = [c for c in calls if c.scheme_id == scheme.id]
        steps.append((_FIND, NextStep(
            ("Find another mentor and ask them for a chemistry call." if ended
             else "Find a mentor and ask them for a chemistry call."),
            url_for("mentors.search"), "Find a mentor", True)))
    return steps


def _mentor_steps(user: User, calls: list[ChemistryCall],
                  agreements: list[Agreement]) -> list[tuple[int, NextStep]]:
    if not user.has_role(Role.MENTOR):
        return []
    steps = []
    for scheme, profile in shared(mentor_queries.profiles_of, user):
        if profile is None:
            steps.append((_PROFILE, NextStep(
                f"Write your mentor profile for {scheme.name}, so mentees can find you.",
                url_for("mentors.create_profile", slug=scheme.slug), "Create your profile",
                True)))
        elif profile.state == ProfileState.DRAFT:
            steps.append((_PROFILE, NextStep(
                f"Finish and publish your mentor profile for {scheme.name}, so mentees can "
                "find you.", url_for("mentors.preview_profile", profile_id=profile.id),
                "Finish your profile", True)))
        elif profile.state == ProfileState.HIDDEN:
            steps.append((_IDLE, NextStep(
                f"Your mentor profile for {scheme.name} is hidden, so mentees cannot ask you "
                "for a chemistry call.", url_for("mentors.preview_profile",
                                                 profile_id=profile.id), "Publish it again")))
        else:
            steps.append((_IDLE, NextStep(
                "Nothing to do now. We will email you when a mentee asks you for a chemistry "
                "call.", url_for("mentors.edit_profile", profile_id=profile.id),
                "See your profile")))
    return steps


def _admin_steps(user: User) -> list[tuple[int, NextStep]]:
    schemes = admin_queries.administered(user)
    if not schemes:
        return []
    steps = []
    counts = agreement_queries.state_counts_by_scheme(scheme.id for scheme in schemes)
    for scheme in schemes:
        waiting = counts[scheme.id].get(AgreementState.SUBMITTED, 0)
        if waiting:
            steps.append((_ACKNOWLEDGE, NextStep(
                f"{scheme.name}: {waiting} signed agreement{'s' if waiting != 1 else ''} "
                f"{'are' if waiting != 1 else 'is'} waiting for you to confirm you have "
                "received "
                f"{'them' if waiting != 1 else 'it'}.",
                url_for("admin.agreements", slug=scheme.slug, state="submitted"),
                "Confirm receipt", True)))
    dead = mail_queries.dead_letter_count(user)
    if dead:
        steps.append((_DEAD, NextStep(
            f"{dead} email{'s' if dead != 1 else ''} to your schemes could not be delivered.",
            url_for("dead_letters.index"), "See the emails not delivered", True)))
    steps.append((_IDLE + 10, NextStep(
        "Nothing to do now. No signed agreements are waiting for you to confirm receipt.",
        url_for("admin.index"), "Go to administration")))
    return steps
