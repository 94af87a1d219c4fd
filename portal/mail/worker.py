"""The delivery worker: the loop behind `flask mail worker` and `flask mail deliver`.

Several workers can run at once, on one host or many: each claims its own batches (FOR UPDATE
SKIP LOCKED on PostgreSQL). SIGTERM or SIGINT stop a worker after the message in flight; the
rest of its batch goes straight back to the queue. A worker that dies without stopping (SIGKILL,
a lost host) holds its batch until the claim's lease runs out, then another worker takes it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from portal.errors import database_unavailable
from portal.mail.delivery import Report, StopCheck, deliver_round
from portal.mail.heartbeat import record_heartbeat

#: How often an idle worker runs the other areas' background jobs.
JOB_SECONDS = 30.0


def run(app: Flask, *, batch_size: int | None = None, poll_interval: float | None = None,
        once: bool = False, should_stop: StopCheck = lambda: False,
        sleep: Callable[[float], object] = time.sleep,
        on_round: Callable[[Report], object] | None = None) -> Report:
    """The delivery loop behind `flask mail worker` and `flask mail deliver`.

    Claims and sends due batches until nothing is due (``once``) or until ``should_stop``.
    When idle it sleeps ``poll_interval``; while the mail server or the database cannot be
    reached it waits a little longer each time, up to a minute.
    """
    batch_size = batch_size or app.config["MAIL_BATCH_SIZE"]
    poll_interval = app.config["MAIL_POLL_SECONDS"] if poll_interval is None else poll_interval
    total = Report()
    unreachable_wait = poll_interval
    database_wait = poll_interval
    jobs_due = 0.0
    while not should_stop():
        # First, so that a round which cannot reach the mail server still says "alive" to
        # /health; it writes at most every few seconds and never raises.
        record_heartbeat(app)
        try:
            report = deliver_round(app, limit=batch_size, should_stop=should_stop)
            # Other areas' background work that ends in an email (a person's data download),
            # registered by their init_app, so this module imports no area: only in a round
            # with no mail to send, at most every JOB_SECONDS, and never once asked to stop,
            # so it never delays delivery or a clean stop.
            if report.claimed == 0 and not should_stop() and time.monotonic() >= jobs_due:
                for job in app.extensions.get("portal.worker_jobs", []):
                    job(app)
                jobs_due = time.monotonic() + JOB_SECONDS
        except sa.exc.SQLAlchemyError as error:
            # The database is restarting, failing over or unreachable: wait and try again
            # rather than exit. The round has already handed back what it had not tried; the
            # pool's pre-ping replaces broken connections on the next round.
            if once or not database_unavailable(error):
                raise
            app.logger.warning("Mail worker: the database connection failed (%s: %s); trying "
                               "again in %.1f s", type(error).__name__, _first_line(error),
                               database_wait)
            sleep(database_wait)
            database_wait = min(60.0, max(database_wait * 2, 0.5))
            continue
        database_wait = poll_interval
        total += report
        if on_round and report.claimed:
            on_round(report)
        if report.unreachable:
            if once:
                break
            sleep(unreachable_wait)
            unreachable_wait = min(60.0, max(unreachable_wait * 2, 1.0))
            continue
        unreachable_wait = poll_interval
        if report.claimed == 0:
            if once:
                break
            sleep(poll_interval)
    return total


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0][:200] if text else ""


@contextmanager
def stop_on_signals(on_stop: Callable[[], object] = lambda: None) -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT while the block runs; the old handlers come back after."""
    stop = threading.Event()

    def request_stop(signum, frame) -> None:
        if not stop.is_set():
            on_stop()
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
