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
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
import time_machine

from portal import tokens
from portal.accounts.models import Role, User
from portal.db import utcnow
from portal.extensions import db
from portal.templating import LONDON
from tests.browser.keyboard import new_document
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
    #: The running relationship's things, where the step has them.
    session: Any = None
    check_in: Any = None
    evaluation: Any = None

    @property
    def relationship(self) -> Any:
        return self.agreement.relationship

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
            # The pack's questions, asked of each person when their mentoring ends.
            evaluation_form={
                "mentor": ["What went well in your mentoring?",
                           "What would you do differently next time?"],
                "mentee": ["What has changed for you since your mentoring began?",
                           "What could the scheme do better?"]},
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
    def _committed(make: Callable[[], str]) -> str:
        """A fresh emailed link's token from ``make``, its record committed as sending the
        email would. The write starts a transaction of its own (see Builders._begin_write):
        the live portal may have committed since this session last read."""
        Builders._begin_write()
        token = make()
        db.session.commit()
        return token

    def _token(self, purpose: str, **payload: Any) -> str:
        return self._committed(lambda: tokens.make(purpose, **payload))

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

        token = self._committed(lambda: make_answer_call_link(call))
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

    def after_call_path(self, call, person: User, answer: str = "") -> str:
        """A person's emailed "How did your call go?" link (``answer``: the answer tapped)."""
        from portal.calls.links import make_call_outcome_link

        token = self._committed(lambda: make_call_outcome_link(call, person))
        return f"/calls/after/{token}" + (f"?answer={answer}" if answer else "")

    def log_path(self, session, person: User) -> str:
        """A person's link in a session's follow-up email, to log whether it took place."""
        from portal.relationships.links import make_log_session_link

        token = self._committed(lambda: make_log_session_link(session, person))
        return f"/relationships/log/{token}"

    def check_in_path(self, check_in, person: User, answer: str = "on_track") -> str:
        """A person's one-tap answer link in a check-in's email."""
        from portal.relationships.links import make_check_in_link

        token = self._committed(lambda: make_check_in_link(check_in, person))
        return f"/relationships/check-in/{token}?answer={answer}"

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
        self.make._begin_write()
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
        self.make._begin_write()
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
    def running(self) -> Pair:
        """Mary Anning and Rachel Carson's mentoring runs: Rachel has booked their next session,
        logged one they held without booking it and recorded an action; the review check-in,
        due today, waits for both their answers."""
        from portal.relationships import actions, check_ins, sessions
        from portal.relationships.models import ActionOwner, CheckIn, SessionFormat

        pair = self._running("Mary Anning", "Rachel Carson")
        relationship_id = pair.relationship.id
        held = sessions.log_unbooked(relationship_id, pair.mentee, held_on=self._today(),
                                     minutes=60)
        pair.session = sessions.book(
            relationship_id, pair.mentee, starts_at=uk_time(10, 14), minutes=60,
            format=SessionFormat.IN_PERSON,
            place="Meeting room 2, Testborough council offices, Civic Centre, High Street")
        actions.record(relationship_id, pair.mentee,
                       what="Draft the committee report on the Northgate housing site and send "
                            "it to Mary before our next session",
                       owner=ActionOwner.MENTEE, due_on=self._today() + dt.timedelta(days=7),
                       goal=TERMS["goals"][0], session_id=held.id)
        self.make._begin_write()
        pair.agreement.review_date = self._today()  # the check-in is due today
        db.session.commit()
        check_ins.send_due()
        pair.check_in = db.session.scalars(
            sa.select(CheckIn).where(CheckIn.relationship_id == relationship_id)).one()
        return pair

    @cached_property
    def to_log(self) -> Pair:
        """Maria Mitchell and Annie Cannon's booked session started two hours ago: time to
        log whether it took place."""
        from portal.relationships import sessions
        from portal.relationships.models import SessionFormat

        pair = self._running("Maria Mitchell", "Annie Cannon")
        session = sessions.book(pair.relationship.id, pair.mentee, starts_at=uk_time(2, 10),
                                minutes=60, format=SessionFormat.VIDEO,
                                place="Video call: the link is in the invite")
        self.make._begin_write()
        session.starts_at = utcnow() - dt.timedelta(hours=2)  # the session has happened
        db.session.commit()
        pair.session = session
        return pair

    @cached_property
    def ended(self) -> Pair:
        """Cecilia Payne ended her mentoring with Williamina Fleming after it ran; each is
        asked the pack's evaluation questions, and Williamina has answered hers."""
        from portal.evaluations import answering
        from portal.evaluations.models import Evaluation
        from portal.relationships import ending
        from portal.relationships.models import EndCategory

        pair = self._running("Williamina Fleming", "Cecilia Payne")
        ending.end(pair.relationship.id, pair.mentee, category=EndCategory.GOALS_MET,
                   reason="We met the goals sooner than we planned.")
        found = {evaluation.user_id: evaluation for evaluation in db.session.scalars(
            sa.select(Evaluation).where(Evaluation.relationship_id == pair.relationship.id))}
        answering.submit(found[pair.mentor.id].id, pair.mentor,
                         ["Cecilia grew in confidence quickly.", ""])
        pair.evaluation = found[pair.mentee.id]
        return pair

    @cached_property
    def cosigned(self) -> SimpleNamespace:
        """In a scheme whose pack has both people sign the evaluation, Sophie Germain's
        mentoring with Emmy Klein has ended and both have sent their answers: each has
        the whole form to read and sign."""
        from portal.evaluations import answering
        from portal.evaluations.models import Evaluation
        from portal.relationships import ending

        scheme = self.make.scheme(
            slug="west-testborough", name="West Testborough mentoring",
            summary="Mentoring across the West Testborough councils.",
            evaluation_form={
                "mentor": ["What development needs did you agree, and how were they met?",
                           "What worked well in your partnership?"],
                "mentee": ["What development needs did you agree, and how were they met?",
                           "What could have worked better?"],
                "anonymous": False, "signed_together": True})
        relationship = self.make.active_relationship(
            scheme, mentor_name="Emmy Klein", mentee_name="Sophie Germain",
            mentor_email="emmy.klein@testborough.gov.uk",
            mentee_email="sophie.germain@testborough.gov.uk")
        ending.end(relationship.id, relationship.mentee, category=None)
        found = {evaluation.party: evaluation for evaluation in db.session.scalars(
            sa.select(Evaluation).where(Evaluation.relationship_id == relationship.id))}
        answering.submit(found["mentor"].id, relationship.mentor,
                         ["Presenting to committee; we practised it each month.",
                          "Honest feedback, given kindly."])
        answering.submit(found["mentee"].id, relationship.mentee,
                         ["Presenting to committee: I now do it without notes.", ""])
        return SimpleNamespace(mentor=relationship.mentor, mentee=relationship.mentee,
                               evaluation=found["mentee"])

    @cached_property
    def dead_letter(self):
        """An email to the scheme that the mail server refused."""
        from portal import mail
        from portal.mail.models import MessageState

        delivery = self.app.config["MAIL_DELIVERY"]
        self.app.config["MAIL_DELIVERY"] = "worker"  # queue it without sending it
        try:
            self.make._begin_write()
            message = mail.queue("old.address@testborough.gov.uk", "no_account",
                                 scheme=self.scheme, email="old.address@testborough.gov.uk")
            message.state, message.attempts = MessageState.DEAD, 5
            message.last_error = "550 5.1.1 No such mailbox here"
            db.session.commit()
        finally:
            self.app.config["MAIL_DELIVERY"] = delivery
        return message

    @cached_property
    def needs_help(self) -> Pair:
        """Gertrude Elion and Tu Youyou's mentoring runs and Tu answered "We need help" at its
        check-in; Jane Goodall declined Mae Jemison's request with a note for the scheme."""
        from portal.calls.models import CallState
        from portal.relationships import check_ins
        from portal.relationships.models import CheckIn, CheckInAnswer

        pair = self._running("Gertrude Elion", "Tu Youyou")
        self.make._begin_write()
        check_in = CheckIn(relationship_id=pair.relationship.id, kind="review",
                           due_on=self._today())
        db.session.add(check_in)
        db.session.commit()
        check_ins.answer(check_in.id, pair.mentee, CheckInAnswer.NEED_HELP, via="portal")
        declined = self._pair("Jane Goodall", "Mae Jemison")
        call = self._request(declined.mentee, declined.profile)
        self.make._begin_write()
        call.state, call.answered_at = CallState.DECLINED, utcnow()
        call.decline_note = ("I am away for most of the spring; Grace Hopper knows this area "
                             "better than I do.")
        db.session.commit()
        pair.check_in, pair.call = check_in, call
        return pair

    @cached_property
    def invitations(self) -> SimpleNamespace:
        """Two lists of people to invite: one checked, with a row of each problem, and one
        sent; and a link to join from the sent one."""
        from portal.admin import inviting
        from portal.admin.models import Invitation
        from portal.admin.models import InvitationUpload as Upload

        rows = "\n".join([
            "Name,Email", "Ada Lovelace,ada.lovelace@testborough.gov.uk",
            "Grace Hopper,grace.hopper@testborough.gov.uk", "Alan T,not an address",
            ",no.name@testborough.gov.uk", "Ada again,ada.lovelace@testborough.gov.uk"])
        checked = inviting.preview(self.scheme.id, self.admin, Role.MENTEE, "c" * 43, rows,
                                   "new-mentees.csv")
        sent = inviting.preview(self.scheme.id, self.admin, Role.MENTOR, "s" * 43,
                                "Mary Somerville, mary.somerville@testborough.gov.uk\n"
                                "Emmy Noether, emmy.noether@testborough.gov.uk")
        inviting.send(sent.id, self.admin)
        invitation = db.session.scalars(sa.select(Invitation).where(
            Invitation.upload_id == sent.id).order_by(Invitation.id)).first()
        return SimpleNamespace(
            checked=db.session.get(Upload, checked.id), sent=db.session.get(Upload, sent.id),
            join_path=f"/invitation/{self._token('join-invite', i=invitation.id)}")

    @cached_property
    def equality(self) -> SimpleNamespace:
        """A scheme that asks equality-monitoring questions, its administrator, a mentee who
        has not answered yet, one who has, and six more answers so the report has figures."""
        from portal.equality import answering

        scheme = self.make.scheme(
            slug="district-fairness", name="District fairness mentoring",
            equality={"purpose": "The district checks that mentoring reaches staff of every "
                                 "background fairly.",
                      "questions": [
                          {"key": "age", "question": "How old are you?",
                           "options": ["16 to 34", "35 to 54", "55 or over"]},
                          {"key": "caring", "question": "Do you look after or support anyone "
                                                       "because of their illness or age?",
                           "hint": "Do not count anything you do as part of your paid work.",
                           "options": ["No", "Yes"]}]})
        admin = self.make.admin(scheme, email="fairness.admin@testborough.gov.uk")
        fresh = self.make.mentee(scheme, email="fairness.asked@testborough.gov.uk",
                                 name="Mary Anning")
        done = self.make.mentee(scheme, email="fairness.answered@testborough.gov.uk",
                                name="Sofia Kovalevskaya")
        answering.send(scheme.id, done, {"age": "35 to 54", "caring": "No"})
        for n, age in enumerate(["16 to 34"] * 5 + ["55 or over"]):
            person = self.make.mentee(scheme, email=f"fairness.mentee{n}@testborough.gov.uk")
            answering.send(scheme.id, person, {"age": age})
        return SimpleNamespace(scheme=scheme, admin=admin, fresh=fresh, done=done,
                               path=f"/schemes/{scheme.slug}/equality")

    @cached_property
    def leavers(self) -> SimpleNamespace:
        """Two mentees of the scheme: one still taking part, one deactivated."""
        from portal.admin import leavers

        staying = self.make.mentee(self.scheme, email="ida.stays@testborough.gov.uk",
                                   name="Ida Stays")
        gone = self.make.mentee(self.scheme, email="olive.left@testborough.gov.uk",
                                name="Olive Left")
        leavers.deactivate(self.scheme.id, gone.id, self.admin, reason="Left in March.")
        return SimpleNamespace(staying=staying, gone=gone)

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
        self.make._begin_write()
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

    def _running(self, mentor_name: str, mentee_name: str) -> Pair:
        """A pair whose signed agreement is submitted, so their sessions may start."""
        from portal.agreements import submission

        pair = self._agreeing(mentor_name, mentee_name, send=True)
        self._sign(pair, "mentor")
        self._sign(pair, "mentee")
        pair.agreement = submission.submit(pair.agreement.id, pair.mentee,
                                           ip_address="127.0.0.1", via="portal")
        # They started three months ago (the terms form takes no past date), as the call's
        # time moves for `held`; the review is three months on.
        self.make._begin_write()
        pair.agreement.start_date = self._today() - dt.timedelta(days=91)
        pair.agreement.review_date = self._today() + dt.timedelta(days=91)
        db.session.commit()
        return pair

    @staticmethod
    def _today() -> dt.date:
        return utcnow().astimezone(LONDON).date()

    def _sign(self, pair: Pair, party: str) -> None:
        from portal.agreements import signing

        person = pair.agreement.person(party)
        version = pair.agreement.current_version
        signing.sign(pair.agreement.id, person, version_number=version.number,
                     shown_sha256=version.sha256, typed_name=person.full_name, confirmed=True,
                     ip_address="127.0.0.1", user_agent="Pages test", via="email link")


