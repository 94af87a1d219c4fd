"""Quiet pairs: `flask relationships remind` nudges a running pair once when nothing has been
booked or logged for the scheme's quiet_weeks, tells the scheme's mailbox once if they are
still quiet that long after the nudge, and starts the clock again at new activity. Counts,
dates and states only: never notes or actions."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.relationships import quiet
from portal.relationships.models import (
    ActionItem,
    MentoringSession,
    RelationshipReminder,
    RelationshipState,
    SessionState,
)
from tests.conftest import PACK_DEFAULTS
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once

MAILBOX = PACK_DEFAULTS["admin_email"]
MENTOR_EMAIL, MENTEE_EMAIL = "zoe.mentor@testborough.gov.uk", "lukasz.mentee@testborough.gov.uk"
STARTED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(weeks=1)
SECRET_PLACE = "Room 4B, behind the secret door"
SECRET_ACTION = "Apply for the deputy head of planning job"


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(STARTED, tick=False):
        yield


def pair(make, scheme=None, **kwargs):
    return make.active_relationship(
        scheme, start_date=STARTED.date(), review_date=dt.date(2027, 1, 4),
        activated_at=STARTED, mentor_name="Zoë Ó Súilleabháin", mentor_email=MENTOR_EMAIL,
        mentee_name="Łukasz Nowak", mentee_email=MENTEE_EMAIL, **kwargs)


def remind(runner, when: dt.datetime) -> str:
    with time_machine.travel(when, tick=False):
        result = runner.invoke(args=["relationships", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def nudges(mailbox) -> tuple[int, int, int]:
    return (mailbox.count(MENTOR_EMAIL, "relationship_quiet"),
            mailbox.count(MENTEE_EMAIL, "relationship_quiet"),
            mailbox.count(MAILBOX, "relationship_quiet_admin"))


def add_session(relationship, **values) -> MentoringSession:
    session = MentoringSession(relationship_id=relationship.id, place=SECRET_PLACE, **values)
    db.session.add(session)
    db.session.flush()
    db.session.add(ActionItem(relationship_id=relationship.id, session_id=session.id,
                              what=SECRET_ACTION))
    db.session.commit()
    return session


def test_a_quiet_pair_is_nudged_once_then_the_mailbox_is_told_once(make, runner, mailbox):
    relationship = pair(make)
    assert "Quiet pairs nudged: 0" in remind(runner, STARTED + 6 * WEEK - dt.timedelta(hours=1))
    assert nudges(mailbox) == (0, 0, 0)

    output = remind(runner, STARTED + 6 * WEEK + dt.timedelta(hours=1))
    assert "Quiet pairs nudged: 1" in output
    assert nudges(mailbox) == (1, 1, 0)
    message = mailbox.last(MENTEE_EMAIL, "relationship_quiet")
    assert "since 2 March 2026" in message.body_text
    assert f"/relationships/{relationship.id}" in " ".join(mailbox.links(message))
    assert "Quiet pairs nudged: 0" in remind(runner, STARTED + 11 * WEEK)
    assert nudges(mailbox) == (1, 1, 0)

    output = remind(runner, STARTED + 12 * WEEK + dt.timedelta(hours=2))
    assert "quiet pairs reported to administrators: 1" in output
    assert nudges(mailbox) == (1, 1, 1)
    report = mailbox.last(MAILBOX, "relationship_quiet_admin")
    for words in ("Zoë Ó Súilleabháin", "Łukasz Nowak", relationship.scheme.name,
                  "since 2 March 2026", "Sessions that have taken place: 0"):
        assert words in report.body_text, words
    assert "quiet pairs reported to administrators: 0" in remind(runner, STARTED + 30 * WEEK)
    assert nudges(mailbox) == (1, 1, 1)


def test_new_activity_starts_the_clock_again(make, runner, mailbox):
    relationship = pair(make)
    remind(runner, STARTED + 6 * WEEK + dt.timedelta(hours=1))
    assert nudges(mailbox) == (1, 1, 0)

    logged = STARTED + 8 * WEEK
    add_session(relationship, state=SessionState.HELD, logged_at=logged,
                held_on=logged.date(), held_minutes=60)
    # Twelve weeks after the start, but only four after the session: nothing.
    remind(runner, STARTED + 12 * WEEK + dt.timedelta(hours=2))
    assert nudges(mailbox) == (1, 1, 0)
    # Six weeks after the session: a new nudge for the new quiet spell.
    remind(runner, logged + 6 * WEEK + dt.timedelta(hours=1))
    assert nudges(mailbox) == (2, 2, 0)
    message = mailbox.last(MENTOR_EMAIL, "relationship_quiet")
    assert "since 27 April 2026" in message.body_text
    assert "Sessions that have taken place so far: 1" in message.body_text
    # A session booked counts as activity too.
    booked = logged + 7 * WEEK
    add_session(relationship, state=SessionState.BOOKED, booked_at=booked,
                starts_at=booked + 2 * WEEK)
    remind(runner, logged + 12 * WEEK + dt.timedelta(hours=2))
    assert nudges(mailbox) == (2, 2, 0)


def test_emails_carry_counts_dates_and_states_never_notes_or_actions(make, runner, mailbox):
    relationship = pair(make)
    logged = STARTED + WEEK
    add_session(relationship, state=SessionState.HELD, logged_at=logged, held_on=logged.date(),
                held_minutes=45)
    remind(runner, logged + 6 * WEEK + dt.timedelta(hours=1))
    remind(runner, logged + 12 * WEEK + dt.timedelta(hours=2))
    sent = [*mailbox.all(template="relationship_quiet"),
            *mailbox.all(template="relationship_quiet_admin")]
    assert len(sent) == 3
    for message in sent:
        for secret in (SECRET_PLACE, SECRET_ACTION):
            assert secret not in message.body_text and secret not in message.body_html


def test_the_packs_quiet_weeks_set_the_clock(make, runner, mailbox):
    pair(make, make.scheme(running={"quiet_weeks": 2}))
    remind(runner, STARTED + 2 * WEEK - dt.timedelta(hours=1))
    assert nudges(mailbox) == (0, 0, 0)
    remind(runner, STARTED + 2 * WEEK + dt.timedelta(hours=1))
    assert nudges(mailbox) == (1, 1, 0)
    assert "about 2 weeks ago" in mailbox.last(MENTEE_EMAIL, "relationship_quiet").body_text


def test_a_pair_not_yet_running_or_ended_is_never_nudged(make, runner, mailbox):
    make.relationship(mentor_email=MENTOR_EMAIL, mentee_email=MENTEE_EMAIL)
    ended = make.active_relationship(activated_at=STARTED)
    ended.state = RelationshipState.ENDED
    db.session.commit()
    remind(runner, STARTED + 20 * WEEK)
    assert mailbox.count(template="relationship_quiet") == 0
    assert mailbox.count(template="relationship_quiet_admin") == 0


def test_two_runs_at_once_nudge_once(app, make, mailbox, monkeypatch):
    relationship = pair(make)
    hold_until_both_arrive(quiet, "lock", monkeypatch)
    sweeps = run_twice_at_once(app, lambda: quiet.send_due(STARTED + 6 * WEEK + WEEK))
    assert sum(sweep.nudged for sweep in sweeps) == 1
    assert nudges(mailbox) == (1, 1, 0)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RelationshipReminder).where(
        RelationshipReminder.relationship_id == relationship.id)) == 1
