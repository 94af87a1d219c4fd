"""Every form and every search, sent nasty text in every field, by the person the page is for and
by someone it is not for: never a server error, and never "too large" for normal-size input.

Nasty means what real people paste: NUL and other control characters (from PDFs and Word),
broken UTF-8 and lone surrogates, 10,000 characters, right-to-left text and marks, odd spaces,
emoji, Windows-1252 smart quotes, Windows line endings and text that looks like SQL. Each field
gets it on its own, with the rest of the form valid, so the text reaches the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote_from_bytes, quote_plus

import pytest
import sqlalchemy as sa

from portal import mail
from portal.accounts.forms import (
    DetailsForm,
    EmailChangeForm,
    JoinForm,
    RegisterForm,
    SignInForm,
)
from portal.accounts.models import Role
from portal.admin.forms import (
    AcceptInvitationForm,
    DeactivateForm,
    DealtWithForm,
    InviteForm,
    RemoveForm,
    UploadForm,
)
from portal.agreements.forms import SignForm, TermsForm
from portal.calls.forms import (
    AcceptForm,
    DeclineForm,
    LineManagerAnswerForm,
    LineManagerForm,
    OutcomeForm,
    RequestForm,
    RescheduleForm,
)
from portal.calls.models import ChemistryCall
from portal.db import utcnow
from portal.equality.forms import form_class as equality_form_class
from portal.evaluations.forms import SignEvaluationForm, form_class
from portal.extensions import db
from portal.forms import ConfirmForm
from portal.mail.models import MessageState
from portal.mentors import shortlist
from portal.mentors.forms import NoteForm, ProfileForm
from portal.mentors.models import ProfileState
from portal.personal_data.forms import DeleteAccountForm, EraseForm
from portal.relationships.forms import (
    ActionDoneForm,
    ActionForm,
    CheckInForm,
    EndForm,
    LogForm,
    SessionForm,
    UnbookedLogForm,
)
from tests.conftest import PACK_DEFAULTS, Client
from tests.support.agreements import TERMS, client_for, pair, sign_form
from tests.support.calls import time_values

NASTY = ("O\u2019Brien \u201cquoted\u201d \x93cp1252\x94 \x00nul\x00 \x01\x08\x1b[31m\x7f "
         "\u00a0nbsp\u2007\u200bzwsp\ufeffbom \u200f\u0645\u0631\u062d\u0628\u0627\u200e "
         "\u202eevil\u202c \u2066iso\u2069 \U0001f469\u200d\U0001f4bb\r\nline two\t"
         "'); DROP TABLE \"user\";-- \u2028end")
#: 10,000 characters: more than any field takes, so the form's own checks must answer, not the
#: size limit.
LONG = (NASTY + " " + "Zo\u00eb O\u2019Brien has led planning teams in three councils. " * 200
        )[:10_000]
#: Not UTF-8 at all: an encoded lone surrogate, stray bytes, an overlong slash, then a NUL.
RAW = b"\xed\xa0\x80 lone surrogate \xff\xfe stray \xc0\xaf overlong \x00 nul"


def _later(days: int, hour: int) -> tuple[str, str]:
    """A date and time a few days ahead, as a person types them."""
    return (dt.date.today() + dt.timedelta(days=days)).isoformat(), f"{hour:02d}:00"


PROFILE = {
    "display_name": "Mira Mentor", "job_title": "Principal planner",
    "organisation": "Test Borough Council", "sector": "public", "grade": "Grade 7",
    "expertise": ["Leadership"], "background": "Twenty years in local government.",
    "offer": "Help with career planning.", "experience": "Two mentees so far.",
    "meeting_format": "either", "location": "Hertford", "capacity": "2", "accepting": "y",
}


def request_data() -> dict:
    (d1, t1), (d2, t2), (d3, t3) = _later(5, 10), _later(6, 14), _later(7, 9)
    return {"hopes": "To grow in confidence as a new team leader.",
            "experience": "A mentor on my graduate scheme.", "time1_date": d1, "time1_time": t1,
            "time2_date": d2, "time2_time": t2, "time3_date": d3, "time3_time": t3,
            "flexible": "y", "preferred_format": "video", "job_title": "Planning officer",
            "organisation": "Testborough Council", "grade": "Grade 7"}


# --- the world each case starts from -------------------------------------------------------------

@dataclass
class Target:
    client: Client
    url: str
    data: dict
    #: What a valid post answers.
    ok: int = 303


@dataclass
class Case:
    endpoint: str
    setup: Callable[[World], Target]
    #: The form behind the page: the fuzzing must cover each of its fields.
    form: type | None = None
    #: A valid post can be repeated on the same target (an edit), so it needs no fresh setup.
    repeatable: bool = False


@dataclass
class World:
    app: object
    make: object
    mailbox: object
    numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    def n(self) -> int:
        return next(self.numbers)

    def email(self, who: str = "person") -> str:
        return f"{who}{self.n()}@testborough.gov.uk"

    def browser(self, user=None) -> Client:
        """A browser of its own (its own address, so no rate limit is shared)."""
        client = client_for(self.app, user)
        n = self.n()
        client.environ_base["REMOTE_ADDR"] = f"10.9.{n // 250}.{n % 250 + 1}"
        fetch, tokens = client.csrf_token, []
        # One token lasts the session: fetch it once, not before every post.
        client.csrf_token = lambda: tokens[0] if tokens else tokens.append(fetch()) or tokens[0]
        return client

    def scheme(self, **kwargs):
        return self.make.scheme(**kwargs)

    def mentor(self, scheme=None, **kwargs):
        return self.make.mentor(scheme or self.scheme(), email=self.email("mentor"), **kwargs)

    def requested_call(self) -> ChemistryCall:
        profile = self.mentor()
        mentee = self.make.mentee(profile.scheme, email=self.email("mentee"))
        sent = self.browser(mentee).post_form(f"/calls/new/{profile.id}", request_data())
        assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
        return db.session.scalars(sa.select(ChemistryCall).order_by(ChemistryCall.id.desc())
                                  ).first()

    def accepted_call(self) -> ChemistryCall:
        call = self.requested_call()
        mentor = self.browser(call.mentor)
        url = f"/calls/{call.id}/accept"
        choice = time_values(mentor.get(url).get_data(as_text=True))[0]
        done = mentor.post_form(url, {"time": choice, "details": "Teams link to follow"})
        assert done.status_code == 303, done.get_data(as_text=True)[:300]
        db.session.expire_all()
        return db.session.get(ChemistryCall, call.id)

    def agreement(self, stage: str = "draft"):
        """An agreement at ``stage``: draft, terms (filled in), sent, signed or submitted."""
        stages = ["draft", "terms", "sent", "signed", "submitted"]
        reached = stages.index(stage)
        _, agreement = pair(self.make, mentor_email=self.email("mentor"),
                            mentee_email=self.email("mentee"))
        mentee = self.browser(agreement.mentee)
        steps = [
            lambda: mentee.post_form(f"/agreements/{agreement.reference}/terms",
                                     {**TERMS, "email": agreement.mentee_email}),
            lambda: mentee.post_form(f"/agreements/{agreement.reference}/send"),
            lambda: self.sign_by_link(agreement.mentor) and self.sign_by_link(agreement.mentee),
            lambda: mentee.post_form(f"/agreements/{agreement.reference}/submit"),
        ]
        for step in steps[:reached]:
            done = step()
            assert done.status_code == 303, done.get_data(as_text=True)[:300]
        return agreement

    def sign_by_link(self, person):
        link = self.link(person.email, "agreement_sign", "/agreements/sign/")
        browser = self.browser()
        return browser.post_form(link, sign_form(browser.get(link), person.full_name))

    def link(self, to: str, template: str, contains: str) -> str:
        return self.mailbox.link(self.mailbox.last(to, template), contains)


def _erase(w: World) -> Target:
    scheme = w.scheme()
    admin = w.make.admin(scheme, email=w.email("admin"))
    person = w.make.mentee(scheme, email=w.email("mentee"))
    return Target(w.browser(admin), f"/admin/schemes/{scheme.slug}/people/{person.id}/erase",
                  {"reason": "Request of 3 December", "confirm": "y"})


def _email_change_link(w: World) -> Target:
    user = w.make.user(email=w.email())
    new = w.email("new")
    assert w.browser(user).post_form("/account/email", {"email": new}).status_code == 303
    return Target(w.browser(), w.link(new, "email_change_confirm", "/account/email/"), {})


def _sign_in_link(w: World) -> Target:
    user = w.make.user(email=w.email())
    assert w.browser().post_form("/sign-in", {"email": user.email}).status_code == 303
    return Target(w.browser(), w.link(user.email, "sign_in", "/sign-in/"), {})


def _registration_link(w: World) -> Target:
    scheme, email = w.scheme(), w.email()
    w.browser().post_form(f"/schemes/{scheme.slug}/register",
                          {"roles": "mentee", "full_name": "Sam Fuzz", "email": email,
                           "confirm": "y"})
    return Target(w.browser(), w.link(email, "confirm_registration", "/register/"), {})


def _profile(w: World, **state) -> Target:
    profile = w.mentor(**state)
    return Target(w.browser(profile.user), f"/mentors/{profile.id}/edit", dict(PROFILE))


def _owner_button(w: World, action: str, state: ProfileState) -> Target:
    profile = w.mentor(state=state)
    return Target(w.browser(profile.user), f"/mentors/{profile.id}/{action}", {})


def _new_profile(w: World) -> Target:
    scheme = w.scheme()
    user = w.make.user(email=w.email(), roles={scheme: [Role.MENTOR]})
    return Target(w.browser(user), f"/mentors/profiles/new/{scheme.slug}", dict(PROFILE))


def _shortlisted(w: World, action: str) -> Target:
    profile = w.mentor()
    mentee = w.make.mentee(profile.scheme, email=w.email("mentee"))
    data = {"next": "/shortlist"}
    if action != "add":
        shortlist.add(mentee, profile.id)
        db.session.commit()
    if action == "note":
        data = {f"p{profile.id}-note": "Ask about planning committees", **data}
    return Target(w.browser(mentee), f"/shortlist/{profile.id}/{action}", data)


def _new_call(w: World) -> Target:
    profile = w.mentor()
    mentee = w.make.mentee(profile.scheme, email=w.email("mentee"))
    return Target(w.browser(mentee), f"/calls/new/{profile.id}", request_data())


def _accept_data(client: Client, url: str) -> dict:
    choice = time_values(client.get(url).get_data(as_text=True))[0]
    return {"time": choice, "details": "Teams: https://teams.example.net/l/meetup/1",
            "other_date": "", "other_time": ""}


def _answer(w: World, how: str, by_link: bool) -> Target:
    call = w.requested_call()
    if by_link:
        client = w.browser()
        url = w.link(call.mentor.email, "call_requested", f"/{how}")
    else:
        client, url = w.browser(call.mentor), f"/calls/{call.id}/{how}"
    data = (_accept_data(client, url) if how == "accept"
            else {"reason": "no_time", "note": "Sorry, I am away that month."})
    return Target(client, url, data)


def _call_page(w: World, action: str, who: str, data: dict | None = None,
               accepted: bool = True) -> Target:
    call = w.accepted_call() if accepted else w.requested_call()
    return Target(w.browser(getattr(call, who)), f"/calls/{call.id}/{action}", data or {})


def _outcome(w: World) -> Target:
    call = w.accepted_call()
    call.scheduled_at = utcnow() - dt.timedelta(hours=1)
    db.session.commit()
    return Target(w.browser(call.mentee), f"/calls/{call.id}/outcome",
                  {"decision": "yes", "reason": "We got on well."})


def _after_call_link(w: World) -> Target:
    from portal.calls import follow_up

    call = w.accepted_call()
    call.scheduled_at = utcnow() - dt.timedelta(hours=1)
    db.session.commit()
    follow_up.send_due()
    link = w.link(call.mentee.email, "call_follow_up", "answer=no").split("?")[0]
    return Target(w.browser(), link, {"decision": "no", "reason": "We got on, but not a fit."})


def _check_in(w: World, by_link: bool) -> Target:
    """A running pair whose review check-in went today: the mentee answers it."""
    from portal.relationships import check_ins
    from portal.relationships.models import CheckIn

    today = utcnow().date()
    relationship = w.make.active_relationship(
        start_date=today - dt.timedelta(days=90), review_date=today,
        mentor_email=w.email("mentor"), mentee_email=w.email("mentee"))
    assert check_ins.send_due().sent == 1
    if by_link:
        link = w.link(relationship.mentee.email, "check_in", "answer=need_help").split("?")[0]
        return Target(w.browser(), link, {"answer": "need_help"})
    check_in = db.session.scalars(sa.select(CheckIn).where(
        CheckIn.relationship_id == relationship.id)).one()
    return Target(w.browser(relationship.mentee),
                  f"/relationships/{relationship.id}/check-ins/{check_in.id}",
                  {"answer": "on_track"})


def _end(w: World) -> Target:
    """A running pair: the mentee ends it, with a reason for the administrators."""
    relationship = w.make.active_relationship(mentor_email=w.email("mentor"),
                                              mentee_email=w.email("mentee"))
    return Target(w.browser(relationship.mentee), f"/relationships/{relationship.id}/end",
                  {"category": "circumstances", "reason": "A new post from next month."})


def _running(w: World):
    """A running pair (the mentee books and records the action plan)."""
    return w.make.active_relationship(mentor_email=w.email("mentor"),
                                      mentee_email=w.email("mentee"))


def _session_form() -> dict:
    day, time = _later(8, 10)
    return {"day": day, "time": time, "minutes": "60", "format": "video",
            "place": "Teams: https://teams.example.net/l/meetup/7"}


def _past_session(w: World):
    """A running pair's booked session that ended an hour ago."""
    from portal.relationships.models import MentoringSession

    relationship = _running(w)
    session = MentoringSession(relationship_id=relationship.id, duration_minutes=60,
                               starts_at=utcnow() - dt.timedelta(hours=2), place="Room 2")
    db.session.add(session)
    db.session.commit()
    return relationship, session