def submit(page, button: str) -> Any:
    """Press a form's button and return the response of the page it leads to."""
    with new_document(page) as loaded:
        page.get_by_role("button", name=button, exact=True).click()
    return loaded.response


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


def _reports_with_errors(page, cast: Cast):
    """The Reports page after asking for a range that ends before it starts, and a date that
    is not real."""
    page.goto(f"/admin/schemes/{cast.scheme.slug}/reports")
    fill_date(page, "from_date", None)
    for part, value in (("day", "31"), ("month", "2"), ("year", "2026")):
        page.locator(f"#from_date-{part}").fill(value)
    fill_date(page, "to_date", dt.date(2020, 1, 1))
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Show the figures").click()
    return navigation.value


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


def _administrators_with_errors(page, cast: Cast):
    page.goto(f"/admin/schemes/{cast.scheme.slug}/administrators")
    return submit(page, "Send the invitation")


def _invitations_with_errors(page, cast: Cast):
    page.goto(f"/admin/schemes/{cast.scheme.slug}/invitations")
    return submit(page, "Check the list")


def _invitation_upload(which: str) -> Visit:
    def visit(page, cast: Cast):
        upload = getattr(cast.invitations, which)
        return page.goto(f"/admin/schemes/{cast.scheme.slug}/invitations/{upload.id}")
    return visit


