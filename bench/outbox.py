"""Outbox delivery benchmark: messages per second that `flask mail worker` delivers to a local
SMTP sink, and the worker's peak memory.

    python bench/outbox.py                       # SQLite in a temporary folder, 10,000 messages
    DATABASE_URL=postgresql://... python bench/outbox.py --workers 2

On PostgreSQL it uses the database named by DATABASE_URL (creating the tables if they are
missing) and refuses to start if that outbox already has messages waiting; it deletes the
messages it added when it ends. Import it and call ``run()`` for the figures as a dict.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench` importable
    sys.path.insert(0, str(ROOT))

from bench.server import peak_rss_kb  # noqa: E402

BENCH_TEMPLATE = "bench"  #: the template label on the benchmark's rows, so they can be removed


class Sink:
    """A minimal SMTP server on loopback that accepts everything and counts Message-IDs.

    Deliberately trivial, so the figures measure the worker rather than the server.
    """

    def __init__(self) -> None:
        self.message_ids: Counter[str] = Counter()
        self.received = 0
        self.done = threading.Event()
        self.expected = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.port = 0

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 bench sink ready\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"DATA":
                    writer.write(b"354 go ahead\r\n")
                    data = await reader.readuntil(b"\r\n.\r\n")
                    found = re.search(rb"^Message-ID: *(\S+)", data, re.MULTILINE | re.IGNORECASE)
                    self.message_ids[found.group(1).decode() if found else "?"] += 1
                    self.received += 1
                    if self.received >= self.expected:
                        self.done.set()
                    writer.write(b"250 accepted\r\n")
                elif verb == b"EHLO":
                    writer.write(b"250-bench sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    break
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    writer.write(b"250 OK\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def start(self) -> Sink:
        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            server = self._loop.run_until_complete(
                asyncio.start_server(self._session, "127.0.0.1", 0, limit=2**22))
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            self._loop.run_forever()
            server.close()
            self._loop.run_until_complete(server.wait_closed())

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def _prepare(database_url: str, messages: int) -> None:
    """Create the tables if needed and queue ``messages`` real emails (one bulk insert)."""
    sys.path.insert(0, str(ROOT))
    import sqlalchemy as sa

    from portal import create_app
    from portal.db import utcnow
    from portal.extensions import db
    from portal.mail.models import MessageState, OutboxMessage
    from portal.mail.outbox import render_email

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PORTAL_ENV": "testing",
                      "SECRET_KEY": "bench", "MAIL_DELIVERY": "worker"})
    with app.app_context(), app.test_request_context():
        db.create_all()
        waiting = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.state == MessageState.QUEUED))
        if waiting:
            raise SystemExit(f"The outbox already has {waiting} messages waiting: use a scratch "
                             "database for the benchmark.")
        subject, text, html = render_email("no_account", email="someone@testborough.gov.uk")
        now = utcnow()
        for start in range(0, messages, 5000):
            db.session.execute(sa.insert(OutboxMessage), [
                {"message_id": f"<{uuid.uuid4().hex}@bench.portal>", "template": BENCH_TEMPLATE,
                 "to_address": f"person{n}@testborough.gov.uk", "subject": subject,
                 "body_text": text, "body_html": html, "state": MessageState.QUEUED,
                 "attempts": 0, "next_attempt_at": now + dt.timedelta(microseconds=n),
                 "created_at": now}
                for n in range(start, min(start + 5000, messages))])
        db.session.commit()
        db.engine.dispose()


def _finish(database_url: str) -> dict:
    """Count the benchmark's messages by state, then remove them."""
    import sqlalchemy as sa

    from portal import create_app
    from portal.extensions import db
    from portal.mail.models import OutboxMessage

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PORTAL_ENV": "testing",
                      "SECRET_KEY": "bench"})
    with app.app_context():
        states = dict(db.session.execute(
            sa.select(OutboxMessage.state, sa.func.count())
            .where(OutboxMessage.template == BENCH_TEMPLATE).group_by(OutboxMessage.state)
        ).all())
        db.session.execute(sa.delete(OutboxMessage)
                           .where(OutboxMessage.template == BENCH_TEMPLATE))
        db.session.commit()
        db.engine.dispose()
    return {str(state.value): count for state, count in states.items()}


