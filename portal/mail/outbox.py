"""Queue emails in the current transaction; deliver them once it commits."""

from __future__ import annotations

import itertools
import re
import secrets
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.mail import delivery
from portal.mail.models import OutboxAttachment, OutboxMessage


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built on the configured BASE_URL (never the request host).

    Works inside a request and outside one (scheduled commands, the worker).
    """
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["BASE_URL"] + adapter.build(endpoint, values)


class Links:
    """The ``link(text, url)`` of one email's templates.

    Each call leaves a marker that only this email knows (it carries a random nonce, so nothing a
    person typed into a field can pass for one). The text part fills each marker in as
    "text:" with the full address on the next line; the HTML part as a link whose words are the
    text, so nobody has to read a long address to tell "Accept" from "Decline".
    """

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(8)
        self.found: list[tuple[str, str]] = []
        self.marker = re.compile(rf"\[\[link-{self.nonce}-(\d+)\]\]")

    def __call__(self, text: str, url: str) -> str:
        text, url = " ".join(str(text).split()), str(url)
        if not text or not _URL.fullmatch(url):
            raise ValueError(f"an email link needs words and an http(s) address: {text!r} {url!r}")
        self.found.append((text, url))
        return f"[[link-{self.nonce}-{len(self.found) - 1}]]"

    def as_text(self, rendered: str) -> str:
        return self.marker.sub(lambda m: "{}:\n{}".format(*self.found[int(m[1])]), rendered)

    def segments(self, line: str) -> list[Segment]:
        """A line of the email as text and links, for the HTML part."""
        parts, at = [], 0
        for found in self.marker.finditer(line):
            if found.start() > at:
                parts.append(Segment(line[at:found.start()]))
            parts.append(Segment(*self.found[int(found[1])]))
            at = found.end()
        if at < len(line):
            parts.append(Segment(line[at:]))
        return parts


@dataclass(frozen=True)
class Segment:
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Block:
    """A paragraph (lines shown with line breaks) or, when every line starts "- ", a list."""

    lines: list[list[Segment]]
    is_list: bool = False


def render_email(template: str, **context) -> tuple[str, str, str]:
    """Render ``templates/email/<template>.txt`` into (subject, text, html).

    The .txt template is the one source of the words. Its ``link(text, url)`` gives the text
    part "text:" and the full address on its own line, and the HTML part a link with those
    words; the HTML part is then laid out by ``templates/email/_layout.html``.
    """
    env = current_app.jinja_env
    tmpl = env.get_template(f"email/{template}.txt")
    links = Links()
    values = {"absolute_url": absolute_url, "base_url": current_app.config["BASE_URL"],
              **context, "link": links}
    subject = " ".join("".join(tmpl.blocks["subject"](tmpl.new_context(values))).split())
    rendered = re.sub(r"\n{3,}", "\n\n", tmpl.render(values).strip()) + "\n"
    return subject, links.as_text(rendered), _html(subject, rendered, links,
                                                   context.get("scheme"))


_URL = re.compile(r"(https?://[^\s<>\"]+)")


def text_to_html(text: str) -> Markup:
    """Plain email text as HTML paragraphs with live links (the development mail viewer)."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        escaped = str(escape(block))
        linked = _URL.sub(r'<a href="\1">\1</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(paragraphs))


def _blocks(text: str, links: Links) -> list[Block]:
    """Paragraphs of the text as blocks; a run of lines starting "- " is a list of its own."""
    blocks = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip()):
        lines = [line.rstrip() for line in paragraph.split("\n") if line.strip()]
        for is_list, run in itertools.groupby(lines, key=lambda line: line.startswith("- ")):
            blocks.append(Block([links.segments(line[2:] if is_list else line) for line in run],
                                is_list))
    return blocks


_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _html(subject: str, rendered: str, links: Links, scheme=None) -> str:
    """The HTML part: the same words as the text part, with descriptive links, laid out to fit
    a phone (``templates/email/_layout.html``). URLs a person typed (a video call link) stay
    text: only the portal's own links are links."""
    # The layout's "--" line starts the footer: why the email was sent, and who sent it.
    body, dashes, footer = rendered.rpartition("\n--\n")
    if not dashes:
        body, footer = rendered, ""
    brand = (getattr(scheme, "brand", None) or {}) if scheme is not None else {}
    colour = brand.get("colour") if isinstance(brand.get("colour"), str) else None
    return current_app.jinja_env.get_template("email/_layout.html").render(
        subject=subject, scheme=scheme, organisation=brand.get("organisation"),
        colour=colour if colour and _COLOUR.fullmatch(colour) else "#1d70b8",
        body=_blocks(body, links), footer=_blocks(footer, links),
    )


def queue(to: str, template: str, *, scheme=None,
          attachments: tuple[Attachment, ...] | list[Attachment] = (),
          reply_to: str | None = None, inline: bool = True, **context) -> OutboxMessage:
    """Add an email to the outbox in the current transaction; it is delivered after commit.

    ``inline=False`` leaves it to the worker (or `flask mail deliver`) even when delivery is
    inline: for a request that queues hundreds (an administrator's invitations), which must not
    wait for the mail server to take them all.

    ``scheme`` (a Scheme) sets the Reply-To to the scheme's mailbox and lets the scheme's
    administrators see the message if it cannot be delivered; it is also in the template context.
    """
    if scheme is not None:
        context["scheme"] = scheme
        reply_to = reply_to or scheme.reply_to or scheme.admin_email
    subject, text, html = render_email(template, **context)
    domain = current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    message = OutboxMessage(
        message_id=f"<{secrets.token_hex(16)}@{domain or 'portal.local'}>",
        template=template, to_address=to.lower(), reply_to=reply_to, subject=subject,
        scheme_id=scheme.id if scheme is not None else None,
        body_text=text, body_html=html,
        attachments=[OutboxAttachment(filename=a.filename, content_type=a.content_type, data=a.data)
                     for a in attachments],
    )
    message.deliver_inline = inline  # not a column: read by _note_queued below
    db.session.add(message)
    return message


def deliver_after_commit(session: Session, message_ids: list[int]) -> None:
    """Ask for inline delivery of these (already flushed) messages once the session commits."""
    session.info.setdefault("outbox_ids", []).extend(message_ids)


@event.listens_for(Session, "after_flush")
def _note_queued(session: Session, flush_context) -> None:
    ids = [obj.id for obj in session.new
           if isinstance(obj, OutboxMessage) and getattr(obj, "deliver_inline", True)]
    if ids:
        deliver_after_commit(session, ids)


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    ids = session.info.pop("outbox_ids", None)
    if not ids or not current_app or current_app.config.get("MAIL_DELIVERY") != "inline":
        return
    # Delivery runs after the change is committed: a failure leaves the message queued for
    # the worker or `flask mail deliver`, and never undoes the change that caused it.
    app = current_app._get_current_object()
    try:
        delivery.deliver_inline(app, ids)
    except Exception:  # the change is committed: never turn a delivery problem into an error page
        app.logger.exception("Inline delivery failed; the messages wait in the outbox")


@event.listens_for(Session, "after_soft_rollback")
def _forget_queued(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop("outbox_ids", None)
