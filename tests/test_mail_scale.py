"""Beyond one machine, on PostgreSQL: several mail workers, and the app under gunicorn with two
worker processes, each delivering through a real SMTP server on loopback."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MessageState, OutboxMessage
from portal.mail.outbox import render_email
from tests.support.mail import outbox, worker_process
from tests.support.mail_sink import SMTPSink, free_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.postgres_only


def bulk_queue(count: int) -> list[str]:
    """Queue ``count`` real emails in one statement; returns their Message-IDs."""
    subject, text, html = render_email("no_account", email="someone@testborough.gov.uk")
    now = utcnow()
    rows = [{"message_id": f"<{uuid.uuid4().hex}@portal.test>", "template": "no_account",
             "to_address": f"person{n}@testborough.gov.uk", "subject": subject,
             "body_text": text, "body_html": html, "state": MessageState.QUEUED, "attempts": 0,
             "next_attempt_at": now, "created_at": now} for n in range(count)]
    db.session.execute(sa.insert(OutboxMessage), rows)
    db.session.commit()
    return [row["message_id"] for row in rows]


def sent_count(output: str) -> int:
    return int(re.search(r"stopped: (\d+) sent", output).group(1))


def test_two_workers_deliver_each_of_1000_messages_exactly_once(app, tmp_path):
    sink = SMTPSink().start()
    workers = []
    try:
        # The sink shares this process with the test run: on a busy CI machine it can take
        # longer than the 5 seconds the mail tests give a server before a worker treats it as
        # down and sends again (correct for a real server that loses a reply; not what this
        # test is about). A patient timeout keeps the test about exactly-once between workers.
        workers = [worker_process(app, tmp_path / str(n), sink, "--batch-size", "50",
                                  MAIL_TIMEOUT_SECONDS="60", MAIL_LEASE_SECONDS="600")
                   for n in range(2)]
        for worker in workers:
            assert "started" in worker.stdout.readline()
        message_ids = bulk_queue(1000)

        # The guard is generous for a busy machine; on a quiet one this takes a few seconds.
        assert sink.wait_for(1000, timeout=900), f"only {sink.count()} arrived"
        time.sleep(0.3)  # room for a duplicate to show up, if there were one
    finally:
        outputs = []
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            out, err = worker.communicate(timeout=30)
            outputs.append(out)
            assert worker.returncode == 0, err
        sink.stop()

    received = sink.message_ids
    assert set(received) == set(message_ids)
    assert set(received.values()) == {1}  # exactly once each
    shares = [sent_count(out) for out in outputs]
    assert sum(shares) == 1000 and min(shares) > 0  # both workers took part
    assert {m.state for m in outbox()} == {MessageState.SENT}


class Browser:
    """A minimal HTTP client with its own cookies, like one person's browser."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.headers, text

    def post_form(self, path: str, form: dict | None = None, *, token_from: str | None = None):
        status, _, page = self.request("GET", token_from or path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
            r'"X-CSRFToken": "([^"]+)"', page)
        return self.request("POST", path, {**(form or {}), "csrf_token": token.group(1)})


def wait_until_healthy(port: int, server: subprocess.Popen, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        try:
            status, _, body = Browser(port).request("GET", "/health")
            if status == 200:
                import json

                return json.loads(body)
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_app_under_gunicorn_with_two_workers_delivers_each_email_once(app, make, tmp_path):
    sink = SMTPSink().start()
    port = free_port()
    people = [make.user(email=f"staff{n}-{uuid.uuid4().hex[:6]}@testborough.gov.uk",
                        name=f"Staff Member {n}") for n in range(12)]
    flooded = f"flood-{uuid.uuid4().hex[:8]}@testborough.gov.uk"
    env = {
        **os.environ, "PORTAL_ENV": "production", "SECRET_KEY": "Gq7Lm2Xv9Rt4Kp8Wz1Nc6Hd3Bf5Js0Ya",
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "BASE_URL": "https://portal.testborough.gov.uk",
        "MAIL_DEFAULT_SENDER": "Mentoring portal <mentoring@testborough.gov.uk>",
        "MAIL_DELIVERY": "inline", **sink.env(), "MAIL_TIMEOUT_SECONDS": "60",
        "MAIL_LEASE_SECONDS": "600",
        "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "SIGN_IN_LIMIT_PER_CLIENT": "100000",  # every request here comes from 127.0.0.1
        "PORT": str(port), "WEB_CONCURRENCY": "2", "HTMX_SOURCE": "vendored",
    }
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        health = wait_until_healthy(port, server)
        assert health["rate_limits"] == "redis"

        def ask(email: str) -> int:
            status, _, _ = Browser(port).post_form("/sign-in", {"email": email})
            return status

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(ask, [p.email for p in people] + [flooded] * 7))
        assert statuses[:12] == [303] * 12
        # Five links for one address, however the requests were spread over the two processes;
        # the extra requests see the usual page (nobody is shown an error others caused).
        assert statuses[12:] == [303] * 7

        assert sink.wait_for(12 + 5, timeout=10)
        received = sink.message_ids
        assert set(received.values()) == {1}
        db.session.rollback()
        stored = {m.message_id: m for m in db.session.scalars(sa.select(OutboxMessage))}
        assert set(received) == set(stored)
        assert {m.state for m in stored.values()} == {MessageState.SENT}

        # The emailed link works, whichever worker serves each step.
        email = next(m for m in sink.messages if m["To"] == people[0].email)
        link = re.search(r"https://portal\.testborough\.gov\.uk(/sign-in/\S+)",
                         email.get_body(preferencelist=("plain",)).get_content()).group(1)
        browser = Browser(port)
        status, headers, _ = browser.post_form(link)
        assert status == 303 and headers["Location"].endswith("/dashboard")
        status, _, page = browser.request("GET", "/dashboard")
        assert status == 200 and "Staff Member 0" in page
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=40)
        sink.stop()
    assert server.returncode == 0, err
    assert err.count("Booting worker with pid") == 2
    token = link.rsplit("/", 1)[-1]
    assert "/sign-in/[token]" in out and token not in out + err  # access log keeps no tokens
