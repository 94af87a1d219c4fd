"""The bytes of an email: multipart/alternative text and HTML, attachments, stable headers.

Written out directly rather than through email.message, which spends several milliseconds per
message parsing its own headers back: at thousands of messages a minute that was most of a
worker's time. The output is plain RFC 5322/2045 that the email package parses (the tests
read every message back with it). Everything is derived from the stored message, so a copy
sent again after a crash is byte for byte the same.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from collections.abc import Iterable
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from urllib.parse import quote

from portal.mail.models import OutboxAttachment, OutboxMessage

CRLF = "\r\n"


class BadHeader(ValueError):
    """A header value that would break the message (a line break: header injection)."""


def _fold(line: str, width: int = 78) -> str:
    """Fold a long header line at spaces (RFC 5322 2.2.3): unfolding gives the line back."""
    if len(line) <= width:
        return line
    lines, current = [], ""
    for word in line.split(" "):
        if current.strip() and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = " " + word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return CRLF.join(lines)


def _header(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise BadHeader(f"{name} contains a line break")
    if value.isascii():
        return _fold(f"{name}: {value}")
    return f"{name}: {Header(value, 'utf-8', header_name=name).encode(linesep=CRLF)}"


@functools.lru_cache(maxsize=256)
def address(value: str) -> str:
    """An address header value with any non-ASCII display name encoded (RFC 2047)."""
    if "\r" in value or "\n" in value:
        raise BadHeader("an address contains a line break")
    if value.isascii() and "<" not in value:
        return value.strip()  # a bare address, as stored for recipients
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if name else addr


@functools.lru_cache(maxsize=256)
def sender(default_sender: str, scheme_name: str | None = None) -> str:
    """The From header's value: the configured sender, or for an email about a scheme
    "<scheme name> via <sender's name>" from the same address (encoded as ``address`` does).

    Naming the scheme tells the reader at a glance who the email is from; the address stays
    the portal's, so SPF and DKIM still pass, and Reply-To is the scheme's own mailbox.
    """
    scheme_name = " ".join((scheme_name or "").split())  # never a line break in a header
    if not scheme_name:
        return address(default_sender)
    name, addr = parseaddr(default_sender)
    if "\r" in default_sender or "\n" in default_sender:
        raise BadHeader("the sender contains a line break")
    return formataddr((f"{scheme_name} via {name or 'Mentoring portal'}", addr), charset="utf-8")


def _text_part(content: str, subtype: str) -> str:
    body = content.replace("\r\n", "\n").replace("\n", CRLF).encode("utf-8")
    encoded = binascii.b2a_qp(body, istext=True).decode("ascii")
    return (f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
            f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}{encoded}")


def _attachment_part(attachment: OutboxAttachment) -> str:
    content_type = attachment.content_type if "/" in attachment.content_type else (
        "application/octet-stream")
    filename = attachment.filename.replace('"', "'")
    if filename.isascii():
        disposition = f'attachment; filename="{filename}"'
    else:  # RFC 2231
        disposition = f"attachment; filename*=utf-8''{quote(filename)}"
    _header("Content-Type", content_type)
    encoded = base64.encodebytes(attachment.data).decode("ascii").replace("\n", CRLF)
    return (f"Content-Type: {content_type}{CRLF}Content-Disposition: {disposition}{CRLF}"
            f"Content-Transfer-Encoding: base64{CRLF}{CRLF}{encoded}")


def _multipart(subtype: str, boundary: str, parts: Iterable[str]) -> str:
    body = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts)
    return (f'Content-Type: multipart/{subtype};{CRLF} boundary="{boundary}"{CRLF}{CRLF}'
            f"{body}--{boundary}--{CRLF}")


def build(message: OutboxMessage, default_sender: str, scheme_name: str | None = None) -> bytes:
    """The whole message as the SMTP server receives it. ``scheme_name``, for an email about a
    scheme, goes into the From name (see ``sender``)."""
    # Boundaries come from the Message-ID: stable, and never found in quoted-printable text
    # or base64 (both leave "=_" out).
    seed = hashlib.sha256(message.message_id.encode()).hexdigest()[:32]
    headers = [
        _header("From", sender(default_sender, scheme_name)),
        _header("To", address(message.to_address)),
        *([_header("Reply-To", address(message.reply_to))] if message.reply_to else []),
        _header("Subject", message.subject),
        # The Date is when the message was written, so a duplicate after a crash is identical.
        _header("Date", format_datetime(message.created_at)),
        _header("Message-ID", message.message_id),
        # RFC 3834: tells out-of-office responders not to answer an automatic message.
        "Auto-Submitted: auto-generated",
        "MIME-Version: 1.0",
    ]
    body = _multipart("alternative", f"=_alt_{seed}",
                      [_text_part(message.body_text, "plain"),
                       _text_part(message.body_html, "html")])
    if message.attachments:
        body = _multipart("mixed", f"=_mix_{seed}",
                          [body, *(_attachment_part(a) for a in message.attachments)])
    return (CRLF.join(headers) + CRLF + body).encode("ascii")