def _booked(w: World, action: str) -> Target:
    relationship = _running(w)
    mentee = w.browser(relationship.mentee)
    assert mentee.post_form(f"/relationships/{relationship.id}/sessions/new",
                            _session_form()).status_code == 303
    session_id = db.session.scalar(sa.text("SELECT max(id) FROM mentoring_session"))
    data = ({**_session_form(), "time": "15:30", "minutes": "75"} if action == "change"
            else {})
    return Target(mentee, f"/relationships/sessions/{session_id}/{action}", data)


def _log_session(w: World, by_link: bool) -> Target:
    from portal.relationships import follow_up

    relationship, session = _past_session(w)
    data = {"outcome": "met", "held_on": utcnow().date().isoformat(), "minutes": "50"}
    if by_link:
        follow_up.send_due()
        link = w.link(relationship.mentor.email, "session_follow_up", "answer=met")
        return Target(w.browser(), link.split("?")[0], data)
    return Target(w.browser(relationship.mentor), f"/relationships/sessions/{session.id}/log",
                  data)


def _log_unbooked(w: World) -> Target:
    relationship = _running(w)
    return Target(w.browser(relationship.mentor),
                  f"/relationships/{relationship.id}/sessions/log",
                  {"held_on": utcnow().date().isoformat(), "minutes": "45"})


