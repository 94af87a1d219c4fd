"""/health: for load balancers (does the database answer?) and monitoring (is mail stuck?)."""

from __future__ import annotations

import datetime as dt

import time_machine

from portal import mail
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MessageState
from tests.conftest import make_app
from tests.support.mail_sink import free_port


def test_health_is_ok_with_an_empty_outbox(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "oldest_undelivered_seconds": 0.0,
                             "undelivered": 0, "dead_letters": 0, "rate_limits": "memory"}
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
