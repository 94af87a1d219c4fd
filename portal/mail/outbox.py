"""Queue emails in the current transaction; deliver them once it commits."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import current_app, render_template_string
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


def render_email(template: str, **context) -> tuple[str, str, str]:
    """Render ``templates/email/<template>.txt`` into (subject, text, html)."""
    env = current_app.jinja_env
    tmpl = env.get_template(f"email/{template}.txt")
    values = {"absolute_url": absolute_url, "base_url": current_app.config["BASE_URL"], **context}
    subject = " ".join("".join(tmpl.blocks["subject"](tmpl.new_context(values))).split())
    body = re.sub(r"\n{3,}", "\n\n", tmpl.render(values).strip()) + "\n"
    return subject, body, _html(subject, body)


_URL = re.compile(r"(https?://[^\s<>\"]+)")


def text_to_html(text: str) -> Markup:
    """Plain email text as HTML paragraphs with live links."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        escaped = str(escape(block))
        linked = _URL.sub(r'<a href="\1">\1</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(paragraphs))


def _html(subject: str, text: str) -> str:
    """The HTML part: the same words as the text part, with paragraphs and live links."""
    return render_template_string(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>{{ subject }}</title>"
        "</head><body style=\"font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5;"
        " color: #0b0c0c; max-width: 40em\">{{ body }}</body></html>",
        subject=subject, body=text_to_html(text),
    )


def queue(to: str, template: str, *, scheme=None,
          attachments: tuple[Attachment, ...] | list[Attachment] = (),
          reply_to: str | None = None, **context) -> OutboxMessage:
    """Add an email to the outbox in the current transaction; it is delivered after commit.

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
    db.session.add(message)
    return message


def deliver_after_commit(session: Session, message_ids: list[int]) -> None:
    """Ask for inline delivery of these (already flushed) messages once the session commits."""
    session.info.setdefault("outbox_ids", []).extend(message_ids)


@event.listens_for(Session, "after_flush")
def _note_queued(session: Session, flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
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