def _new_action(w: World) -> Target:
    relationship, session = _past_session(w)
    return Target(w.browser(relationship.mentee), f"/relationships/{relationship.id}/actions/new",
                  {"goal": "other", "what": "Read the new local plan", "owner": "both",
                   "due_on": _later(20, 9)[0], "session": str(session.id)})


def _action_done(w: World) -> Target:
    target = _new_action(w)
    assert target.client.post_form(target.url, target.data).status_code == 303
    action_id = db.session.scalar(sa.text("SELECT max(id) FROM action_item"))
    return Target(target.client, f"/relationships/actions/{action_id}/done", {"done": "yes"})


EVALUATION_QUESTIONS = ["What went well?", "What could have gone better?"]


def _evaluation(w: World) -> Target:
    """A pair that has just ended: the mentee answers their end-of-mentoring evaluation."""
    from portal.evaluations.models import Evaluation
    from portal.relationships import ending

    scheme = w.scheme(evaluation_form={"mentor": EVALUATION_QUESTIONS,
                                       "mentee": EVALUATION_QUESTIONS})
    relationship = w.make.active_relationship(scheme, mentor_email=w.email("mentor"),
                                              mentee_email=w.email("mentee"))
    ending.end(relationship.id, relationship.mentee, category=None)
    evaluation_id = db.session.scalar(sa.select(Evaluation.id).where(
        Evaluation.relationship_id == relationship.id, Evaluation.party == "mentee"))
    return Target(w.browser(relationship.mentee), f"/evaluations/{evaluation_id}",
                  {"answer_1": "We met every month.", "answer_2": "Shorter sessions."})