def run(messages: int = 10_000, *, database_url: str | None = None, workers: int = 1,
        batch_size: int | None = None, timeout: float = 600.0) -> dict:
    """Deliver ``messages`` through ``workers`` worker processes; return the figures."""
    scratch = None
    if not database_url:
        scratch = tempfile.TemporaryDirectory(prefix="portal-bench-")
        database_url = f"sqlite:///{Path(scratch.name) / 'bench.db'}"
    elif database_url.startswith(("postgres://", "postgresql://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    try:
        _prepare(database_url, messages)
        sink = Sink().start()
        sink.expected = messages
        env = {**os.environ, "FLASK_APP": "portal:create_app", "PORTAL_ENV": "testing",
               "SECRET_KEY": "bench", "DATABASE_URL": database_url, "MAIL_DELIVERY": "worker",
               "MAIL_TRANSPORT": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port),
               "PORTAL_INSTANCE_PATH": tempfile.gettempdir() + "/portal-bench-instance",
               "MAIL_POLL_SECONDS": "0.05"}
        env.pop("REDIS_URL", None)
        args = [sys.executable, "-m", "flask", "mail", "worker"]
        if batch_size:
            args += ["--batch-size", str(batch_size)]
        procs = [subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
                 for _ in range(workers)]
        for proc in procs:
            proc.stdout.readline()  # "Mail worker ... started": the app is loaded
        started = time.perf_counter()
        finished = sink.done.wait(timeout)
        elapsed = time.perf_counter() - started
        peaks, cpu = [], 0.0
        for proc in procs:
            # The worker's own peak (VmHWM), read before it exits. Not ru_maxrss: Linux counts
            # in it the memory of the process that started the worker, before exec, so from
            # `make bench` (which holds 100,000 profiles by then) it said 500 MB.
            peak_kb = peak_rss_kb(proc.pid)
            proc.send_signal(signal.SIGTERM)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            proc.stdout.read()
            proc.stdout.close()
            peaks.append(peak_kb / 1024)
            cpu += usage.ru_utime + usage.ru_stime
        sink.stop()
        states = _finish(database_url)
        if not finished:
            raise SystemExit(f"Only {sink.received} of {messages} messages arrived in {timeout}s")
        return {
            "database": database_url.split(":", 1)[0].split("+")[0],
            "messages": messages,
            "workers": workers,
            "batch_size": batch_size or int(os.environ.get("MAIL_BATCH_SIZE", 100)),
            "seconds": round(elapsed, 2),
            "messages_per_second": round(messages / elapsed, 1),
            "worker_peak_rss_mib": round(max(peaks), 1),
            # CPU the workers used, start-up included: steadier than wall time on a busy host.
            "worker_cpu_seconds": round(cpu, 2),
            "messages_per_worker_cpu_second": round(messages / cpu, 1),
            "duplicates": sum(sink.message_ids.values()) - len(sink.message_ids),
            "states": states,
        }
    finally:
        if scratch is not None:
            scratch.cleanup()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args(argv)
    figures = run(options.messages, database_url=os.environ.get("DATABASE_URL"),
                  workers=options.workers, batch_size=options.batch_size)
    if options.json:
        print(json.dumps(figures))
    else:
        print(f"Outbox delivery on {figures['database']}: {figures['messages']} messages, "
              f"{figures['workers']} worker(s), batches of {figures['batch_size']}")
        print(f"  {figures['messages_per_second']} messages per second "
              f"({figures['seconds']} s in all)")
        print(f"  worker peak memory (VmHWM): {figures['worker_peak_rss_mib']} MiB")
        print(f"  worker CPU: {figures['worker_cpu_seconds']} s, start-up included "
              f"({figures['messages_per_worker_cpu_second']} messages per CPU-second)")
        print(f"  duplicates: {figures['duplicates']}; outbox afterwards: {figures['states']}")
    return figures


if __name__ == "__main__":
    main()
