"""A portal served on loopback for a real browser, with real SMTP delivery to a local sink.

Used by the browser tests' fixtures and by scripts/screenshots.py, so both start the portal the
same way: a file SQLite database, the vendored htmx (no CDN), BASE_URL set to the live address,
and every email delivered over SMTP to an aiosmtpd sink the test can read.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")

#: Without these, Debian's Chromium stalls on network lookups and background services here.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def launch_chromium(playwright: Any):
    """Debian's Chromium through Playwright (its own browser download does not work here)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the mail sink ------------------------------------------------------------------------------

class MailSink:
    """An SMTP server on loopback that keeps every message it receives, in order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = None
        self.port = 0

    # aiosmtpd handler hook
    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> MailSink:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def all(self, to: str | None = None) -> list[EmailMessage]:
        with self._lock:
            messages = list(self.messages)
        if to is None:
            return messages
        return [m for m in messages if to.lower() in m.get("To", "").lower()]

    def last(self, to: str, *, subject_contains: str | None = None,
             timeout: float = 5.0) -> EmailMessage:
        """The newest message to ``to`` (optionally with a subject containing some words).

        Delivery is inline, so the message is normally here before the page that caused it has
        loaded; the short wait covers a slow machine.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.all(to)
                     if subject_contains is None or subject_contains in m["Subject"]]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                subjects = [f"{m['To']}: {m['Subject']}" for m in self.all()]
                raise AssertionError(f"no email to {to}; the sink holds {subjects}")
            time.sleep(0.05)

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @classmethod
    def links(cls, message: EmailMessage) -> list[str]:
        """Every web address in the plain-text part, in order."""
        return re.findall(r"https?://[^\s<>\"]+", cls.text(message))

    @classmethod
    def link(cls, message: EmailMessage, contains: str) -> str:
        found = [link for link in cls.links(message) if contains in link]
        assert found, f"no link containing {contains!r} in:\n{cls.text(message)}"
        return found[0]


# --- the portal ---------------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    """No access log: a test run would print a line for every stylesheet."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LivePortal:
    """The app served by werkzeug in a background thread on 127.0.0.1, on a free port."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True,
                                                   request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        app.config["BASE_URL"] = self.url
        # A short poll: stopping the server waits for one, and every test stops one.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        name="live-portal", daemon=True)

    def start(self) -> LivePortal:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __call__(self, path: str = "/") -> str:
        """The absolute address of a path on the live portal."""
        return self.url + path

    def session_cookie(self, user: Any) -> dict[str, Any]:
        """A cookie that carries a fresh session for ``user``, as a used sign-in link leaves.

        Most tests start signed in; the sign-in journey itself is tested through the email.
        """
        now = time.time()
        data = {"_user_id": user.get_id(), "_fresh": True, "signed_in_at": now, "seen": now,
                "_permanent": True}
        with self.app.app_context():
            value = self.app.session_interface.get_signing_serializer(self.app).dumps(data)
        return {"name": self.app.config["SESSION_COOKIE_NAME"], "value": value, "url": self.url,
                "httpOnly": True, "sameSite": "Lax"}


def portal_config(database: Path, mail_port: int) -> dict[str, Any]:
    """Settings for a live portal: SQLite file, vendored htmx, SMTP to the sink."""
    return {
        "PORTAL_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "HTMX_SOURCE": "vendored",
        "MAIL_TRANSPORT": "smtp",
        "MAIL_DELIVERY": "inline",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail_port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_TIMEOUT_SECONDS": 5,
        "MAIL_DEFAULT_SENDER": "Mentoring portal <no-reply@testborough.gov.uk>",
        "REDIS_URL": None,
    }


@contextmanager
def serve(app: Flask) -> Iterator[LivePortal]:
    """Serve ``app`` on loopback for the duration of the block."""
    portal = LivePortal(app).start()
    try:
        yield portal
    finally:
        portal.stop()
