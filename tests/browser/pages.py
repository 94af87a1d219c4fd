"""The pages the browser checks and the screenshots visit, in one list.

To check a new page, add a `Page` to PAGES: a name, who is signed in (a `Cast` attribute such as
"mentee", or a dotted path such as "held.mentee", or None), and how to reach it (a path, or a
function that drives the browser there and returns the last navigation's response). The
accessibility, title, form and header tests and scripts/screenshots.py all walk this list. A page
that exists only once another area has been built can name the endpoint it needs
(`needs="mentors.search"`); it is left out until that endpoint exists.

The people at each step of the journey are built lazily by `Cast`, through the domain functions,
so a test of one page pays only for the state that page needs. Each step has its own pair of
people, so every state can exist at once (the title test visits them all in one database).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa
import time_machine

from portal import tokens
from portal.accounts.models import Role, User
from portal.db import utcnow
from portal.extensions import db
from portal.templating import LONDON
from tests.conftest import Builders

Visit = Callable[[Any, "Cast"], Any]

#: The terms a pair agree, as the terms form's fields hold them.
TERMS = {
    "duration_months": 12, "sessions": 6, "frequency": "Once a month",
    "min_minutes": 45, "max_minutes": 90, "meeting_format": "either",
    "meeting_place": "Testborough council offices, or a video call",
    "contact_between": "By email, no more than once a week", "notice_hours": 48,
    "arranges_meetings": "mentee", "sets_agenda": "both",
    "goals": ["Lead a planning committee report with confidence",
              "Build a network across neighbouring councils"],
    "phone": "",
}


def fill_date(page, name: str, day: dt.date | None) -> None:
    """Type a date into GOV.UK's three date boxes for the field ``name`` (None empties them)."""
    for part, value in (("day", day and day.day), ("month", day and day.month),
                        ("year", day and day.year)):
        page.locator(f"#{name}-{part}").fill(str(value) if day else "")


def uk_time(days_ahead: int, hour: int) -> dt.datetime:
    """A time ``days_ahead`` days from now at ``hour`` o'clock UK time, in UTC."""
    day = (utcnow().astimezone(LONDON) + dt.timedelta(days=days_ahead)).date()
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON).astimezone(dt.UTC)


@dataclass
class Pair:
    """A mentor and a mentee at one step of the journey."""

    profile: Any
    mentee: User
    call: Any = None
    agreement: Any = None

    @property
    def mentor(self) -> User:
        return self.profile.user