def _join_invitation_with_errors(page, cast: Cast):
    page.goto(cast.invitations.join_path)
    return submit(page, "Join the scheme")


def _dead_letters(page, cast: Cast):
    cast.dead_letter  # noqa: B018
    return page.goto("/admin/emails-not-delivered/")


def _admin_requests(page, cast: Cast):
    cast.held, cast.needs_help  # noqa: B018
    return page.goto(f"/admin/schemes/{cast.scheme.slug}/requests")


def _admin_relationships(page, cast: Cast):
    cast.draft, cast.sent, cast.submitted, cast.acknowledged, cast.ended  # noqa: B018
    return page.goto(f"/admin/schemes/{cast.scheme.slug}/relationships")


def _admin_attention(page, cast: Cast):
    cast.dead_letter, cast.needs_help  # noqa: B018
    return page.goto(f"/admin/schemes/{cast.scheme.slug}/attention")


def _verify_with_errors(page, cast: Cast):
    return page.goto("/verify?reference=&sha256=not-a-fingerprint")


def _relationship(step: str, page_path: str = "") -> Visit:
    """A page of the relationship at the named step (``page_path`` after its address)."""
    return _path(lambda cast: f"/relationships/{getattr(cast, step).relationship.id}{page_path}")


def _book_with_errors(page, cast: Cast):
    page.goto(f"/relationships/{cast.running.relationship.id}/sessions/new")
    page.locator("#time").fill("half past ten")
    page.get_by_label("How long, in minutes").fill("")
    return submit(page, "Book the session")


