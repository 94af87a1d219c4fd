"""Reminders: an unsigned party after 3 days, then every 2 days, at most 3; the mentee once,
2 days after both signed. The command is safe to run at any time, as often as you like."""

import datetime as dt

import time_machine

from tests.support.agreements import (
    MENTEE_EMAIL,
    MENTOR_EMAIL,
    client_for,
    pair,
    ready_to_sign,
    sign_from_email,
    signed_by_both,
)

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def remind(runner, day: float) -> str:
    with time_machine.travel(START + dt.timedelta(days=day), tick=False):
        result = runner.invoke(args=["agreements", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def test_unsigned_party_is_reminded_after_3_days_then_every_2_at_most_3(app, make, mailbox,
                                                                        runner):
    _, agreement = pair(make)
    with time_machine.travel(START, tick=False):
        ready_to_sign(app, agreement)
        sign_from_email(app, mailbox, agreement.mentor)

    assert remind(runner, 2.9) == "Sent 0 reminders.\n"
    assert remind(runner, 3) == "Sent 1 reminder.\n"
    assert remind(runner, 3.5) == "Sent 0 reminders.\n"  # idempotent
    remind(runner, 4.9)
    assert mailbox.count(MENTEE_EMAIL, "agreement_sign_reminder") == 1
    remind(runner, 5)
    remind(runner, 7)
    remind(runner, 9)
    remind(runner, 30)
    assert mailbox.count(MENTEE_EMAIL, "agreement_sign_reminder") == 3
    assert mailbox.count(MENTOR_EMAIL, "agreement_sign_reminder") == 0  # already signed

    # The reminder's link works.
    reminder = mailbox.last(MENTEE_EMAIL, "agreement_sign_reminder")
    link = mailbox.link(reminder, "/agreements/sign/")
    with time_machine.travel(START + dt.timedelta(days=9), tick=False):
        assert client_for(app).get(link).status_code == 200


def test_no_sign_reminders_for_a_draft_or_once_both_signed(app, make, mailbox, runner):
    _, draft = pair(make, mentor_email="d1@testborough.gov.uk",
                    mentee_email="d2@testborough.gov.uk")
    with time_machine.travel(START, tick=False):
        _, agreement = pair(make)
        signed_by_both(app, mailbox, agreement)
    remind(runner, 1.9)
    assert mailbox.count(template="agreement_sign_reminder") == 0
    assert mailbox.count(MENTEE_EMAIL, "agreement_submit_reminder") == 0


def test_mentee_is_reminded_once_to_submit(app, make, mailbox, runner):
    with time_machine.travel(START, tick=False):
        _, agreement = pair(make)
        signed_by_both(app, mailbox, agreement)
    remind(runner, 1.9)
    assert mailbox.count(MENTEE_EMAIL, "agreement_submit_reminder") == 0
    remind(runner, 2)
    remind(runner, 6)
    assert mailbox.count(MENTEE_EMAIL, "agreement_submit_reminder") == 1
    assert mailbox.count(MENTOR_EMAIL, "agreement_submit_reminder") == 0
    link = mailbox.link(mailbox.last(MENTEE_EMAIL, "agreement_submit_reminder"),
                        "/agreements/submit/")
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        assert client_for(app).post_form(link).status_code == 303


def test_a_new_version_starts_the_reminders_again(app, make, mailbox, runner):
    from tests.support.agreements import fill_terms, send

    _, agreement = pair(make)
    with time_machine.travel(START, tick=False):
        ready_to_sign(app, agreement)
    remind(runner, 3)
    remind(runner, 5)
    remind(runner, 7)
    assert mailbox.count(MENTOR_EMAIL, "agreement_sign_reminder") == 3
    with time_machine.travel(START + dt.timedelta(days=8), tick=False):
        mentee = client_for(app, agreement.mentee)
        fill_terms(mentee, agreement, sessions="4")
        send(mentee, agreement)
    remind(runner, 11)
    assert mailbox.count(MENTOR_EMAIL, "agreement_sign_reminder") == 4
