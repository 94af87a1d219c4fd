"""/health: for load balancers (does the database answer?) and monitoring (is mail stuck?)."""

from __future__ import annotations

import datetime as dt
import logging
import os

import sqlalchemy as sa
import time_machine

from portal import mail
from portal.db import utcnow
from portal.extensions import db
from portal.mail.heartbeat import record_heartbeat
from portal.mail.models import MessageState, WorkerHeartbeat
from tests.conftest import make_app
from tests.support.mail_sink import free_port


def test_health_is_ok_with_an_empty_outbox(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok", "database": "ok", "oldest_undelivered_seconds": 0.0, "undelivered": 0,
        "dead_letters": 0, "rate_limits": "memory",
        "mail": {"delivery": "inline", "status": "not checked",
                 "detail": "MAIL_DELIVERY=inline: each change sends its own email after it is "
                           "saved, so no worker is expected"},
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_health_reports_the_age_of_the_oldest_undelivered_message(app, client):
    app.config["MAIL_DELIVERY"] = "worker"
    start = utcnow()
    with time_machine.travel(start, tick=False):
        mail.queue("first@testborough.gov.uk", "no_account", email="first@testborough.gov.uk")
        db.session.commit()
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        later = mail.queue("second@testborough.gov.uk", "no_account",
                           email="second@testborough.gov.uk")
        dead = mail.queue("dead@testborough.gov.uk", "no_account", email="dead@testborough.gov.uk")
        db.session.flush()
        dead.state = MessageState.DEAD
        db.session.commit()
    with time_machine.travel(start + dt.timedelta(minutes=12), tick=False):
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json["oldest_undelivered_seconds"] == 720.0
    assert response.json["undelivered"] == 2
    assert response.json["dead_letters"] == 1

    later.state = MessageState.SENT
    db.session.commit()
    with time_machine.travel(start + dt.timedelta(minutes=12), tick=False):
        assert client.get("/health").json["undelivered"] == 1


def test_health_is_503_when_the_database_does_not_answer(tmp_path):
    # A PostgreSQL address where nothing listens: the connection is refused at once.
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/portal"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["database"] == "unreachable"
    assert response.headers["Cache-Control"] == "no-store"
    assert "127.0.0.1" not in response.get_data(as_text=True)  # no connection details leak


# --- is mail moving? (MAIL_DELIVERY=worker) ----------------------------------------------------

OUTSIDER = {"REMOTE_ADDR": "203.0.113.9"}  # off this machine, no token: up or down only


def _wait_for_a_worker(app) -> None:
    """Worker delivery, and one email due that no worker has picked up."""
    app.config["MAIL_DELIVERY"] = "worker"
    mail.queue("waiting@testborough.gov.uk", "no_account", email="waiting@testborough.gov.uk")
    db.session.commit()


def test_mail_due_with_no_worker_seen_is_stalled_but_not_a_failure_by_default(app, client):
    _wait_for_a_worker(app)
    response = client.get("/health")
    assert response.status_code == 200  # a load balancer keeps the web process in rotation
    assert response.json["status"] == "ok"
    assert response.json["mail"] == {
        "delivery": "worker", "status": "stalled", "waiting": 1, "last_worker": None,
        "last_worker_seen_seconds": None, "stale_after_seconds": 120}
    assert client.get("/health", environ_base=OUTSIDER).json == {"status": "ok"}


def test_stalled_mail_fails_health_with_the_setting(app, client):
    _wait_for_a_worker(app)
    app.config["HEALTH_FAILS_ON_STALLED_MAIL"] = True
    response = client.get("/health")
    assert response.status_code == 503
    assert (response.json["status"], response.json["database"]) == ("error", "ok")
    assert response.json["mail"]["status"] == "stalled"
    outsider = client.get("/health", environ_base=OUTSIDER)
    assert (outsider.status_code, outsider.json) == (503, {"status": "error"})
    assert outsider.headers["Cache-Control"] == "no-store"


def test_delivering_the_outbox_makes_stalled_mail_healthy_again(app, client, runner):
    _wait_for_a_worker(app)
    app.config["HEALTH_FAILS_ON_STALLED_MAIL"] = True
    assert client.get("/health").status_code == 503

    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output

    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["mail"]["status"] == "moving"
    assert response.json["mail"]["waiting"] == 0


def test_a_worker_seen_recently_means_mail_is_moving_until_its_heartbeat_is_stale(app, client):
    _wait_for_a_worker(app)
    app.config["HEALTH_FAILS_ON_STALLED_MAIL"] = True
    start = utcnow()
    with time_machine.travel(start, tick=False):
        record_heartbeat(app)  # what the worker does on each round of its loop
        response = client.get("/health")
    assert response.status_code == 200
    moving = response.json["mail"]
    assert (moving["status"], moving["waiting"], moving["last_worker_seen_seconds"]) == (
        "moving", 1, 0.0)
    assert moving["last_worker"].endswith(f":{os.getpid()}")  # host:pid

    with time_machine.travel(start + dt.timedelta(seconds=119), tick=False):
        assert client.get("/health").json["mail"]["status"] == "moving"
    with time_machine.travel(start + dt.timedelta(seconds=121), tick=False):
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json["mail"]["status"] == "stalled"
    assert response.json["mail"]["last_worker_seen_seconds"] == 121.0


def test_a_worker_that_cannot_reach_the_mail_server_is_not_stalled(app, client, runner):
    """The mail waits for the mail server, not for a worker: /health's figures show its age."""
    _wait_for_a_worker(app)
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    result = runner.invoke(args=["mail", "worker", "--once"])
    assert result.exit_code != 0  # the server did not answer: the email waits
    mail_status = client.get("/health").json["mail"]
    assert (mail_status["status"], mail_status["waiting"]) == ("moving", 1)


def test_with_inline_delivery_no_worker_is_expected(app, client):
    app.config["HEALTH_FAILS_ON_STALLED_MAIL"] = True
    mail.queue("inline@testborough.gov.uk", "no_account", email="inline@testborough.gov.uk")
    db.session.commit()
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["mail"]["status"] == "not checked"
    assert "no worker is expected" in response.json["mail"]["detail"]


def test_a_heartbeat_is_written_at_most_every_ten_seconds_and_old_workers_are_forgotten(app):
    start = utcnow()
    gone = WorkerHeartbeat(id="old-host:4242", started_at=start - dt.timedelta(days=3),
                           seen_at=start - dt.timedelta(days=1, minutes=1))
    db.session.add(gone)
    db.session.commit()
    with time_machine.travel(start, tick=False):
        record_heartbeat(app)
    with time_machine.travel(start + dt.timedelta(seconds=5), tick=False):
        record_heartbeat(app)  # within the interval: nothing written
    db.session.expire_all()
    rows = db.session.scalars(sa.select(WorkerHeartbeat)).all()
    assert [row.seen_at for row in rows] == [start]  # the day-old worker is gone
    assert rows[0].started_at == start


def test_a_heartbeat_that_cannot_reach_the_database_never_stops_delivery(tmp_path, caplog):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/portal"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, MAIL_DELIVERY="worker")
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        record_heartbeat(app)  # no exception
    lines = [r.getMessage() for r in caplog.records if "heartbeat not recorded" in r.getMessage()]
    assert len(lines) == 1 and "OperationalError" in lines[0]