def _change_with_errors(page, cast: Cast):
    page.goto(f"/relationships/sessions/{cast.running.session.id}/change")
    fill_date(page, "day", dt.date(2020, 1, 1))
    page.get_by_label("How long, in minutes").fill("600")
    return submit(page, "Change the session")


def _fill_log_with_errors(page) -> Any:
    page.get_by_label("We met").check()
    fill_date(page, "held_on", None)
    page.get_by_label("How long you met for, in minutes").fill("an hour")
    return submit(page, "Log the session")


def _log_with_errors(page, cast: Cast):
    page.goto(f"/relationships/sessions/{cast.to_log.session.id}/log")
    return _fill_log_with_errors(page)


def _log_link_with_errors(page, cast: Cast):
    page.goto(cast.log_path(cast.to_log.session, cast.to_log.mentor))
    return _fill_log_with_errors(page)


def _log_unbooked_with_errors(page, cast: Cast):
    page.goto(f"/relationships/{cast.running.relationship.id}/sessions/log")
    fill_date(page, "held_on", dt.date(2099, 1, 1))
    return submit(page, "Log the session")


def _action_with_errors(page, cast: Cast):
    page.goto(f"/relationships/{cast.running.relationship.id}/actions/new")
    for part, value in (("day", "30"), ("month", "2"), ("year", "2027")):  # no such day
        page.locator(f"#due_on-{part}").fill(value)
    return submit(page, "Add the action")