class Cast:
    """The people and schemes the pages are shown to and about, made through the models."""

    def __init__(self, app) -> None:
        self.app = app
        make = self.make = Builders()
        self.scheme = make.scheme(
            slug="testborough-planning", name="Testborough planning mentoring",
            summary="Mentoring for planners in Testborough and its neighbouring councils.",
            about="Mentors are experienced planners from the public and private sectors.\n\n"
                  "Mentees work in a council planning team and want to grow in their role.",
            admin_email="scheme.admin@testborough.gov.uk",
        )
        self.other_scheme = make.scheme(
            slug="county-leadership", name="County leadership mentoring",
            summary="Mentoring for new managers across the county's councils.",
        )
        self.mentee = make.mentee(self.scheme, email="ada.lovelace@testborough.gov.uk",
                                  name="Ada Lovelace")
        self.profile = make.mentor(self.scheme, email="grace.hopper@testborough.gov.uk",
                                   name="Grace Hopper", expertise=["Planning policy", "Leadership"],
                                   capacity=3)
        self.mentor = self.profile.user
        self.admin = make.admin(self.scheme, email="scheme.admin@testborough.gov.uk")

    # --- who is looking ----------------------------------------------------------------------

    def person(self, who: str | None) -> User | None:
        """The person a `Page.who` names: an attribute, or a dotted path ("held.mentee")."""
        if who is None:
            return None
        found: Any = self
        for name in who.split("."):
            found = getattr(found, name)
        return found

    # --- emailed links -----------------------------------------------------------------------

    @staticmethod
    def _token(purpose: str, **payload: Any) -> str:
        """A fresh emailed link's token, its record committed as sending the email would."""
        token = tokens.make(purpose, **payload)
        db.session.commit()
        return token

    def sign_in_path(self, user: User) -> str:
        """The path of a fresh emailed sign-in link for ``user``."""
        return f"/sign-in/{self._token('sign-in', uid=user.id)}"

    def expired_sign_in_path(self, user: User) -> str:
        minutes = self.app.config["SIGN_IN_LINK_MINUTES"]
        with time_machine.travel(utcnow() - dt.timedelta(minutes=minutes + 5), tick=False):
            return self.sign_in_path(user)

    def registration_path(self, email: str = "new.person@testborough.gov.uk") -> str:
        """The path of a fresh emailed link confirming a registration as a mentee."""
        token = self._token("register", e=email, s=self.scheme.id, r=[Role.MENTEE.value],
                            name="Mary Somerville")
        return f"/register/{token}"

    def answer_path(self, call, action: str = "") -> str:
        """The mentor's emailed link to answer a request ("", "/accept" or "/decline")."""
        from portal.calls.links import make_answer_call_link

        token = make_answer_call_link(call)
        db.session.commit()
        return f"/calls/answer/{token}{action}"

    def sign_path(self, agreement, party: str) -> str:
        person = agreement.person(party)
        token = self._token("sign-agreement", a=agreement.id, v=agreement.version, u=person.id)
        return f"/agreements/sign/{token}"

    def submit_path(self, agreement) -> str:
        token = self._token("submit-agreement", a=agreement.id, v=agreement.version,
                             u=agreement.mentee.id)
        return f"/agreements/submit/{token}"

    def acknowledge_path(self, agreement) -> str:
        token = self._token("acknowledge-agreement", a=agreement.id, v=agreement.version)
        return f"/agreements/acknowledge/{token}"

    # --- the journey's steps, each with its own pair -----------------------------------------

    @cached_property
    def new_mentor(self) -> User:
        """A mentor who has not written a profile yet."""
        return self.make.user("katherine.johnson@testborough.gov.uk", "Katherine Johnson",
                              roles={self.scheme: [Role.MENTOR]})

    @cached_property
    def other_profile(self):
        """A second published mentor, for a request form nobody has used yet."""
        return self.make.mentor(self.scheme, email="annie.easley@testborough.gov.uk",
                                name="Annie Easley", expertise=["Leadership"],
                                job_title="Head of planning", organisation="Eastshire Council")

    @cached_property
    def shortlisted(self):
        """Ada has shortlisted Grace, with a private note."""
        from portal.mentors import shortlist

        shortlist.add(self.mentee, self.profile.id)
        return shortlist.save_note(self.mentee, self.profile.id,
                                   "Ask about committee reports.")

    @cached_property
    def requested(self):
        """Ada has asked Grace for a chemistry call; Grace has not answered."""
        return self._request(self.mentee, self.profile)

    @cached_property
    def held(self) -> Pair:
        """Dorothy accepted Mary's request, and the call has happened: time to decide."""
        from portal.calls import answering

        pair = self._pair("Dorothy Vaughan", "Mary Jackson")
        call = self._request(pair.mentee, pair.profile)
        call = answering.accept_call(call.id, pair.mentor,
                                     proposed_time_id=call.proposed_times[0].id,
                                     details="Video call: the link is in the invite")
        call.scheduled_at = utcnow() - dt.timedelta(hours=1)  # the call has happened
        db.session.commit()
        pair.call = call
        return pair

    @cached_property
    def approvals(self) -> Any:
        """A scheme that asks line managers, its own administrator, and two answered requests:
        one to an address at a member's own account, which the administrator's page flags."""
        from types import SimpleNamespace

        from portal.calls.models import ApprovalState, LineManagerApproval

        scheme = self.make.scheme(slug="district-staff", name="District staff mentoring",
                                  needs_line_manager_approval=True)
        admin = self.make.admin(scheme, email="district.admin@testborough.gov.uk")
        mentee = self.make.mentee(scheme, email="mary.seacole@testborough.gov.uk",
                                  name="Mary Seacole")
        now = utcnow()
        items = [LineManagerApproval(scheme=scheme, mentee=mentee, manager_name=name,
                                     manager_email=email, state=state, requested_at=now,
                                     decided_at=now)
                 for name, email, state in (
                     ("Lee Manager", "lee.manager@testborough.gov.uk", ApprovalState.REPLACED),
                     ("Florence Nightingale", "district.admin@testborough.gov.uk",
                      ApprovalState.APPROVED))]
        db.session.add_all(items)
        db.session.commit()
        return SimpleNamespace(scheme=scheme, admin=admin, approval=items[-1])

    @cached_property
    def draft(self) -> Pair:
        """Rosalind and Lise want to work together; the terms are filled in, not yet sent."""
        return self._agreeing("Rosalind Franklin", "Lise Meitner")

    @cached_property
    def sent(self) -> Pair:
        """Sent for signatures; the mentor, Chien-Shiung, has signed and Emmy has not."""
        pair = self._agreeing("Chien-Shiung Wu", "Emmy Noether", send=True)
        self._sign(pair, "mentor")
        return pair

    @cached_property
    def signed(self) -> Pair:
        """Both Barbara and Hedy have signed; Hedy has not submitted it yet."""
        pair = self._agreeing("Barbara McClintock", "Hedy Lamarr", send=True)
        self._sign(pair, "mentor")
        self._sign(pair, "mentee")
        return pair

    @cached_property
    def submitted(self) -> Pair:
        """Vera submitted the agreement she and Dorothy signed; not yet acknowledged."""
        from portal.agreements import submission

        pair = self._agreeing("Dorothy Hodgkin", "Vera Rubin", send=True)
        self._sign(pair, "mentor")
        self._sign(pair, "mentee")
        pair.agreement = submission.submit(pair.agreement.id, pair.mentee,
                                           ip_address="127.0.0.1", via="portal")
        return pair

    @cached_property
    def acknowledged(self) -> Pair:
        """The administrator has acknowledged Henrietta and Caroline's agreement."""
        from portal.agreements import submission

        pair = self._agreeing("Caroline Herschel", "Henrietta Leavitt", send=True)
        self._sign(pair, "mentor")
        self._sign(pair, "mentee")
        submission.submit(pair.agreement.id, pair.mentee, ip_address="127.0.0.1",
                          via="portal")
        pair.agreement = submission.acknowledge(pair.agreement.id, self.admin,
                                                ip_address="127.0.0.1")
        return pair

    @cached_property
    def dead_letter(self):
        """An email to the scheme that the mail server refused."""
        from portal import mail
        from portal.mail.models import MessageState

        delivery = self.app.config["MAIL_DELIVERY"]
        self.app.config["MAIL_DELIVERY"] = "worker"  # queue it without sending it
        try:
            message = mail.queue("old.address@testborough.gov.uk", "no_account",
                                 scheme=self.scheme, email="old.address@testborough.gov.uk")
            message.state, message.attempts = MessageState.DEAD, 5
            message.last_error = "550 5.1.1 No such mailbox here"
            db.session.commit()
        finally:
            self.app.config["MAIL_DELIVERY"] = delivery
        return message

    def refresh(self) -> None:
        """Forget what the test's session has loaded, to read what the portal committed."""
        db.session.rollback()
        db.session.expire_all()

    # --- how the steps are made --------------------------------------------------------------

    def _pair(self, mentor_name: str, mentee_name: str) -> Pair:
        def address(name: str) -> str:
            return name.lower().replace(" ", ".") + "@testborough.gov.uk"

        profile = self.make.mentor(self.scheme, email=address(mentor_name), name=mentor_name,
                                   expertise=["Development management"])
        mentee = self.make.mentee(self.scheme, email=address(mentee_name), name=mentee_name)
        return Pair(profile, mentee)

    def _request(self, mentee: User, profile):
        from portal.calls.models import CallFormat
        from portal.calls.requesting import request_call

        return request_call(
            mentee, profile.id, hopes="I want to grow in confidence when I present to the "
                                      "planning committee.",
            experience="None yet.", times=[uk_time(7, 10), uk_time(8, 14)], flexible=True,
            preferred_format=CallFormat.VIDEO)

    def _agreeing(self, mentor_name: str, mentee_name: str, *, send: bool = False) -> Pair:
        from portal.agreements import terms
        from portal.agreements.models import Agreement
        from portal.relationships.models import Relationship

        pair = self._pair(mentor_name, mentee_name)
        relationship = Relationship(scheme=self.scheme, mentor=pair.mentor, mentee=pair.mentee,
                                    profile_id=pair.profile.id)
        db.session.add(relationship)
        db.session.commit()  # the agreement opens with the relationship
        agreement = db.session.scalars(
            sa.select(Agreement).where(Agreement.relationship_id == relationship.id)).one()
        start = (utcnow() + dt.timedelta(days=14)).date()
        for person in (pair.mentee, pair.mentor):
            terms.update_terms(agreement.id, person,
                               {**TERMS, "start_date": start, "email": person.email,
                                "review_date": start + dt.timedelta(days=90)},
                               ip_address="127.0.0.1")
        if send:
            terms.send_for_signatures(agreement.id, pair.mentee, ip_address="127.0.0.1")
        pair.agreement = db.session.get(Agreement, agreement.id)
        return pair

    def _sign(self, pair: Pair, party: str) -> None:
        from portal.agreements import signing

        person = pair.agreement.person(party)
        version = pair.agreement.current_version
        signing.sign(pair.agreement.id, person, version_number=version.number,
                     shown_sha256=version.sha256, typed_name=person.full_name, confirmed=True,
                     ip_address="127.0.0.1", user_agent="Pages test", via="email link")