EQUALITY = {"questions": [
    {"key": "age", "question": "How old are you?", "options": ["Under 35", "35 or over"]},
    {"key": "carer", "question": "Do you look after someone?", "hint": "Unpaid care only.",
     "options": ["Yes", "No"]}]}


def _equality(w: World, declining: bool = False) -> Target:
    """A mentee of a scheme that asks equality-monitoring questions, who has not answered."""
    scheme = w.scheme(equality=EQUALITY)
    person = w.make.mentee(scheme, email=w.email("mentee"))
    if declining:
        return Target(w.browser(person), f"/schemes/{scheme.slug}/equality/no-thanks", {})
    return Target(w.browser(person), f"/schemes/{scheme.slug}/equality",
                  {"q_age": "Under 35", "q_carer": "No"})


def _evaluation_to_sign(w: World, by_link: bool, change: bool = False) -> Target:
    """A pair in a scheme whose evaluation both sign: both have sent their answers; the mentee
    signs (or takes their answers back to change them)."""
    from portal.evaluations import answering
    from portal.evaluations.models import Evaluation
    from portal.relationships import ending

    scheme = w.scheme(evaluation_form={"mentor": EVALUATION_QUESTIONS,
                                       "mentee": EVALUATION_QUESTIONS, "anonymous": False,
                                       "signed_together": True})
    relationship = w.make.active_relationship(scheme, mentor_email=w.email("mentor"),
                                              mentee_email=w.email("mentee"))
    ending.end(relationship.id, relationship.mentee, category=None)
    evaluations = {e.party: e.id for e in db.session.scalars(sa.select(Evaluation).where(
        Evaluation.relationship_id == relationship.id))}
    for party, person in (("mentor", relationship.mentor), ("mentee", relationship.mentee)):
        answering.submit(evaluations[party], person, ["Well.", "Nothing."])
    if change:
        return Target(w.browser(relationship.mentee),
                      f"/evaluations/{evaluations['mentee']}/change", {})
    if by_link:
        client = w.browser()
        url = w.link(relationship.mentee.email, "evaluation_sign", "/evaluations/sign/")
    else:
        client = w.browser(relationship.mentee)
        url = f"/evaluations/{evaluations['mentee']}/sign"
    page = client.get(url).get_data(as_text=True)
    sha = re.search(r'name="sha256" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    return Target(client, url, {"full_name": relationship.mentee.full_name, "sha256": sha,
                                "confirm": "y"})


def _ask_line_manager(w: World) -> Target:
    scheme = w.scheme(needs_line_manager_approval=True)
    mentee = w.make.mentee(scheme, email=w.email("mentee"))
    return Target(w.browser(mentee), f"/calls/approval/{scheme.slug}",
                  {"manager_name": "Lee Manager", "manager_email": w.email("manager")})


