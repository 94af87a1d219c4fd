"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, parsed with the email
package, and can be told to refuse recipients or messages. Used by the mail tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import ssl
import threading
import time
from collections import Counter
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

_MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)", re.MULTILINE | re.IGNORECASE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPSink:
    """Start with ``start()``, stop with ``stop()``; the port stays the same across restarts."""

    def __init__(self, port: int | None = None, *, delay: float = 0.0,
                 pipelining: bool = True, tls: str | None = None,
                 certificate: Any = None, login: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.pipelining = pipelining
        #: "starttls" (required before MAIL), "ssl" (TLS from the first byte) or None
        self.tls = tls
        #: a trustme leaf certificate the server presents when ``tls`` is set
        self.certificate = certificate
        #: (user, password) that AUTH must give before MAIL; None: no AUTH offered
        self.login = login
        #: the user name of each successful AUTH
        self.logins: list[str] = []
        self._ids: list[str | None] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        #: the bytes of each message as received
        self.raw: list[bytes] = []
        #: recipient address -> reply, e.g. "550 5.1.1 No such mailbox here"
        self.refuse_recipient: dict[str, str] = {}
        #: a reply to DATA instead of accepting, e.g. "451 4.3.0 Try again later"
        self.data_reply: str | None = None
        self.delay = delay
        #: SMTP sessions opened (EHLO), to check that a batch shares one connection
        self.connections = 0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    # aiosmtpd handler hooks
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self._lock:
            self.connections += 1
        if self.pipelining:  # aiosmtpd reads commands in order, so it copes with pipelining
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_recipient:
            return self.refuse_recipient[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server
        raw = envelope.original_content or envelope.content
        found = _MESSAGE_ID.search(raw)
        with self._lock:
            self.raw.append(raw)
            self._ids.append(found.group(1).decode() if found else None)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        given = (auth_data.login.decode(), auth_data.password.decode())
        if given != self.login:
            return AuthResult(success=False, handled=False)
        with self._lock:
            self.logins.append(given[0])
        return AuthResult(success=True)

    def start(self) -> SMTPSink:
        options: dict[str, Any] = {}
        if self.tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.certificate.configure_cert(context)
            options = ({"ssl_context": context} if self.tls == "ssl" else
                       {"tls_context": context, "require_starttls": True})
        if self.login:
            # With "ssl" the whole session is already encrypted; STARTTLS must come first.
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=self.tls == "starttls")
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller.loop.close()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        """What arrived, parsed with the email package (parsed when asked: it is slow)."""
        with self._lock:
            raw = list(self.raw)
        return [email.message_from_bytes(data, policy=email.policy.default) for data in raw]

    @property
    def message_ids(self) -> Counter:
        with self._lock:
            return Counter(self._ids)

    def count(self) -> int:
        with self._lock:
            return len(self.raw)

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        """Wait until at least ``count`` messages arrived (for tests with other processes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= count:
                return True
            time.sleep(0.02)
        return False

    def config(self) -> dict:
        """App settings that send to this server."""
        return {"MAIL_TRANSPORT": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port,
                "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_TIMEOUT_SECONDS": 5}

    def env(self) -> dict:
        """The same, as environment variables for a worker in another process."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.port),
                "MAIL_TRANSPORT": "smtp", "MAIL_TIMEOUT_SECONDS": "5"}