def submit(page, button: str) -> Any:
    """Press a form's button and return the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    return navigation.value


@dataclass(frozen=True)
class Page:
    name: str
    #: A path, or a function (page, cast) that drives the browser and returns the last response.
    visit: str | Visit
    #: Who is signed in: a Cast attribute or dotted path (see Cast.person), or None.
    who: str | None = None
    status: int = 200
    #: A personal page: browsers and proxies must not store it (Cache-Control: no-store).
    personal: bool = False
    #: The page this is the error state of: same title, with "Error: " in front.
    errors_of: str | None = None
    #: Another page this one deliberately shares its title with (the same page reached another
    #: way, such as an emailed link and the dashboard, or a dashboard with other content).
    same_title_as: str | None = None
    #: An endpoint that must exist for this page to be checked (built by another area).
    needs: str | None = None
    tags: frozenset[str] = field(default_factory=frozenset)

    def open(self, page, cast: Cast):
        """Go to the page; returns the response of the document shown."""
        if isinstance(self.visit, str):
            return page.goto(self.visit)
        return self.visit(page, cast)

    def available(self, app) -> bool:
        return self.needs is None or self.needs in app.view_functions


def _path(build: Callable[[Cast], str]) -> Visit:
    return lambda page, cast: page.goto(build(cast))


def _register_with_errors(page, cast: Cast):
    page.goto(f"/schemes/{cast.scheme.slug}/register")
    page.get_by_label("Work email address").fill("not an email address")
    return submit(page, "Continue")


def _sign_in_with_errors(page, cast: Cast):
    page.goto("/sign-in")
    return submit(page, "Email me a sign-in link")


def _check_your_email(page, cast: Cast):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(cast.mentee.email)
    return submit(page, "Email me a sign-in link")


def _dashboard_with(*steps: str) -> Visit:
    """The dashboard once the named steps of the journey exist (so its panels have content)."""

    def visit(page, cast: Cast):
        for step in steps:
            getattr(cast, step)
        return page.goto("/dashboard")

    return visit


def _profile_with_errors(page, cast: Cast):
    page.goto(f"/mentors/profiles/new/{cast.scheme.slug}")
    page.get_by_label("Your name").fill("")
    page.get_by_label("How many mentees can you mentor at once?").fill("lots")
    return submit(page, "Save as draft")


def _call_request_with_errors(page, cast: Cast):
    page.goto(f"/calls/new/{cast.other_profile.id}")
    fill_date(page, "time1_date", dt.date(2020, 1, 1))
    page.locator("#time1_time").fill("10:00")
    return submit(page, "Send request")


def _accept_with_errors(page, cast: Cast):
    page.goto(cast.answer_path(cast.requested, "/accept"))
    page.locator("input[name='time']").first.check()
    return submit(page, "Accept and send the invite")


def _terms_with_errors(page, cast: Cast):
    page.goto(f"/agreements/{cast.draft.agreement.reference}/terms")
    fill_date(page, "review_date", None)
    page.get_by_label("Shortest meeting, in minutes").fill("an hour")
    return submit(page, "Save and check the agreement")


def _sign_with_errors(page, cast: Cast):
    page.goto(cast.sign_path(cast.sent.agreement, "mentee"))
    page.get_by_label("Your full name").fill("Someone Else")
    return submit(page, "Sign the agreement")


def _search(page, cast: Cast):
    cast.other_profile  # two mentors to find  # noqa: B018
    return page.goto("/search?q=planner")


def _shortlist(page, cast: Cast):
    cast.shortlisted  # noqa: B018
    return page.goto("/shortlist")


def _admin_agreements(page, cast: Cast):
    cast.submitted, cast.acknowledged  # noqa: B018
    return page.goto(f"/admin/schemes/{cast.scheme.slug}/agreements")


def _dead_letters(page, cast: Cast):
    cast.dead_letter  # noqa: B018
    return page.goto("/admin/emails-not-delivered/")


def _verify_with_errors(page, cast: Cast):
    return page.goto("/verify?reference=&sha256=not-a-fingerprint")


PAGES: list[Page] = [
    # Anyone
    Page("home", "/"),
    Page("schemes", "/schemes"),
    Page("scheme", _path(lambda cast: f"/schemes/{cast.scheme.slug}")),
    Page("register-choose", "/register"),
    Page("register", _path(lambda cast: f"/schemes/{cast.scheme.slug}/register")),
    Page("register-errors", _register_with_errors, status=400, errors_of="register"),
    Page("sign-in", "/sign-in"),
    Page("sign-in-errors", _sign_in_with_errors, status=400, errors_of="sign-in"),
    # It shows the address the link went to.
    Page("check-your-email", _check_your_email, personal=True),
    Page("sign-in-continue", _path(lambda cast: cast.sign_in_path(cast.mentee)), personal=True),
    Page("register-continue", _path(lambda cast: cast.registration_path()), personal=True),
    Page("signed-out", "/signed-out"),
    Page("accessibility", "/accessibility"),
    Page("privacy", "/privacy"),
    Page("help", "/help"),
    Page("help-mentees", "/help/mentees"),
    Page("help-mentors", "/help/mentors"),
    Page("help-administrators", "/help/administrators"),
    Page("verify", "/verify", needs="agreements.verify"),
    Page("verify-errors", _verify_with_errors, status=400, errors_of="verify",
         needs="agreements.verify"),
    Page("not-found", "/no-such-page", status=404),
    Page("expired-link", _path(lambda cast: cast.expired_sign_in_path(cast.mentee)), status=410,
         personal=True),
    Page("broken-link", "/sign-in/not-a-real-link", status=400, personal=True),

    # A mentee
    Page("dashboard", _dashboard_with("shortlisted", "requested"), who="mentee", personal=True),
    Page("join", _path(lambda cast: f"/schemes/{cast.other_scheme.slug}/join"), who="mentee",
         personal=True),
    Page("search", _search, who="mentee", personal=True, needs="mentors.search"),
    Page("profile", _path(lambda cast: f"/mentors/{cast.profile.id}"), who="mentee",
         personal=True, needs="mentors.profile"),
    Page("shortlist", _shortlist, who="mentee", personal=True, needs="mentors.shortlist"),
    Page("call-request", _path(lambda cast: f"/calls/new/{cast.other_profile.id}"),
         who="mentee", personal=True, needs="calls.new"),
    Page("call-request-errors", _call_request_with_errors, who="mentee", status=400,
         personal=True, errors_of="call-request", needs="calls.new"),
    Page("call-requested", _path(lambda cast: f"/calls/{cast.requested.id}"), who="mentee",
         personal=True, needs="calls.show"),

    # A mentor
    Page("my-profiles", "/mentors/profiles", who="mentor", personal=True,
         needs="mentors.my_profiles"),
    Page("profile-create", _path(lambda cast: f"/mentors/profiles/new/{cast.scheme.slug}"),
         who="new_mentor", personal=True, needs="mentors.create_profile"),
    Page("profile-create-errors", _profile_with_errors, who="new_mentor", status=400,
         personal=True, errors_of="profile-create", needs="mentors.create_profile"),
    Page("profile-edit", _path(lambda cast: f"/mentors/{cast.profile.id}/edit"), who="mentor",
         personal=True, needs="mentors.edit_profile"),
    Page("profile-preview", _path(lambda cast: f"/mentors/{cast.profile.id}/preview"),
         who="mentor", personal=True, needs="mentors.preview_profile"),
    Page("dashboard-mentor", _dashboard_with("requested"), who="mentor", personal=True,
         same_title_as="dashboard"),
    Page("call-answer", _path(lambda cast: cast.answer_path(cast.requested)), personal=True,
         needs="calls.answer"),
    Page("call-accept", _path(lambda cast: cast.answer_path(cast.requested, "/accept")),
         personal=True, needs="calls.answer_accept"),
    Page("call-accept-errors", _accept_with_errors, status=400, personal=True,
         errors_of="call-accept", needs="calls.answer_accept"),
    Page("call-decline", _path(lambda cast: cast.answer_path(cast.requested, "/decline")),
         personal=True, needs="calls.answer_decline"),
    Page("call-accept-signed-in", _path(lambda cast: f"/calls/{cast.requested.id}/accept"),
         who="mentor", personal=True, same_title_as="call-accept", needs="calls.accept"),
    Page("call-decline-signed-in", _path(lambda cast: f"/calls/{cast.requested.id}/decline"),
         who="mentor", personal=True, same_title_as="call-decline", needs="calls.decline"),

    # After the call
    Page("call-held", _path(lambda cast: f"/calls/{cast.held.call.id}"), who="held.mentee",
         personal=True, needs="calls.show"),
    Page("call-outcome", _path(lambda cast: f"/calls/{cast.held.call.id}/outcome"),
         who="held.mentor", personal=True, needs="calls.decide"),

    # The agreement
    Page("agreement", _path(lambda cast: f"/agreements/{cast.draft.agreement.reference}"),
         who="draft.mentee", personal=True, needs="agreements.show"),
    Page("agreement-terms",
         _path(lambda cast: f"/agreements/{cast.draft.agreement.reference}/terms"),
         who="draft.mentor", personal=True, needs="agreements.edit_terms"),
    Page("agreement-terms-errors", _terms_with_errors, who="draft.mentor", status=400,
         personal=True, errors_of="agreement-terms", needs="agreements.edit_terms"),
    Page("agreement-check",
         _path(lambda cast: f"/agreements/{cast.draft.agreement.reference}/check"),
         who="draft.mentee", personal=True, needs="agreements.check"),
    Page("agreement-sign", _path(lambda cast: cast.sign_path(cast.sent.agreement, "mentee")),
         personal=True, needs="agreements.sign_link"),
    Page("agreement-sign-errors", _sign_with_errors, status=400, personal=True,
         errors_of="agreement-sign", needs="agreements.sign_link"),
    # Emailed links already used, opened by someone not signed in: what happened, no more.
    Page("agreement-sign-used",
         _path(lambda cast: cast.sign_path(cast.sent.agreement, "mentor")), status=410,
         personal=True, needs="agreements.sign_link"),
    Page("agreement-signed-by-both",
         _path(lambda cast: f"/agreements/{cast.signed.agreement.reference}"),
         who="signed.mentee", personal=True, needs="agreements.show"),
    Page("agreement-submit", _path(lambda cast: cast.submit_path(cast.signed.agreement)),
         personal=True, needs="agreements.submit_link"),
    Page("agreement-submit-used",
         _path(lambda cast: cast.submit_path(cast.submitted.agreement)), status=410,
         personal=True, needs="agreements.submit_link"),
    Page("agreement-acknowledge",
         _path(lambda cast: cast.acknowledge_path(cast.submitted.agreement)), personal=True,
         needs="agreements.acknowledge_link"),
    Page("agreement-acknowledge-used",
         _path(lambda cast: cast.acknowledge_path(cast.acknowledged.agreement)), status=410,
         personal=True, needs="agreements.acknowledge_link"),

    # The dashboard's task lists, at two steps of the journey
    Page("dashboard-call-held", _dashboard_with("held"), who="held.mentor", personal=True,
         same_title_as="dashboard"),
    Page("dashboard-agreement-sent", _dashboard_with("sent"), who="sent.mentee",
         personal=True, same_title_as="dashboard"),

    # A scheme administrator
    Page("dashboard-admin", _dashboard_with("dead_letter"), who="admin", personal=True,
         same_title_as="dashboard"),
    Page("admin", "/admin", who="admin", personal=True,
         needs="admin.index"),
    Page("admin-agreements", _admin_agreements, who="admin", personal=True,
         needs="admin.agreements"),
    Page("admin-agreement",
         _path(lambda cast: f"/admin/agreements/{cast.submitted.agreement.reference}"),
         who="admin", personal=True, needs="admin.agreement"),
    Page("dead-letters", _dead_letters, who="admin", personal=True, needs="dead_letters.index"),
    Page("admin-approvals",
         _path(lambda cast: f"/admin/schemes/{cast.approvals.scheme.slug}/approvals"),
         who="approvals.admin", personal=True, needs="admin.approvals"),
    Page("admin-approval", _path(lambda cast: f"/admin/approvals/{cast.approvals.approval.id}"),
         who="approvals.admin", personal=True, needs="admin.approval"),
]


def by_name(name: str) -> Page:
    return next(page for page in PAGES if page.name == name)
