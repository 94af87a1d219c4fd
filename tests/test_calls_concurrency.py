"""Two acceptances racing for a mentor's last place: real threads, each request in its own app
context and database session, on SQLite and PostgreSQL. Exactly one wins."""

import contextlib
import datetime as dt
import threading

import pytest
import sqlalchemy as sa
import time_machine

from portal.calls import answering
from portal.calls.models import CallState, ChemistryCall
from portal.extensions import db
from portal.mail.models import MessageState
from portal.mentors.models import MentorProfile
from tests.support.calls import NOW, fresh_client, send_request, time_values
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once

MENTOR = "mira.mentor@testborough.gov.uk"


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def test_two_acceptances_for_the_last_place_cannot_both_win(app, client, make, login, mailbox,
                                                            monkeypatch):
    scheme = make.scheme()
    profile = make.mentor(scheme, email=MENTOR, capacity=1)
    for n in (1, 2):
        send_request(client, login, make.mentee(scheme, email=f"mentee{n}@testborough.gov.uk"),
                     profile)
    requests = mailbox.all(MENTOR, "call_requested")
    links = [mailbox.link(message, "/accept") for message in requests]

    # Each browser loads its form first, as a mentor with two tabs open would.
    posts = []
    for link in links:
        browser = fresh_client(app)
        page = browser.get(link).get_data(as_text=True)
        posts.append((browser, link, {"time": time_values(page)[0], "details": "Teams",
                                      "csrf_token": browser.csrf_token()}))

    # Hold each acceptance at the moment it has read the place count, until the other arrives
    # (or a second passes). Without the row lock both would read "one free place" and both win;
    # with it, the second waits for the first to commit and then reads "none free".
    barrier = threading.Barrier(2)
    check_place = answering.take_place

    def racing_take_place(mentor_profile):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        check_place(mentor_profile)

    monkeypatch.setattr(answering, "take_place", racing_take_place)

    start = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def accept(browser, link, data):
        try:
            start.wait(timeout=10)
            statuses.append(browser.post(link, data=data).status_code)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=accept, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(statuses) == [303, 409]

    db.session.expire_all()
    states = sorted(c.state for c in db.session.scalars(sa.select(ChemistryCall)))
    assert states == sorted([CallState.ACCEPTED, CallState.REQUESTED])
    assert db.session.get(MentorProfile, profile.id).places_taken == 1
    assert mailbox.count(template="call_accepted_mentee") == 1
    assert mailbox.count(template="call_accepted_mentor") == 1


def test_two_reminder_runs_at_once_remind_each_mentor_once(app, client, make, login, mailbox,
                                                          monkeypatch):
    """Two cron jobs overlapping (two hosts, or a slow run): both read the same unanswered
    requests before either has sent anything; the lock and the check under it send one each."""
    from portal.calls import lifecycle

    scheme = make.scheme()
    mentee = make.mentee(scheme)
    mentors = [make.mentor(scheme, email=f"mentor{n}@testborough.gov.uk") for n in range(3)]
    for profile in mentors:
        send_request(client, login, mentee, profile)

    hold_until_both_arrive(lifecycle, "lock_call", monkeypatch)
    sweeps = run_twice_at_once(
        app, lambda: lifecycle.remind_and_expire(NOW + dt.timedelta(days=3, hours=1)))
    assert sum(sweep.reminded for sweep in sweeps) == 3
    for profile in mentors:
        assert mailbox.count(profile.user.email, "call_reminder") == 1
    # Each run delivered its own reminders as it went, the other run writing at the same time.
    assert {m.state for m in mailbox.all(template="call_reminder")} == {MessageState.SENT}
