"""The mail workers' heartbeat, and the check /health makes with it: is mail moving?

Each worker process stamps its row in ``mail_worker_heartbeat`` ("<host>:<pid>", when it
started, when it was last seen) as it goes round its loop, at most every
``INTERVAL_SECONDS``. Mail is **stalled** when messages are due, no worker has claimed them, and
no worker has been seen for ``MAIL_WORKER_STALE_SECONDS``: nothing is going to send them. A
worker that is alive but cannot reach the mail server is not stalled (the mail waits for the
server, not for a worker), and neither is an outbox with nothing due.

The heartbeat never stops delivery: a database error while stamping is logged in one line and
the worker carries on. Rows of workers not seen for a day are deleted as the next stamp is
written, so the table holds only the workers of the last day.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import socket
import time
from typing import Any

import sqlalchemy as sa
from flask import Flask

from portal.db import utcnow
from portal.extensions import db
from portal.mail import queries
from portal.mail.models import WorkerHeartbeat

#: A worker writes its row at most this often, however fast it goes round its loop.
INTERVAL_SECONDS = 10.0
#: Rows of workers not seen for this long are deleted.
FORGET_AFTER = dt.timedelta(days=1)

_STATE = "mail_heartbeat"  # key in app.extensions: this process's id, start and last stamp


def worker_id() -> str:
    """This process, as "<host name>:<pid>"."""
    return f"{socket.gethostname()}:{os.getpid()}"[-300:]


def record_heartbeat(app: Flask) -> None:
    """Stamp this worker as seen now, at most once every ``INTERVAL_SECONDS`` per process.

    Safe to call on every round of the worker's loop. A database error is logged and ignored:
    the heartbeat must never stop delivery (the next stamp tries again).
    """
    state = app.extensions.setdefault(_STATE, {})
    if state.get("pid") != os.getpid():  # first call, or a copy of the app in a forked child
        state.clear()
        state.update(pid=os.getpid(), id=worker_id(), started_at=utcnow(), last=-math.inf)
    if time.monotonic() - state["last"] < INTERVAL_SECONDS:
        return
    state["last"] = time.monotonic()  # a failure waits too: one log line, not one a round
    now = utcnow()
    row = {"id": state["id"], "started_at": state["started_at"], "seen_at": now}
    table = WorkerHeartbeat.__table__
    try:
        with app.app_context(), db.engine.connect() as connection:
            # SQLite: take the write lock first, waiting for it, as portal.db.lock does.
            connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                updated = connection.execute(
                    table.update().where(table.c.id == row["id"])
                    .values(started_at=row["started_at"], seen_at=now)
                ).rowcount
                if not updated:
                    connection.execute(table.insert().values(**row))
                connection.execute(table.delete().where(table.c.seen_at < now - FORGET_AFTER))
    except sa.exc.SQLAlchemyError as error:
        app.logger.warning("Mail worker %s: heartbeat not recorded (%s); delivery carries on",
                           state["id"], type(error).__name__)


def check(app: Flask, now: dt.datetime | None = None) -> dict[str, Any]:
    """Whether mail is moving, for /health: ``status`` is "moving", "stalled" or "not checked".

    Reads the database on the caller's session (db.session); its errors reach the caller.
    """
    if app.config["MAIL_DELIVERY"] != "worker":
        return {"delivery": app.config["MAIL_DELIVERY"], "status": "not checked",
                "detail": "MAIL_DELIVERY=inline: each change sends its own email after it is "
                          "saved, so no worker is expected"}
    now = now or utcnow()
    stale_after = app.config["MAIL_WORKER_STALE_SECONDS"]
    waiting = queries.waiting_count(now)
    last = queries.last_worker_seen()
    seen_ago = max((now - last.seen_at).total_seconds(), 0.0) if last else None
    worker_alive = seen_ago is not None and seen_ago <= stale_after
    return {
        "delivery": "worker",
        "status": "stalled" if waiting and not worker_alive else "moving",
        "waiting": waiting,
        "last_worker": last.id if last else None,
        "last_worker_seen_seconds": None if seen_ago is None else round(seen_ago, 1),
        "stale_after_seconds": stale_after,
    }