def _line_manager(w: World) -> Target:
    asked = _ask_line_manager(w)
    assert asked.client.post_form(asked.url, asked.data).status_code == 303
    link = w.link(asked.data["manager_email"], "line_manager_request", "/calls/line-manager/")
    return Target(w.browser(), link, {"decision": "approve"})


def _terms(w: World) -> Target:
    agreement = w.agreement()
    return Target(w.browser(agreement.mentee), f"/agreements/{agreement.reference}/terms",
                  {**TERMS, "goal_3": "", "goal_4": "", "goal_5": "",
                   "email": agreement.mentee_email})


def _draft(form: Target) -> Target:
    """The form's draft endpoint, as htmx posts it while people type (nasty text is kept, too
    long is refused, never a server error)."""
    return Target(form.client, form.url + "/draft", form.data, ok=200)


def _agreement_button(w: World, action: str, stage: str) -> Target:
    agreement = w.agreement(stage)
    return Target(w.browser(agreement.mentee), f"/agreements/{agreement.reference}/{action}", {})


def _sign(w: World, by_link: bool) -> Target:
    agreement = w.agreement("sent")
    if by_link:
        client = w.browser()
        url = w.link(agreement.mentee.email, "agreement_sign", "/agreements/sign/")
    else:
        client = w.browser(agreement.mentee)
        url = f"/agreements/{agreement.reference}/sign"
    return Target(client, url, {**sign_form(client.get(url), agreement.mentee.full_name)})


def _submit_link(w: World) -> Target:
    agreement = w.agreement("signed")
    link = w.link(agreement.mentee.email, "agreement_signed", "/agreements/submit/")
    return Target(w.browser(), link, {})


def _acknowledge(w: World, by_link: bool) -> Target:
    agreement = w.agreement("submitted")
    if by_link:
        link = w.link(PACK_DEFAULTS["admin_email"], "agreement_submitted",
                      "/agreements/acknowledge/")
        return Target(w.browser(), link, {})
    admin = w.make.admin(agreement.scheme, email=w.email("admin"))
    return Target(w.browser(admin), f"/admin/agreements/{agreement.reference}/acknowledge", {})


def _send_again(w: World) -> Target:
    scheme = w.scheme()
    admin = w.make.admin(scheme, email=w.email("admin"))
    w.app.config["MAIL_DELIVERY"] = "worker"
    message = mail.queue(w.email("nobody"), "no_account", scheme=scheme, email="x@example.org")
    message.state, message.attempts, message.last_error = MessageState.DEAD, 1, "550 no"
    db.session.commit()
    w.app.config["MAIL_DELIVERY"] = "inline"
    return Target(w.browser(admin), f"/admin/emails-not-delivered/{message.id}/send-again", {})


def _invite(w: World) -> Target:
    scheme = w.scheme()
    admin = w.make.admin(scheme, email=w.email("admin"))
    return Target(w.browser(admin), f"/admin/schemes/{scheme.slug}/administrators/invite",
                  {"full_name": "Sam Invitee", "email": w.email("invitee")})


def _invitation_link(w: World) -> Target:
    target = _invite(w)
    assert post(target, target.data).status_code == 303
    link = w.link(target.data["email"], "admin_invitation", "/admin-invitation/")
    return Target(w.browser(), link, {})


def _upload_list(w: World) -> Target:
    scheme = w.scheme()
    admin = w.make.admin(scheme, email=w.email("admin"))
    return Target(w.browser(admin), f"/admin/schemes/{scheme.slug}/invitations",
                  {"role": "mentee", "file": "", "key": secrets.token_urlsafe(32),
                   "rows": f"Sam Invitee, {w.email('invitee')}"})


def _send_invitations(w: World) -> Target:
    target = _upload_list(w)
    response = post(target, target.data)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return Target(target.client, response.headers["Location"] + "/send", {})


def _join_invitation(w: World) -> Target:
    target = _send_invitations(w)
    assert post(target, {}).status_code == 303
    message = w.mailbox.all(template="scheme_invitation")[-1]
    return Target(w.browser(), w.mailbox.link(message, "/invitation/"),
                  {"full_name": "Sam Invitee", "confirm": "y"})


def _deactivate(w: World) -> Target:
    scheme = w.scheme()
    admin = w.make.admin(scheme, email=w.email("admin"))
    leaver = w.make.mentee(scheme, email=w.email("leaver"))
    return Target(w.browser(admin),
                  f"/admin/schemes/{scheme.slug}/people/{leaver.id}/deactivate",
                  {"reason": "Left the council in March."})


def _reactivate(w: World) -> Target:
    target = _deactivate(w)
    assert post(target, target.data).status_code == 303
    return Target(target.client, target.url.replace("/deactivate", "/reactivate"), {})


def _remove_administrator(w: World) -> Target:
    scheme = w.scheme()
    admin = w.make.admin(scheme, email=w.email("admin"))
    other = w.make.admin(scheme, email=w.email("admin"))
    return Target(w.browser(admin),
                  f"/admin/schemes/{scheme.slug}/administrators/{other.id}/remove",
                  {"confirm_self": "y"})


