"""Helpers for the mail tests: the outbox as the deliverers left it, and `flask mail worker`
in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.mail.models import MessageState, OutboxMessage
from tests.support.mail_sink import SMTPSink

ROOT = Path(__file__).resolve().parent.parent.parent


def outbox(state: MessageState | None = None) -> list[OutboxMessage]:
    db.session.rollback()  # end the test's transaction: see what the deliverers committed
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return list(db.session.scalars(query))


def worker_process(app, tmp_path, sink: SMTPSink, *args: str, **env: str) -> subprocess.Popen:
    """`flask mail worker` in a process of its own, on the test's database and SMTP sink."""
    environment = {
        **os.environ, "FLASK_APP": "portal:create_app", "PORTAL_ENV": "testing",
        "SECRET_KEY": "test-secret-key", "PORTAL_INSTANCE_PATH": str(tmp_path / "worker"),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "MAIL_DELIVERY": "worker",
        "BASE_URL": app.config["BASE_URL"], "MAIL_POLL_SECONDS": "0.05", **sink.env(), **env,
    }
    environment.pop("REDIS_URL", None)
    return subprocess.Popen([sys.executable, "-m", "flask", "mail", "worker", *args], cwd=ROOT,
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
