"""Two people signing at the same moment end in exactly one "signed by both", with one set of
emails. Real threads, each with its own connection, on SQLite and on PostgreSQL."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
import time_machine

from portal.agreements import queries, reminders
from portal.agreements.models import Agreement, AgreementSignature, AgreementState
from portal.audit import AuditEvent
from portal.extensions import db
from portal.mail.models import MessageState
from tests.support.agreements import (
    MENTEE_EMAIL,
    MENTOR_EMAIL,
    client_for,
    pair,
    ready_to_sign,
    sign_form,
)
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once


def race(posts: list[tuple]) -> list[int]:
    """POST each (browser, url, data) from its own thread, all released at the same moment."""
    start = threading.Barrier(len(posts))
    statuses: dict[int, int] = {}
    errors: list[BaseException] = []

    def post(i: int, browser, url: str, data: dict) -> None:
        try:
            start.wait(timeout=10)
            statuses[i] = browser.post(url, data=data).status_code
        except BaseException as error:  # reported in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=post, args=(i, *args)) for i, args in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return [statuses[i] for i in range(len(posts))]


@pytest.mark.parametrize("round_", range(3))
def test_two_parties_signing_at_once_complete_the_agreement_once(app, make, mailbox, round_):
    _, agreement = pair(make)
    ready_to_sign(app, agreement)
    people = (agreement.mentor, agreement.mentee)
    posts = []
    for person in people:
        link = mailbox.link(mailbox.last(person.email, "agreement_sign"), "/agreements/sign/")
        browser = client_for(app)
        page = browser.get(link)
        posts.append((browser, link, sign_form(page, person.full_name)
                      | {"csrf_token": browser.csrf_token()}))

    assert race(posts) == [303, 303]

    db.session.expire_all()
    done = db.session.get(Agreement, agreement.id)
    assert done.state == AgreementState.SIGNED_BY_BOTH
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(AgreementSignature)
        .where(AgreementSignature.version_id == done.current_version.id)) == 2
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent)
        .where(AuditEvent.subject_id == agreement.id, AuditEvent.subject_type == "agreement",
               AuditEvent.action == "signed_by_both")) == 1
    for person in people:
        assert mailbox.count(person.email, "agreement_signed") == 1


def test_two_reminder_runs_at_once_send_each_reminder_once(app, make, mailbox, monkeypatch):
    """Two `flask agreements remind` runs that overlap both find the same unsigned parties."""
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        agreements = [pair(make, mentor_email=f"mentor{n}@testborough.gov.uk",
                           mentee_email=f"mentee{n}@testborough.gov.uk")[1] for n in range(2)]
        agreements.append(pair(make)[1])
        for agreement in agreements:
            ready_to_sign(app, agreement)

    hold_until_both_arrive(queries, "lock", monkeypatch)
    sent = run_twice_at_once(app, lambda: reminders.send_due(start + dt.timedelta(days=3, hours=1)))
    assert sum(sent) == 6  # both parties of three agreements, once each
    for email in (MENTOR_EMAIL, MENTEE_EMAIL, "mentor0@testborough.gov.uk",
                  "mentee1@testborough.gov.uk"):
        assert mailbox.count(email, "agreement_sign_reminder") == 1, email
    # Each run delivered its own reminders as it went, the other run writing at the same time.
    states = {m.state for m in mailbox.all(template="agreement_sign_reminder")}
    assert states == {MessageState.SENT}