def _dealt_with(w: World) -> Target:
    """A mentor's note for the scheme, on its "Needs attention" list."""
    scheme = w.scheme()
    admin = w.make.admin(scheme, email=w.email("admin"))
    profile = w.mentor(scheme)
    mentee = w.make.mentee(scheme, email=w.email("mentee"))
    call = ChemistryCall(scheme_id=scheme.id, profile_id=profile.id, mentor_id=profile.user_id,
                         mentee_id=mentee.id, hopes="To chair meetings.", experience="",
                         flexible=True, preferred_format="video", state="declined",
                         answered_at=utcnow(), decline_note="Too busy this term")
    db.session.add(call)
    db.session.commit()
    return Target(w.browser(admin), f"/admin/schemes/{scheme.slug}/attention/dealt-with",
                  {"kind": "decline_note", "item": str(call.id)})


def _schemeless_send_again(w: World) -> Target:
    from portal.schemes.models import Scheme

    w.scheme()
    site = w.make.user(email=w.email("site"), roles={
        scheme: [Role.ADMIN] for scheme in db.session.scalars(sa.select(Scheme))})
    w.app.config["MAIL_DELIVERY"] = "worker"
    message = mail.queue(w.email("nobody"), "no_account", email="x@example.org")
    message.state, message.attempts, message.last_error = MessageState.DEAD, 1, "550 no"
    db.session.commit()
    w.app.config["MAIL_DELIVERY"] = "inline"
    return Target(w.browser(site), f"/admin/emails-without-a-scheme/{message.id}/send-again",
                  {})