def _check_in(cast: Cast) -> str:
    pair = cast.running
    return f"/relationships/{pair.relationship.id}/check-ins/{pair.check_in.id}"


def _check_in_with_errors(page, cast: Cast):
    page.goto(_check_in(cast))
    return submit(page, "Send my answer")


def _end_with_errors(page, cast: Cast):
    page.goto(f"/relationships/{cast.running.relationship.id}/end")
    page.get_by_label("Anything the scheme should know").fill("So much to say. " * 130)
    return submit(page, "End our mentoring")


def _end_as_administrator_with_errors(page, cast: Cast):
    page.goto(f"/relationships/{cast.running.relationship.id}/end")
    return submit(page, "End this mentoring relationship")


def _evaluation_with_errors(page, cast: Cast):
    page.goto(f"/evaluations/{cast.ended.evaluation.id}")
    return submit(page, "Send your answers")


def _equality_with_errors(page, cast: Cast):
    """The equality questions sent with an answer the form does not offer (only a changed
    page can send one: the browser's radios offer the pack's options)."""
    page.goto(cast.equality.path)
    page.locator("input[name=q_age]").first.evaluate("radio => { radio.value = 'Ninety'; "
                                                     "radio.checked = true; }")
    return submit(page, "Send my answers")


def _after_call_with_errors(page, cast: Cast):
    page.goto(cast.after_call_path(cast.held.call, cast.held.mentee))
    return submit(page, "Send my answer")


def _sent_evaluation_path(cast: Cast) -> str:
    """The mentor's evaluation, answered already."""
    from portal.evaluations.models import Evaluation

    pair = cast.ended
    evaluation = db.session.scalars(sa.select(Evaluation).where(
        Evaluation.relationship_id == pair.relationship.id,
        Evaluation.user_id == pair.mentor.id)).one()
    return f"/evaluations/{evaluation.id}"


