"""Dead letters: emails that could not be delivered, and sending them again.

Administrators see the dead letters of their own schemes. Messages about no scheme (sign-in
links, for example) are for site administrators (people who administer every scheme, see
portal.admin.queries.is_site_admin), on their desk, and for operators, through `flask mail dead`
and `flask mail resend`.
"""

from __future__ import annotations

import sqlalchemy as sa

from portal import audit
from portal.accounts.models import User
from portal.admin.queries import is_site_admin
from portal.db import lock
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.mail import delivery
from portal.mail.models import MessageState, OutboxMessage
from portal.mail.outbox import deliver_after_commit
from portal.mail.queries import visible_to


def resend(message_id: int, *, actor: User | None, ip_address: str | None = None
           ) -> OutboxMessage:
    """Put a dead letter back in the queue for a fresh round of attempts.

    ``actor`` is the administrator asking, or None for an operator at the command line.
    """
    message = lock(db.session, sa.select(OutboxMessage).where(OutboxMessage.id == message_id))
    if message is None:
        raise DomainError("There is no email with that number.", status=404,
                          title="Email not found")
    if actor is not None and not (visible_to(message, actor) or (
            message.scheme_id is None and is_site_admin(actor))):
        raise NotAllowed("Only an administrator of the email's scheme can send it again.")
    if message.state != MessageState.DEAD:
        already = ("has already been sent" if message.state == MessageState.SENT
                   else "is already waiting to be sent")
        raise DomainError(f"The email to {message.to_address} {already}.",
                          next_step="There is nothing more to do for it.",
                          title="This email is not waiting for you")
    reason = message.last_error
    delivery.requeue(message)
    audit.record(db.session, "outbox_message", message.id, "resent",
                 actor_id=actor.id if actor else None, ip_address=ip_address,
                 to=message.to_address, template=message.template, reason=reason)
    # With inline delivery, try it as soon as this commits; otherwise the worker picks it up.
    deliver_after_commit(db.session, [message.id])
    db.session.commit()
    return message


def describe(message: OutboxMessage) -> str:
    """Why a dead letter died, in plain words (the server's own words are shown beside it)."""
    error = message.last_error or ""
    if error.startswith("the message could not be built"):
        return "The email could not be put together."
    if error[:1] == "5":
        return "The receiving mail server refused it."
    return f"It could not be delivered after {message.attempts} tries."