CASES = [
    Case("accounts.sign_in", lambda w: Target(w.browser(), "/sign-in",
                                               {"email": w.email(), "next": "/dashboard"}),
         SignInForm),
    Case("accounts.use_sign_in_link", _sign_in_link, ConfirmForm),
    Case("accounts.register", lambda w: Target(
        w.browser(), f"/schemes/{w.scheme().slug}/register",
        {"roles": ["mentee", "mentor"], "full_name": "Sam Fuzz", "email": w.email(),
         "confirm": "y"}), RegisterForm),
    Case("accounts.confirm_registration", _registration_link, ConfirmForm),
    Case("accounts.join", lambda w: Target(
        w.browser(w.make.user(email=w.email())), f"/schemes/{w.scheme().slug}/join",
        {"roles": ["mentor"], "confirm": "y"}), JoinForm),
    Case("accounts.sign_out", lambda w: Target(w.browser(w.make.user(email=w.email())),
                                               "/sign-out", {})),
    Case("accounts.keep_alive", lambda w: Target(w.browser(w.make.user(email=w.email())),
                                                 "/session/keep-alive", {}, ok=204)),
    Case("accounts.change_details", lambda w: Target(
        w.browser(w.make.user(email=w.email())), "/account/details",
        {"full_name": "Sam Fuzz", "phone": "01632 960 001"}), DetailsForm, repeatable=True),
    Case("accounts.change_email", lambda w: Target(
        w.browser(w.make.user(email=w.email())), "/account/email", {"email": w.email("new")}),
         EmailChangeForm),
    Case("accounts.confirm_email", _email_change_link, ConfirmForm),
    Case("accounts.leave", lambda w: Target(
        w.browser(w.make.mentee(scheme := w.scheme(), email=w.email())),
        f"/schemes/{scheme.slug}/leave", {}), ConfirmForm),
    Case("personal_data.data", lambda w: Target(w.browser(w.make.user(email=w.email())),
                                                "/account/data", {}), ConfirmForm),
    Case("personal_data.delete_account", lambda w: Target(
        w.browser(w.make.user(email=w.email())), "/account/delete", {"confirm": "y"}),
         DeleteAccountForm),
    Case("personal_data.erase", _erase, EraseForm),
    Case("mentors.create_profile", _new_profile, ProfileForm),
    Case("mentors.create_profile_draft", lambda w: _draft(_new_profile(w)), ProfileForm,
         repeatable=True),
    Case("mentors.edit_profile_draft", lambda w: _draft(_profile(w)), ProfileForm,
         repeatable=True),
    Case("mentors.edit_profile", _profile, ProfileForm, repeatable=True),
    Case("mentors.publish_profile", lambda w: _owner_button(w, "publish", ProfileState.DRAFT)),
    Case("mentors.hide_profile", lambda w: _owner_button(w, "hide", ProfileState.PUBLISHED)),
    Case("mentors.shortlist_add", lambda w: _shortlisted(w, "add")),
    Case("mentors.shortlist_remove", lambda w: _shortlisted(w, "remove")),
    Case("mentors.shortlist_note", lambda w: _shortlisted(w, "note"), NoteForm, repeatable=True),
    Case("calls.new", _new_call, RequestForm),
    Case("calls.accept", lambda w: _answer(w, "accept", by_link=False), AcceptForm),
    Case("calls.decline", lambda w: _answer(w, "decline", by_link=False), DeclineForm),
    Case("calls.answer_accept", lambda w: _answer(w, "accept", by_link=True), AcceptForm),
    Case("calls.answer_decline", lambda w: _answer(w, "decline", by_link=True), DeclineForm),
    Case("calls.withdraw", lambda w: _call_page(w, "withdraw", "mentee", accepted=False)),
    Case("calls.withdraw_others", lambda w: _call_page(w, "withdraw-others", "mentee")),
    Case("calls.cancel", lambda w: _call_page(w, "cancel", "mentor")),
    Case("calls.reschedule", lambda w: _call_page(
        w, "reschedule", "mentor", dict(zip(("new_date", "new_time"), _later(9, 11), strict=True),
                                        details="The same Teams link")), RescheduleForm),
    Case("calls.decide", _outcome, OutcomeForm),
    Case("calls.after_call", _after_call_link, OutcomeForm),
    Case("calls.ask_line_manager", _ask_line_manager, LineManagerForm),
    Case("relationships.check_in_link", lambda w: _check_in(w, by_link=True), CheckInForm),
    Case("relationships.check_in", lambda w: _check_in(w, by_link=False), CheckInForm),
    Case("relationships.end", _end, EndForm),
    Case("relationships.book", lambda w: Target(
        w.browser((r := _running(w)).mentee), f"/relationships/{r.id}/sessions/new",
        _session_form()), SessionForm, repeatable=True),
    Case("relationships.change_session", lambda w: _booked(w, "change"), SessionForm),
    Case("relationships.cancel_session", lambda w: _booked(w, "cancel")),
    Case("relationships.log_session", lambda w: _log_session(w, by_link=False), LogForm),
    Case("relationships.log_link", lambda w: _log_session(w, by_link=True), LogForm),
    Case("relationships.log_unbooked", _log_unbooked, UnbookedLogForm, repeatable=True),
    Case("relationships.new_action", _new_action, ActionForm, repeatable=True),
    Case("relationships.action_done", _action_done, ActionDoneForm, repeatable=True),
    Case("calls.line_manager", _line_manager, LineManagerAnswerForm),
    Case("evaluations.answer", _evaluation, form_class(EVALUATION_QUESTIONS)),
    Case("evaluations.draft", lambda w: _draft(_evaluation(w)), form_class(EVALUATION_QUESTIONS),
         repeatable=True),
    Case("evaluations.sign", lambda w: _evaluation_to_sign(w, by_link=False),
         SignEvaluationForm),
    Case("evaluations.sign_link", lambda w: _evaluation_to_sign(w, by_link=True),
         SignEvaluationForm),
    Case("evaluations.change", lambda w: _evaluation_to_sign(w, by_link=False, change=True)),
    Case("equality.questions", _equality, equality_form_class(EQUALITY["questions"])),
    Case("equality.decline", lambda w: _equality(w, declining=True), ConfirmForm),
    Case("agreements.edit_terms", _terms, TermsForm, repeatable=True),
    Case("agreements.terms_draft", lambda w: _draft(_terms(w)), TermsForm, repeatable=True),
    Case("agreements.send", lambda w: _agreement_button(w, "send", "terms")),
    Case("agreements.sign", lambda w: _sign(w, by_link=False), SignForm),
    Case("agreements.sign_link", lambda w: _sign(w, by_link=True), SignForm),
    Case("agreements.submit", lambda w: _agreement_button(w, "submit", "signed")),
    Case("agreements.submit_link", _submit_link),
    Case("agreements.acknowledge_link", lambda w: _acknowledge(w, by_link=True)),
    Case("admin.acknowledge", lambda w: _acknowledge(w, by_link=False)),
    Case("dead_letters.send_again", _send_again),
    Case("admin.invite", _invite, InviteForm),
    Case("accounts.admin_invitation", _invitation_link, ConfirmForm),
    Case("admin.remove_administrator", _remove_administrator, RemoveForm),
    Case("admin.invitations", _upload_list, UploadForm, repeatable=True),
    Case("admin.deactivate", _deactivate, DeactivateForm),
    Case("admin.reactivate", _reactivate),
    Case("admin.send_invitations", _send_invitations, repeatable=True),
    Case("accounts.join_invitation", _join_invitation, AcceptInvitationForm),
    Case("admin.schemeless_send_again", _schemeless_send_again),
    Case("admin.dealt_with", _dealt_with, DealtWithForm),
]


# --- sending -------------------------------------------------------------------------------------

def _body(data: dict) -> str:
    """The form as a browser encodes it; bytes go as they are, so broken UTF-8 arrives broken."""
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            encoded = (quote_from_bytes(item, safe="") if isinstance(item, bytes)
                       else quote_plus(item))
            pairs.append(f"{quote_plus(name)}={encoded}")
    return "&".join(pairs)


def post(target: Target, data: dict, client: Client | None = None):
    client = client or target.client
    return client.post(target.url, data=_body({"csrf_token": client.csrf_token(), **data}),
                       content_type="application/x-www-form-urlencoded")