def _account_details_with_errors(page, cast: Cast):
    page.goto("/account/details")
    page.get_by_label("Full name").fill("")
    return submit(page, "Save changes")


def _account_email_with_errors(page, cast: Cast):
    page.goto("/account/email")
    return submit(page, "Send the link")


def _evaluation_sign_with_errors(page, cast: Cast):
    page.goto(f"/evaluations/{cast.cosigned.evaluation.id}/sign")
    return submit(page, "Sign the evaluation")


def _evaluations(page, cast: Cast):
    cast.ended  # noqa: B018
    return page.goto(f"/admin/schemes/{cast.scheme.slug}/evaluations")


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
    Page("scheme-privacy", _path(lambda cast: f"/schemes/{cast.scheme.slug}/privacy"),
         needs="schemes.privacy"),
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
    Page("account", "/account", who="mentee", personal=True, needs="accounts.account"),
    Page("account-details", "/account/details", who="mentee", personal=True,
         needs="accounts.change_details"),
    Page("account-details-errors", _account_details_with_errors, who="mentee", status=400,
         personal=True, errors_of="account-details", needs="accounts.change_details"),
    Page("account-email", "/account/email", who="mentee", personal=True,
         needs="accounts.change_email"),
    Page("account-data", "/account/data", who="mentee", personal=True,
         needs="personal_data.data"),
    Page("account-delete", "/account/delete", who="mentee", personal=True,
         needs="personal_data.delete_account"),
    Page("leave-scheme", _path(lambda cast: f"/schemes/{cast.scheme.slug}/leave"),
         who="mentee", personal=True, needs="accounts.leave"),
    Page("admin-erase", _path(lambda cast: f"/admin/schemes/{cast.scheme.slug}/people/"
                                           f"{cast.mentee.id}/erase"),
         who="admin", personal=True, needs="personal_data.erase"),
    Page("account-email-errors", _account_email_with_errors, who="mentee", status=400,
         personal=True, errors_of="account-email", needs="accounts.change_email"),
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
    # The emailed one-tap answers: with none tapped it is the signed-in page's question.
    Page("call-after", _path(lambda cast: cast.after_call_path(cast.held.call, cast.held.mentee)),
         personal=True, same_title_as="call-outcome", needs="calls.after_call"),
    Page("call-after-errors", _after_call_with_errors, status=400, personal=True,
         errors_of="call-after", needs="calls.after_call"),
    Page("call-after-yes",
         _path(lambda cast: cast.after_call_path(cast.held.call, cast.held.mentee, "yes")),
         personal=True, needs="calls.after_call"),

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

    # The running relationship
    Page("relationship", _relationship("running"), who="running.mentee", personal=True,
         needs="relationships.show"),
    Page("relationship-mentor", _relationship("running"), who="running.mentor", personal=True,
         needs="relationships.show"),
    Page("relationship-to-log", _relationship("to_log"), who="to_log.mentor", personal=True,
         needs="relationships.show"),
    Page("session-book", _relationship("running", "/sessions/new"), who="running.mentee",
         personal=True, needs="relationships.book"),
    Page("session-book-errors", _book_with_errors, who="running.mentee", status=400,
         personal=True, errors_of="session-book", needs="relationships.book"),
    Page("session-change",
         _path(lambda cast: f"/relationships/sessions/{cast.running.session.id}/change"),
         who="running.mentee", personal=True, needs="relationships.change_session"),
    Page("session-change-errors", _change_with_errors, who="running.mentee", status=400,
         personal=True, errors_of="session-change", needs="relationships.change_session"),
    Page("session-cancel",
         _path(lambda cast: f"/relationships/sessions/{cast.running.session.id}/cancel"),
         who="running.mentor", personal=True, needs="relationships.cancel_session"),
    Page("session-log",
         _path(lambda cast: f"/relationships/sessions/{cast.to_log.session.id}/log"),
         who="to_log.mentee", personal=True, needs="relationships.log_session"),
    Page("session-log-errors", _log_with_errors, who="to_log.mentee", status=400,
         personal=True, errors_of="session-log", needs="relationships.log_session"),
    # The follow-up email's link: the same question, without signing in.
    Page("session-log-link",
         _path(lambda cast: cast.log_path(cast.to_log.session, cast.to_log.mentor)),
         personal=True, same_title_as="session-log", needs="relationships.log_link"),
    Page("session-log-link-errors", _log_link_with_errors, status=400, personal=True,
         errors_of="session-log-link", needs="relationships.log_link"),
    Page("session-log-unbooked", _relationship("running", "/sessions/log"),
         who="running.mentor", personal=True, needs="relationships.log_unbooked"),
    Page("session-log-unbooked-errors", _log_unbooked_with_errors, who="running.mentor",
         status=400, personal=True, errors_of="session-log-unbooked",
         needs="relationships.log_unbooked"),
    Page("action-new", _relationship("running", "/actions/new"), who="running.mentee",
         personal=True, needs="relationships.new_action"),
    Page("action-new-errors", _action_with_errors, who="running.mentee", status=400,
         personal=True, errors_of="action-new", needs="relationships.new_action"),
    Page("check-in", _path(_check_in), who="running.mentee", personal=True,
         needs="relationships.check_in"),
    Page("check-in-errors", _check_in_with_errors, who="running.mentee", status=400,
         personal=True, errors_of="check-in", needs="relationships.check_in"),
    # The check-in email's one-tap answer: the same question, the tapped answer chosen.
    Page("check-in-link",
         _path(lambda cast: cast.check_in_path(cast.running.check_in, cast.running.mentor)),
         personal=True, same_title_as="check-in", needs="relationships.check_in_link"),
    Page("end", _relationship("running", "/end"), who="running.mentee", personal=True,
         needs="relationships.end"),
    Page("end-errors", _end_with_errors, who="running.mentee", status=400, personal=True,
         errors_of="end", needs="relationships.end"),
    Page("end-admin", _relationship("running", "/end"), who="admin", personal=True,
         needs="relationships.end"),
    Page("end-admin-errors", _end_as_administrator_with_errors, who="admin", status=400,
         personal=True, errors_of="end-admin", needs="relationships.end"),

    # After the mentoring ends
    Page("relationship-ended", _relationship("ended"), who="ended.mentee", personal=True,
         needs="relationships.show"),
    Page("evaluation", _path(lambda cast: f"/evaluations/{cast.ended.evaluation.id}"),
         who="ended.mentee", personal=True, needs="evaluations.answer"),
    Page("evaluation-errors", _evaluation_with_errors, who="ended.mentee", status=400,
         personal=True, errors_of="evaluation", needs="evaluations.answer"),
    Page("evaluation-sent", _path(_sent_evaluation_path), who="ended.mentor", personal=True,
         needs="evaluations.answer"),
    Page("evaluation-to-sign", _path(lambda cast: f"/evaluations/{cast.cosigned.evaluation.id}"),
         who="cosigned.mentee", personal=True, same_title_as="evaluation-sent",
         needs="evaluations.sign"),
    Page("evaluation-sign",
         _path(lambda cast: f"/evaluations/{cast.cosigned.evaluation.id}/sign"),
         who="cosigned.mentee", personal=True, needs="evaluations.sign"),
    Page("evaluation-sign-errors", _evaluation_sign_with_errors, who="cosigned.mentee",
         status=400, personal=True, errors_of="evaluation-sign", needs="evaluations.sign"),

    # The dashboard's task lists, at several steps of the journey
    Page("dashboard-call-held", _dashboard_with("held"), who="held.mentor", personal=True,
         same_title_as="dashboard"),
    Page("dashboard-agreement-sent", _dashboard_with("sent"), who="sent.mentee",
         personal=True, same_title_as="dashboard"),
    Page("dashboard-running", _dashboard_with("running"), who="running.mentee",
         personal=True, same_title_as="dashboard"),
    Page("dashboard-ended", _dashboard_with("ended"), who="ended.mentee", personal=True,
         same_title_as="dashboard"),

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
    Page("admin-evaluations", _evaluations, who="admin", personal=True,
         needs="evaluations.scheme_results"),
    Page("admin-reports", _path(lambda cast: f"/admin/schemes/{cast.scheme.slug}/reports"),
         who="admin", personal=True, needs="admin.reports_page"),
    Page("admin-reports-errors", _reports_with_errors, who="admin", status=400,
         personal=True, errors_of="admin-reports", needs="admin.reports_page"),
    Page("admin-reports-equality",
         _path(lambda cast: f"/admin/schemes/{cast.equality.scheme.slug}/reports"),
         who="equality.admin", personal=True, needs="equality.questions"),
    Page("equality", _path(lambda cast: cast.equality.path), who="equality.fresh",
         personal=True, needs="equality.questions"),
    Page("equality-errors", _equality_with_errors, who="equality.fresh", status=400,
         personal=True, errors_of="equality", needs="equality.questions"),
    Page("equality-done", _path(lambda cast: cast.equality.path), who="equality.done",
         personal=True, same_title_as="equality", needs="equality.questions"),
    Page("dashboard-equality", _dashboard_with("equality"), who="equality.fresh",
         personal=True, same_title_as="dashboard", needs="equality.questions"),
    Page("scheme-privacy-equality",
         _path(lambda cast: f"/schemes/{cast.equality.scheme.slug}/privacy"),
         needs="equality.questions"),
    Page("admin-requests", _admin_requests, who="admin", personal=True, needs="admin.requests"),
    Page("admin-administrators",
         _path(lambda cast: f"/admin/schemes/{cast.scheme.slug}/administrators"),
         who="admin", personal=True, needs="admin.administrators"),
    Page("admin-administrators-errors", _administrators_with_errors, who="admin", status=400,
         personal=True, errors_of="admin-administrators", needs="admin.invite"),
    Page("admin-relationships", _admin_relationships, who="admin", personal=True,
         needs="admin.relationships"),
    Page("admin-attention", _admin_attention, who="admin", personal=True,
         needs="admin.needs_attention"),
    Page("admin-invitations", _path(lambda cast: f"/admin/schemes/{cast.scheme.slug}/invitations"),
         who="admin", personal=True, needs="admin.invitations"),
    Page("admin-invitations-errors", _invitations_with_errors, who="admin", personal=True,
         status=400, errors_of="admin-invitations", needs="admin.invitations"),
    Page("admin-invitations-checked", _invitation_upload("checked"), who="admin",
         personal=True, needs="admin.invitation_upload"),
    Page("admin-invitations-sent", _invitation_upload("sent"), who="admin", personal=True,
         needs="admin.invitation_upload"),
    Page("admin-people", _path(lambda cast: cast.leavers and
                               f"/admin/schemes/{cast.scheme.slug}/people"),
         who="admin", personal=True, needs="admin.people"),
    Page("admin-deactivate", _path(lambda cast: f"/admin/schemes/{cast.scheme.slug}/people/"
                                                f"{cast.leavers.staying.id}/deactivate"),
         who="admin", personal=True, needs="admin.deactivate"),
    Page("admin-reactivate", _path(lambda cast: f"/admin/schemes/{cast.scheme.slug}/people/"
                                                f"{cast.leavers.gone.id}/reactivate"),
         who="admin", personal=True, needs="admin.reactivate"),
    Page("join-invitation", _path(lambda cast: cast.invitations.join_path), personal=True,
         needs="accounts.join_invitation"),
    Page("join-invitation-errors", _join_invitation_with_errors, status=400, personal=True,
         errors_of="join-invitation", needs="accounts.join_invitation"),
]


def by_name(name: str) -> Page:
    return next(page for page in PAGES if page.name == name)
