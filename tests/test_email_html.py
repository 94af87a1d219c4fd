"""Emails people can trust and act on from a phone: every template's HTML part fits a 320 px
screen in Chromium, its links say what they do (never a long address), the text part keeps each
full address under its label, and an email about a scheme comes from the scheme by name."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace as Thing

import pytest

from portal import mail
from portal.accounts.models import Role
from portal.extensions import db
from portal.mail.outbox import render_email
from tests.support.mail_sink import SMTPSink

EMAILS = Path(__file__).resolve().parent.parent / "templates" / "email"
#: Realistic lengths: the tokens of emailed links make addresses of about 170 characters.
TOKEN = ("eyJjIjoxMjM0NSwicCI6Im1lbnRvciJ9.aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5m"
         "N7pQ9rS1tU3vW5xY7zA9bC1dE3fG5hJ7kL9mN1pQ3rS5tU7vW9xY1zA3")
#: What a mentor types as "how to join": a video call address no phone can show on one line.
MEETING = ("Teams: https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ4YzE2ZTAtYjU2Ny00"
           "ZDk1LWE0NjUtNzI0NjRkYmE0NmQ3%40thread.v2/0?context=%7b%22Tid%22%3a%22d1b2%22%7d")
AT = dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC)


def emails_on_disk() -> set[str]:
    """Every email the portal can send: the templates, less partials and the layouts."""
    return {p.stem for p in EMAILS.glob("*.txt") if not p.name.startswith("_")}


def contexts(scheme) -> Iterator[tuple[str, dict]]:
    """Each email with what its callers give it, in each of its variants."""
    mentee = Thing(full_name="Oliver Featherstonehaugh-Montgomery",
                   email="oliver@testborough.gov.uk",
                   work="Principal Development Management Officer (Strategic Sites) at "
                        "Testborough and Ørsted Vale Borough Council, Grade 7")
    mentor = Thing(full_name="Ada Lovelace", email="ada.lovelace@testborough.gov.uk")
    times = [Thing(starts_at=AT), Thing(starts_at=AT + dt.timedelta(days=1, hours=4))]
    call = Thing(id=42, scheme=scheme, mentee=mentee, mentor=mentor,
                 profile=Thing(display_name=mentor.full_name),
                 hopes="I want to grow in confidence as a new team leader, and learn how to "
                       "lead a planning committee meeting.",
                 experience="I had a mentor on my graduate scheme.", proposed_times=times,
                 flexible=True, preferred_format=Thing(label="Video call"),
                 requested_at=AT, closes_at=AT + dt.timedelta(days=14), scheduled_at=AT,
                 duration_minutes=30, meeting_details=MEETING)
    agreement = Thing(reference="AGR-2026-00042", version=3, mentor=mentor, mentee=mentee,
                      mentor_email=mentor.email, mentee_email=mentee.email,
                      signed_at=AT, start_date=AT.date(), duration_months=12, sessions=6,
                      review_date=(AT + dt.timedelta(days=180)).date())
    version = Thing(number=3,
                    sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    find_url = mail.absolute_url("mentors.search")
    approval = Thing(manager_name="Lee Manager")
    common = {"scheme": scheme, "token": TOKEN}

    yield "sign_in", {"user": Thing(full_name=mentee.full_name), "token": TOKEN, "minutes": 15}
    yield "no_account", {"email": mentee.email}
    for existing in (False, True):
        yield "confirm_registration", {**common, "roles": [Role.MENTEE, Role.MENTOR],
                                       "existing": existing, "name": mentee.full_name,
                                       "minutes": 60}
    for template in ("call_requested", "call_reminder"):
        yield template, {**common, "call": call, "name": mentor.full_name,
                         "mentee_name": mentee.full_name}
    yield "call_request_sent", {**common, "call": call, "name": mentee.full_name,
                                "mentor_name": mentor.full_name}
    for others in (0, 1, 3):
        yield "call_accepted_mentee", {**common, "call": call, "name": mentee.full_name,
                                       "other_requests": others}
    yield "call_accepted_mentor", {**common, "call": call, "name": mentor.full_name}
    for template in ("call_declined", "call_expired"):
        yield template, {**common, "call": call, "name": mentee.full_name, "find_url": find_url}
    yield "call_withdrawn", {**common, "call": call, "name": mentor.full_name}
    for mentor_left in (True, False):
        yield "call_closed", {**common, "call": call, "name": "Someone", "find_url": find_url,
                              "mentor_left": mentor_left, "other_name": mentee.full_name}
    for role, by_you in (("mentee", False), ("mentor", True)):
        yield "call_cancelled", {**common, "call": call, "name": "Someone", "role": role,
                                 "other_name": mentor.full_name, "by_you": by_you,
                                 "find_url": find_url}
        yield "call_rescheduled", {**common, "call": call, "name": "Someone",
                                   "previous": AT - dt.timedelta(days=1), "by_you": by_you,
                                   "by_name": mentor.full_name}
        yield "call_not_taken_forward", {**common, "call": call, "name": "Someone", "role": role,
                                         "other_name": mentor.full_name, "find_url": find_url}
        yield "call_follow_up", {**common, "call": call, "name": "Someone", "role": role,
                                 "other_name": mentor.full_name, "reminder": by_you}
        yield "call_answered", {**common, "call": call, "name": "Someone",
                                "other_name": mentor.full_name, "ended": by_you}
        yield "call_did_not_happen", {**common, "call": call, "name": "Someone",
                                      "other_name": mentor.full_name,
                                      "other_said": Thing(value="yes") if by_you else None,
                                      "new_time_url": mail.absolute_url("calls.reschedule",
                                                                        call_id=42)}
    yield "line_manager_request", {**common, "approval": approval, "name": "Lee Manager",
                                   "mentee_name": mentee.full_name}
    for template in ("line_manager_approved", "line_manager_declined"):
        yield template, {**common, "approval": approval, "name": mentee.full_name,
                         "find_url": find_url}
    for is_mentee in (True, False):
        other = mentor if is_mentee else mentee
        person = {"agreement": agreement, "name": "Someone", "other": other,
                  "is_mentee": is_mentee}
        yield "agreement_opened", {**common, **person}
        yield "agreement_sign", {**common, **person, "sent_by": other, "by_you": not is_mentee,
                                 "days": 30}
        yield "agreement_sign_reminder", {**common, **person, "days": 30}
        yield "agreement_signed", {**common, **person, "version": version,
                                   "submit_token": TOKEN if is_mentee else None}
        yield "agreement_active", {**common, **person}
        yield "agreement_acknowledged", {**common, **person}
        yield "agreement_voided", {**common, **person, "changed_by": other,
                                   "changed": ["start date", "number of sessions"],
                                   "had_signatures": is_mentee, "by_you": False}
    yield "agreement_submit_reminder", {**common, "agreement": agreement, "name": "Someone"}
    relationship = Thing(id=7, mentor=mentor, mentee=mentee)
    for kind, reminder in (("review", False), ("midpoint", False), ("review", True)):
        yield "check_in", {**common, "check_in": Thing(id=9, kind=kind),
                           "relationship": relationship, "name": mentee.full_name,
                           "other_name": mentor.full_name, "role": "mentee", "held": 3,
                           "reminder": reminder}
    for template in ("check_in_need_help", "check_in_want_to_end"):
        yield template, {**common, "check_in": Thing(id=9, kind="review"),
                         "relationship": relationship, "role": "mentor",
                         "by_name": mentor.full_name, "answered_at": AT, "held": 3}
    yield "relationship_quiet", {**common, "relationship": relationship, "name": mentee.full_name,
                                 "other_name": mentor.full_name, "role": "mentee", "last": AT,
                                 "weeks": 6, "held": 2}
    yield "relationship_quiet_admin", {**common, "relationship": relationship, "last": AT,
                                       "weeks": 6, "nudged_at": AT + dt.timedelta(weeks=6),
                                       "held": 2}
    ending = Thing(id=7, mentor=mentor, mentee=mentee, profile=Thing(display_name=mentor.full_name),
                   ended_at=AT)
    for role, other in (("mentee", mentor), ("mentor", mentee)):
        person = {"relationship": ending, "name": "Someone", "role": role,
                  "other_name": other.full_name}
        for ended_by, by_me in (("mentor", role == "mentor"), ("administrator", False)):
            yield "relationship_ended", {**common, **person, "ended_by": ended_by,
                                         "ended_by_me": by_me, "find_url": find_url,
                                         "cancelled": 1}
        yield "relationship_ending_soon", {**common, **person, "ends_on": AT.date()}
        yield "relationship_completed", {**common, **person, "ends_on": AT.date()}
    yield "relationship_ended_admin", {**common, "relationship": ending, "ended_by": "mentee",
                                       "category": None, "reason": "Our diaries never met."}
    for kind, anonymous in (("end", True), ("end", False), ("midpoint", False),
                            ("follow_up", True)):
        evaluation = Thing(id=15, kind=kind, anonymous=anonymous, questions=["Why?"] * 6,
                           closes_at=AT + dt.timedelta(days=28))
        for template in ("evaluation_opened", "evaluation_reminder"):
            yield template, {**common, "evaluation": evaluation, "name": mentee.full_name,
                             "role": "mentee", "other_name": mentor.full_name,
                             "together": kind == "end" and not anonymous}
    # The evaluation both people sign (packs with signed_together).
    signoff = Thing(reference="EV-7KQ4-M2XD", number=2, signed_at=AT,
                    sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    for reminder in (False, True):
        yield "evaluation_sign", {**common, "signoff": signoff, "name": mentee.full_name,
                                  "other": mentor, "role": "mentee", "token": TOKEN, "days": 30,
                                  "reminder": reminder, "remind_days": 7}
    for had_signed in (True, False):
        yield "evaluation_answers_changed", {**common, "signoff": signoff, "name": mentor.full_name,
                                             "changed_by": mentee, "had_signed": had_signed}
    yield "evaluation_signed", {**common, "signoff": signoff, "name": mentee.full_name,
                                "other": mentor}
    yield "evaluation_signed_admin", {**common, "signoff": signoff, "mentor": mentor,
                                      "mentee": mentee}
    # A person's own account: a new email address.
    yield "email_change_confirm", {"name": mentee.full_name, "token": TOKEN, "hours": 24,
                                   "old_email": mentee.email}
    yield "email_change_taken", {"name": None, "email": mentor.email}
    yield "email_changed", {"name": mentee.full_name, "new_email": "oliver.new@testborough.gov.uk"}
    yield "data_download_ready", {"name": mentee.full_name, "expires_at": AT}
    pair = Thing(id=7, mentor=mentor, mentee=mentee)
    booked = Thing(id=11, starts_at=AT, duration_minutes=60, format=Thing(label="Video call"),
                   place=MEETING, late_notice=False, held_on=None)
    held = Thing(id=12, starts_at=None, duration_minutes=45, held_on=AT.date())
    late = Thing(**{**vars(booked), "late_notice": True})
    plan_url = mail.absolute_url("relationships.new_action", relationship_id=7, session=11)
    for by_you in (True, False):
        session_common = {**common, "relationship": pair, "name": "Someone",
                          "other_name": mentor.full_name, "by_you": by_you,
                          "actor_name": mentee.full_name}
        yield "session_booked", {**session_common, "session": booked}
        yield "session_changed", {**session_common, "session": booked,
                                  "previous": AT - dt.timedelta(days=2)}
        yield "session_cancelled", {**session_common, "session": late if by_you else booked,
                                    "notice_hours": 48}
    for plan_each, you_record, who in ((False, True, "the mentee"), (True, True, "either of you"),
                                       (True, False, "the mentee")):
        yield "session_follow_up", {**common, "relationship": pair, "session": booked,
                                    "name": "Someone", "other_name": mentor.full_name,
                                    "plan_url": plan_url, "plan_each_session": plan_each,
                                    "you_record": you_record, "who_records": who}
    for session in (booked, held):
        yield "session_action_plan", {**common, "relationship": pair, "session": session,
                                      "name": "Someone", "other_name": mentor.full_name,
                                      "plan_url": plan_url}
    yield "agreement_submitted", {**common, "agreement": agreement, "version": version}
    for existing in (False, True):
        yield "admin_invitation", {**common, "inviter": Thing(full_name=mentor.full_name),
                                   "name": mentee.full_name, "existing": existing, "days": 14}
        yield "scheme_invitation", {**common, "inviter": Thing(full_name=mentor.full_name),
                                    "name": mentee.full_name, "role": "a mentee",
                                    "existing": existing, "days": 30}
    # About no scheme: an account nobody has used (portal.retention).
    yield "inactive_account", {"name": mentee.full_name, "last_active": AT, "months": 24,
                               "deletes_on": AT}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []
        self.viewport = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self._href, self._text = attributes.get("href"), []
        if tag == "meta" and attributes.get("name") == "viewport":
            self.viewport = "width=device-width" in (attributes.get("content") or "")

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


LOOKS_LIKE_AN_ADDRESS = re.compile(r"https?:|www\.|\w\.\w+/|/\w+/")


def render_every_email(app, make) -> list[tuple[str, str, str, str]]:
    """(template, subject, text, html) for every email and variant, about a scheme with a long
    name in two scripts and a brand."""
    scheme = make.scheme(name="Planning and development mentoring for Testborough and Ørsted Vale")
    scheme.brand = {"organisation": "Testborough Borough Council", "colour": "#006b6b"}
    db.session.commit()
    with app.test_request_context():
        return [(template, *render_email(template, **context))
                for template, context in contexts(scheme)]


@pytest.fixture
def rendered(app, make) -> list[tuple[str, str, str, str]]:
    return render_every_email(app, make)


def test_every_email_is_covered(rendered):
    assert {template for template, *_ in rendered} == emails_on_disk()


def test_links_have_words_in_html_and_full_addresses_in_text(rendered):
    for template, _subject, text, html in rendered:
        parser = _Links()
        parser.feed(html)
        assert parser.viewport, template
        assert parser.links, template
        for words, href in parser.links:
            assert words and not LOOKS_LIKE_AN_ADDRESS.search(words), (template, words)
            assert href.startswith("http://portal.test"), (template, href)
            # The text part: the same words, then the whole address on a line of its own.
            assert f"{words}:\n{href}\n" in text, (template, words)
        assert "[[link-" not in text + html, template
        # Every portal address in the text part is a link in the HTML part.
        portal_urls = set(re.findall(r"http://portal\.test[^\s<>\"]*", text))
        assert portal_urls == {href for _, href in parser.links}, template
        # A person's own words never become a link: the video call address stays text.
        assert "teams.microsoft.com" not in " ".join(href for _, href in parser.links)


def test_accept_and_decline_say_which_is_which(rendered):
    [html] = [html for template, _, _, html in rendered if template == "call_requested"]
    parser = _Links()
    parser.feed(html)
    words = [w for w, _ in parser.links]
    assert "Accept Oliver Featherstonehaugh-Montgomery's request" in words
    assert "Decline the request" in words


def test_html_names_the_scheme_first_and_escapes_what_people_typed(app, make):
    scheme = make.scheme(name="Planning <mentoring> & more")
    with app.test_request_context():
        _, text, html = render_email(
            "call_withdrawn", scheme=scheme, name="Ada",
            call=Thing(mentee=Thing(full_name='Eve <a href="https://evil.example">[[link-0]]'
                                              '</a>')))
    assert html.index("Planning &lt;mentoring&gt; &amp; more") < html.index("Hello Ada")
    assert "evil.example" not in re.findall(r'href="([^"]+)"', html)[0]
    assert '<a href="https://evil.example">' not in html
    assert 'Eve <a href="https://evil.example">' in text  # the text part is plain text


def test_a_scheme_email_comes_from_the_scheme_by_name_with_its_reply_to(app, make, runner):
    sink = SMTPSink().start()
    try:
        app.config.update(sink.config(), MAIL_DELIVERY="worker",
                          MAIL_DEFAULT_SENDER="Mentoring portal <mentoring@portal.gov.uk>")
        scheme = make.scheme(name="Zoë's planning mentoring, Testborough",
                             reply_to="mentoring@testborough.gov.uk")
        mail.queue("grace@testborough.gov.uk", "call_withdrawn", scheme=scheme, name="Grace",
                   call=Thing(mentee=Thing(full_name="Oliver Twist")))
        mail.queue("alan@testborough.gov.uk", "no_account", email="alan@testborough.gov.uk")
        db.session.commit()

        result = runner.invoke(args=["mail", "deliver"])
        assert result.exit_code == 0, result.output

        about_scheme, about_no_scheme = sorted(sink.messages, key=lambda m: str(m["To"]),
                                               reverse=True)
        assert all(line.isascii() for line in sink.raw)  # encoded words, not raw UTF-8
        [sender] = about_scheme["From"].addresses
        assert sender.display_name == "Zoë's planning mentoring, Testborough via Mentoring portal"
        assert sender.addr_spec == "mentoring@portal.gov.uk"
        assert about_scheme["Reply-To"] == "mentoring@testborough.gov.uk"
        [plain] = about_no_scheme["From"].addresses
        assert (plain.display_name, plain.addr_spec) == ("Mentoring portal",
                                                         "mentoring@portal.gov.uk")
        assert about_no_scheme["Reply-To"] is None
        # Bounces still go to the portal's own address.
        assert {envelope[0] for envelope in sink.envelopes} == {"mentoring@portal.gov.uk"}
    finally:
        sink.stop()