def no_crash(response, what: str) -> None:
    assert response.status_code < 500, (
        f"{what}: {response.status_code}\n{response.get_data(as_text=True)[:800]}")
    assert response.status_code != 413, f"{what}: refused as too large"


def field_names(form: type) -> set[str]:
    from wtforms.fields.core import UnboundField

    return {name for name in dir(form) if isinstance(getattr(form, name), UnboundField)
            } - {"submit", "csrf_token"}


@pytest.fixture
def world(app, make, mailbox) -> World:
    return World(app, make, mailbox)


def test_every_form_in_the_portal_is_fuzzed(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts == {case.endpoint for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case.endpoint for case in CASES])
def test_every_field_takes_nasty_text(world, case):
    target = case.setup(world)
    if case.form is not None:
        # Every field of the form is tried (a prefixed field, like a shortlist note, by name).
        assert field_names(case.form) <= {name.rpartition("-")[2] for name in target.data}

    def names() -> list[str]:
        return [*target.data, "csrf_token"]

    def after(response) -> None:
        nonlocal target
        if response.status_code < 400 and not case.repeatable:
            target = case.setup(world)  # it worked and changed something: start again

    for payload in (NASTY, RAW):
        response = post(target, dict.fromkeys(names(), payload))
        no_crash(response, f"every field at once, {payload[:20]!r}")
        after(response)
    for index, payload in itertools.product(range(len(names())), (NASTY, LONG)):
        name = names()[index]
        response = post(target, {**target.data, name: payload})
        no_crash(response, f"{name}={payload[:50]!r}")
        after(response)
    # Someone the page is not for gets no further than the door (an emailed link's page is for
    # whoever holds the link, so that post may work).
    stranger = world.browser(world.make.user(email=world.email("stranger")))
    response = post(target, dict.fromkeys(target.data, NASTY), client=stranger)
    no_crash(response, "a stranger")
    after(response)
    # The valid answer still works, so the nasty text above was tried where it counts.
    response = post(target, target.data)
    assert response.status_code == target.ok, response.get_data(as_text=True)[:800]


SEARCHES = [
    ("mentee", "/search", ["q", "scheme", "expertise", "organisation", "sector", "level",
                           "format", "location", "capacity", "page"]),
    (None, "/verify", ["reference", "sha256"]),
    (None, "/sign-in", ["next"]),
    ("admin", "/admin/schemes/{slug}/agreements", ["state"]),
    ("admin", "/admin/schemes/{slug}/requests", ["state", "page"]),
    ("admin", "/admin/schemes/{slug}/people", ["role", "page"]),
    ("admin", "/admin/schemes/{slug}/relationships", ["stage", "page"]),
    ("admin", "/admin/schemes/{slug}/attention", ["kind", "page"]),
    ("admin", "/admin/schemes/{slug}/invitations", ["role"]),
    (None, "/signed-out", ["timeout"]),
]


@pytest.mark.parametrize("role, path, params", SEARCHES, ids=[s[1] for s in SEARCHES])
def test_every_search_takes_nasty_text(world, role, path, params):
    scheme = world.scheme()
    world.mentor(scheme)
    user = None
    if role:
        user = world.make.user(email=world.email(), roles={scheme: [Role(role)]})
    client = world.browser(user)
    url = path.format(slug=scheme.slug)

    def get(values: dict):
        query = "&".join(
            f"{name}={quote_from_bytes(v, safe='') if isinstance(v, bytes) else quote_plus(v)}"
            for name, v in values.items())
        return client.get(f"{url}?{query}")

    for payload in (LONG, RAW, "9" * 30):
        no_crash(get(dict.fromkeys(params, payload)), f"every parameter, {payload[:20]!r}")
    for name in params:
        no_crash(get({name: NASTY}), f"{name}={NASTY!r}")
    assert get({}).status_code == 200


def test_what_people_type_is_kept_and_only_the_invisible_junk_goes(world):
    target = _profile(world)
    pasted = ("O\u2019Brien \u201cquoted\u201d \x93smart\x94\x00 caf\u00e9\u00a0au lait"
              "\u200b\ufeff \u0645\u0631\u062d\u0628\u0627\u200f \u202eevil\u202c "
              "\U0001f469\u200d\U0001f4bb \U0001f3f4\U000e0067\U000e0062\U000e0077"
              "\U000e006c\U000e0073\U000e007f\r\nline two\ttabbed\x1b[0m")
    assert post(target, {**target.data, "background": pasted}).status_code == 303
    db.session.expire_all()
    from portal.mentors.models import MentorProfile

    stored = db.session.scalars(sa.select(MentorProfile.background)
                                .order_by(MentorProfile.id.desc())).first()
    assert stored == ("O\u2019Brien \u201cquoted\u201d \u201csmart\u201d caf\u00e9 au lait "
                      "\u0645\u0631\u062d\u0628\u0627\u200f evil "
                      "\U0001f469\u200d\U0001f4bb \U0001f3f4\U000e0067\U000e0062\U000e0077"
                      "\U000e006c\U000e0073\U000e007f\r\nline two\ttabbed[0m")
