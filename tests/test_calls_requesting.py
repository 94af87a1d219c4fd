"""Requesting a chemistry call: every refusal is a clear message and nothing changes; the form
checks what people type; the request link says why not."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa
import time_machine
from flask import render_template
from flask_login import login_user

from portal.accounts.models import Membership, Role, User
from portal.calls.models import (
    ApprovalState,
    CallState,
    ChemistryCall,
    LineManagerApproval,
)
from portal.extensions import db
from portal.mentors.models import MentorProfile, ProfileState
from portal.relationships.models import Relationship
from tests.support.calls import LONDON, NOW, last_call, send_request, slot


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def count_calls() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(ChemistryCall.id)))


def refused(response, message: str, mailbox, emails_before: int, calls_before: int,
            status: int = 409) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert message in page.replace("&#39;", "'")
    assert count_calls() == calls_before
    assert mailbox.count() == emails_before


def test_request_is_sent_and_recorded(client, make, mailbox, login):
    scheme = make.scheme()
    profile = make.mentor(scheme, email="mentor@testborough.gov.uk")
    mentee = make.mentee(scheme)
    response = send_request(client, login, mentee, profile, time3_date=slot(5)[0],
                            time3_time="09:15", experience="")
    assert response.status_code == 303
    made = last_call()
    assert made.state == CallState.REQUESTED
    assert made.preferred_format.value == "video"
    assert [t.starts_at for t in made.proposed_times] == sorted(t.starts_at
                                                                for t in made.proposed_times)
    assert len(made.proposed_times) == 3
    assert made.experience == ""
    assert mailbox.count("mentor@testborough.gov.uk", "call_requested") == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your request has been sent" in page


@pytest.mark.parametrize("case, message", [
    ("not_accepting", "is not taking new requests at the moment"),
    ("full", "has no free places at the moment"),
])
def test_mentor_who_cannot_take_requests_is_refused(client, make, mailbox, login, case, message):
    scheme = make.scheme()
    settings = {"hidden": {"state": ProfileState.HIDDEN},
                "not_accepting": {"accepting": False},
                "full": {"capacity": 1, "places_taken": 1}}[case]
    profile = make.mentor(scheme, name="Mo Mentor", **settings)
    mentee = make.mentee(scheme)
    before = mailbox.count(), count_calls()
    login(mentee)
    assert client.get(f"/calls/new/{profile.id}").status_code == 409
    refused(send_request(client, login, mentee, profile), message, mailbox, *before)


def test_second_open_request_to_the_same_mentor_is_refused(client, make, mailbox, login):
    scheme = make.scheme()
    profile = make.mentor(scheme, name="Mo Mentor")
    mentee = make.mentee(scheme)
    assert send_request(client, login, mentee, profile).status_code == 303
    before = mailbox.count(), count_calls()
    refused(send_request(client, login, mentee, profile),
            "You already have an open request with Mo Mentor", mailbox, *before)


def test_a_new_request_is_allowed_once_the_last_one_has_closed(client, make, login):
    scheme = make.scheme()
    profile = make.mentor(scheme)
    mentee = make.mentee(scheme)
    send_request(client, login, mentee, profile)
    client.post_form(f"/calls/{last_call().id}/withdraw")
    assert last_call().state == CallState.WITHDRAWN
    assert send_request(client, login, mentee, profile).status_code == 303
    assert count_calls() == 2


def test_more_open_requests_than_the_scheme_allows_are_refused(client, make, mailbox, login):
    scheme = make.scheme(max_open_requests=2)
    mentors = [make.mentor(scheme) for _ in range(3)]
    mentee = make.mentee(scheme)
    for profile in mentors[:2]:
        assert send_request(client, login, mentee, profile).status_code == 303
    before = mailbox.count(), count_calls()
    refused(send_request(client, login, mentee, mentors[2]),
            "You have 2 open requests, the most", mailbox, *before)


def test_open_requests_in_another_scheme_do_not_count(client, make, login):
    scheme, other = make.scheme(max_open_requests=1), make.scheme()
    mentee = make.mentee(scheme)
    other_profile = make.mentor(other)
    mentee.memberships.append(Membership(scheme=other, role=Role.MENTEE))
    db.session.commit()
    assert send_request(client, login, mentee, other_profile).status_code == 303
    assert send_request(client, login, mentee, make.mentor(scheme)).status_code == 303


@pytest.mark.parametrize("approval_state, message", [
    (None, "needs your line manager's approval before you request"),
    (ApprovalState.PENDING, "You are waiting for your line manager, Lee Manager, to approve"),
    (ApprovalState.DECLINED, "Your line manager has not approved your taking part"),
])
def test_mentee_without_line_manager_approval_is_refused(client, make, mailbox, login,
                                                         approval_state, message):
    scheme = make.scheme(needs_line_manager_approval=True)
    profile = make.mentor(scheme)
    mentee = make.mentee(scheme)
    if approval_state is not None:
        db.session.add(LineManagerApproval(scheme_id=scheme.id, mentee_id=mentee.id,
                                           manager_name="Lee Manager",
                                           manager_email="lee@testborough.gov.uk",
                                           state=approval_state))
        db.session.commit()
    before = mailbox.count(), count_calls()
    response = send_request(client, login, mentee, profile)
    refused(response, message, mailbox, *before)
    assert f"/calls/approval/{scheme.slug}" in response.get_data(as_text=True)


def test_approved_mentee_may_request(client, make, login):
    scheme = make.scheme(needs_line_manager_approval=True)
    profile = make.mentor(scheme)
    mentee = make.mentee(scheme)
    db.session.add(LineManagerApproval(scheme_id=scheme.id, mentee_id=mentee.id,
                                       manager_name="Lee Manager",
                                       manager_email="lee@testborough.gov.uk",
                                       state=ApprovalState.APPROVED))
    db.session.commit()
    assert send_request(client, login, mentee, profile).status_code == 303


def test_pair_already_working_together_is_refused(client, make, mailbox, login):
    scheme = make.scheme()
    profile = make.mentor(scheme, name="Mo Mentor")
    mentee = make.mentee(scheme)
    db.session.add(Relationship(scheme_id=scheme.id, mentor_id=profile.user_id,
                                mentee_id=mentee.id, profile_id=profile.id))
    db.session.commit()
    before = mailbox.count(), count_calls()
    refused(send_request(client, login, mentee, profile), "already working with Mo Mentor",
            mailbox, *before)


@pytest.mark.parametrize("state", [ProfileState.HIDDEN, ProfileState.DRAFT])
def test_a_hidden_or_draft_profile_is_not_found_and_not_named(client, make, mailbox, login,
                                                              state):
    scheme = make.scheme()
    profile = make.mentor(scheme, name="Mo Mentor", state=state)
    mentee = make.mentee(scheme)
    before = mailbox.count(), count_calls()
    login(mentee)
    for response in (client.get(f"/calls/new/{profile.id}"),
                     send_request(client, login, mentee, profile)):
        refused(response, "Page not found", mailbox, *before, status=404)
        assert "Mo Mentor" not in response.get_data(as_text=True)


def test_people_who_are_not_mentees_of_the_scheme_cannot_request(client, make, mailbox, login):
    scheme, other = make.scheme(), make.scheme()
    profile = make.mentor(scheme, name="Mo Mentor")
    outsider = make.mentee(other)
    before = mailbox.count(), count_calls()
    # Someone outside the scheme is not told that the profile exists, nor whose it is.
    response = send_request(client, login, outsider, profile)
    refused(response, "Page not found", mailbox, *before, status=404)
    assert "Mo Mentor" not in response.get_data(as_text=True)
    # A mentor in the scheme sees the profile, so is told how to join as a mentee.
    colleague = make.mentor(scheme).user
    colleague.memberships.append(Membership(scheme=other, role=Role.MENTEE))
    db.session.commit()
    refused(send_request(client, login, colleague, profile), "join", mailbox, *before,
            status=403)
    # A mentor cannot request a call with themselves, even holding both roles.
    both = profile.user
    both.memberships.append(Membership(scheme=scheme, role=Role.MENTEE))
    db.session.commit()
    refused(send_request(client, login, both, profile), "your own mentor profile", mailbox,
            *before, status=403)


def test_anonymous_visitor_is_sent_to_sign_in(client, make):
    profile = make.mentor(make.scheme())
    response = client.get(f"/calls/new/{profile.id}")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("overrides, message", [
    ({"hopes": "  "}, "Say what you hope to get from mentoring"),
    ({"time2_date": "", "time2_time": ""}, "Give at least two times that suit you"),
    ({"time1_date": "", "time1_time": "", "time2_date": "", "time2_time": ""},
     "Give at least two times that suit you"),
    ({"time1_date": slot(-1)[0]}, "The date and time for the first time must be in the future"),
    ({"time2_date": "2026-02-30"}, "Enter the date for the second time as a real date"),
    # Month first is not read; the example is 30 days after today (NOW), never in the past.
    ({"time2_date": "3/27/2026"}, "as a real date, like 1 4 2026"),
    ({"time2_time": "25:00"}, "Enter the time for the second time in the 24-hour clock"),
    ({"time2_time": ""}, "Enter the time for the second time"),
    ({"time2_date": slot(3)[0], "time2_time": slot(3)[1]}, "is the same as an earlier one"),
    ({"time2_date": slot(400)[0]}, "in the next six months"),
    # The clocks go forward at 1am on Sunday 29 March 2026: 1:30am does not exist in the UK.
    ({"time2_date": "2026-03-29", "time2_time": "01:30"}, "does not exist in the UK"),
    ({"preferred_format": "carrier-pigeon"}, "Choose how you would like to have the call"),
])
def test_form_mistakes_are_explained_and_nothing_is_sent(client, make, mailbox, login,
                                                        overrides, message):
    scheme = make.scheme()
    profile = make.mentor(scheme)
    mentee = make.mentee(scheme)
    before = mailbox.count(), count_calls()
    response = send_request(client, login, mentee, profile, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "<title>Error:" in page
    assert message in page
    assert (mailbox.count(), count_calls()) == before


@pytest.mark.parametrize("today", [NOW, dt.datetime(2031, 12, 31, 23, 30, tzinfo=dt.UTC)])
def test_every_date_example_is_after_today_and_every_time_hint_gives_the_format(
        client, make, login, today):
    """Hints and error messages compute their example date from today: a fixed one would
    sooner or later ask people to type a date in the past."""
    scheme = make.scheme()
    profile = make.mentor(scheme)
    mentee = make.mentee(scheme)
    with time_machine.travel(today, tick=False):
        response = send_request(client, login, mentee, profile, time2_date="3/27/2026")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    in_error = re.findall(r"as a real date, like (\d+) (\d+) (\d{4})", page)
    in_hints = re.findall(r"For example, (\d+) (\d+) (\d{4})", page)
    assert in_error and len(in_hints) == 3  # the summary and the field; each of three dates
    london_today = today.astimezone(LONDON).date()
    for day, month, year in in_error + in_hints:
        assert dt.date(int(year), int(month), int(day)) > london_today
    assert page.count("Use the 24-hour clock, like 14:30") == 3


def test_flexible_mentee_may_give_no_times(client, make, login):
    scheme = make.scheme()
    profile = make.mentor(scheme)
    mentee = make.mentee(scheme)
    response = send_request(client, login, mentee, profile, flexible="y", time1_date="",
                            time1_time="", time2_date="", time2_time="")
    assert response.status_code == 303
    made = last_call()
    assert made.flexible and made.proposed_times == []


def test_times_are_read_as_uk_time(client, make, login):
    scheme = make.scheme()
    profile = make.mentor(scheme)
    mentee = make.mentee(scheme)
    # 2 April 2026 is in British Summer Time: 10:00 in London is 09:00 UTC.
    send_request(client, login, mentee, profile, time1_date="2026-04-02", time1_time="10:00",
                 time2_date="2026-03-27", time2_time="10:00")
    starts = [t.starts_at for t in last_call().proposed_times]
    assert starts == [dt.datetime(2026, 3, 27, 10, 0, tzinfo=dt.UTC),
                      dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC)]


def test_dates_typed_the_uk_way_are_read_day_first(client, make, login):
    """Where a browser has no date picker, people type the date; 2/4/2026 is 2 April."""
    scheme = make.scheme()
    profile = make.mentor(scheme)
    mentee = make.mentee(scheme)
    response = send_request(client, login, mentee, profile, time1_date="2/4/2026",
                            time1_time="10:00", time2_date="27 March 2026", time2_time="10:00")
    assert response.status_code == 303
    starts = [t.starts_at for t in last_call().proposed_times]
    assert starts == [dt.datetime(2026, 3, 27, 10, 0, tzinfo=dt.UTC),
                      dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC)]


def render_link(app, user, profile) -> str:
    """The partial as one page view renders it (its own app context, like a real request)."""
    with app.app_context(), app.test_request_context("/"):
        if user is not None:
            login_user(user)
        return " ".join(render_template("calls/_request_link.html", profile=profile).split())


def test_request_link_shows_the_button_or_why_not(app, client, make, login):
    scheme = make.scheme(max_open_requests=1)
    open_profile = make.mentor(scheme, name="Ola Open")
    full = make.mentor(scheme, name="Fay Full", capacity=1, places_taken=1)
    mentee = make.mentee(scheme)

    html = render_link(app, mentee, open_profile)
    assert f'href="/calls/new/{open_profile.id}"' in html
    assert "Request a chemistry call" in html
    assert "Fay Full has no free places" in render_link(app, mentee, full)

    send_request(client, login, mentee, open_profile)
    html = render_link(app, mentee, open_profile)
    assert "You already have an open request with Ola Open" in html
    assert f'href="/calls/{last_call().id}"' in html
    # Nobody signed in, or a mentor looking at profiles, sees nothing.
    assert render_link(app, None, open_profile) == ""
    assert render_link(app, full.user, open_profile) == ""


def test_request_link_on_a_list_asks_the_database_a_fixed_number_of_times(app, make,
                                                                           count_queries):
    scheme = make.scheme()
    ids = [make.mentor(scheme).id for _ in range(8)]
    mentee_id = make.mentee(scheme).id

    def statements_for(count: int) -> int:
        db.session.expire_all()
        profiles = [db.session.get(MentorProfile, i) for i in ids[:count]]
        mentee = db.session.get(User, mentee_id)
        with app.app_context(), app.test_request_context("/"):
            login_user(mentee)
            with count_queries() as counter:
                for profile in profiles:
                    render_template("calls/_request_link.html", profile=profile)
        return counter.count

    few, many = statements_for(2), statements_for(8)
    assert many == few
    assert many <= 4  # the mentee's memberships, open requests, limits: never per profile


def test_profile_page_offers_the_request_link(app, client, make, login):
    if "mentors.profile" not in app.view_functions:
        pytest.skip("mentor profile pages are not built yet")
    scheme = make.scheme()
    profile = make.mentor(scheme, name="Ola Open")
    page = login(make.mentee(scheme)).get(f"/mentors/{profile.id}").get_data(as_text=True)
    assert f'href="/calls/new/{profile.id}"' in page


def test_the_mentor_sees_who_is_asking_and_the_mentee_gives_it_once(client, make, mailbox, login):
    scheme = make.scheme()
    first = make.mentor(scheme, email="grace@testborough.gov.uk")
    second = make.mentor(scheme, email="annie@testborough.gov.uk")
    mentee = make.mentee(scheme, name="Ada Lovelace")

    response = send_request(client, login, mentee, first, job_title="Senior planning officer",
                            organisation="Eastshire Council", grade="Grade 7")
    assert response.status_code == 303
    email = mailbox.last("grace@testborough.gov.uk", "call_requested").body_text
    assert "Ada Lovelace: Senior planning officer at Eastshire Council, Grade 7" in email
    link = mailbox.link(mailbox.last("grace@testborough.gov.uk", "call_requested"), "/accept")
    mentor_browser = client.application.test_client()  # the mentor, not signed in
    assert "Senior planning officer at Eastshire Council, Grade 7" in mentor_browser.get(
        link).get_data(as_text=True)

    # The next request starts from what was given, and a change is kept.
    page = client.get(f"/calls/new/{second.id}").get_data(as_text=True)
    assert 'value="Senior planning officer"' in page and 'value="Eastshire Council"' in page
    send_request(client, login, mentee, second, job_title="Principal planning officer",
                 organisation="Eastshire Council", grade="")
    db.session.expire_all()
    assert db.session.get(User, mentee.id).work == "Principal planning officer at Eastshire Council"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"job_title": " "}, "Enter your job title"),
    ({"organisation": ""}, "Enter the organisation you work for"),
    ({"job_title": "x" * 201}, "Keep your job title under 200 characters"),
])
def test_a_request_without_the_mentees_work_is_explained_and_nothing_changes(
        client, make, mailbox, login, overrides, message):
    scheme = make.scheme()
    profile, mentee = make.mentor(scheme), make.mentee(scheme)
    before = mailbox.count(), count_calls()

    response = send_request(client, login, mentee, profile, **overrides)

    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert (mailbox.count(), count_calls()) == before
    db.session.expire_all()
    assert db.session.get(User, mentee.id).work == ""
