"""Delivery from the outbox: claim due messages, send them over one SMTP connection, record the
outcome. The one delivery path, used inline after commit on the embedded default, by
`flask mail deliver` and by the worker at scale.

Delivery is at least once: a message is marked sent only after the server accepted it, so a
crash in between sends it again, with the same Message-ID (and the same Date), which lets the
receiving side recognise the duplicate.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import random
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from email.utils import parseaddr

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.errors import database_unavailable
from portal.extensions import db
from portal.mail import mime
from portal.mail.models import MessageState, OutboxMessage, may_become
from portal.schemes.models import Scheme

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600
#: After the mail server could not be reached, inline delivery leaves messages to the worker (or
#: `flask mail deliver`) for this long, so that requests do not each wait for a connect timeout.
INLINE_PAUSE_SECONDS = 30
#: Waits between tries at recording an outcome when the database connection breaks (a restart
#: takes well under a second; a failover a few): about 7 seconds in all before giving up.
RECONNECT_WAITS = (0.0, 0.25, 0.75, 2.0, 4.0)


class PermanentFailure(Exception):
    """The message can never be delivered as it is: the server refused it (SMTP 5xx), or it
    could not be turned into an email at all."""


class ServerUnreachable(Exception):
    """No connection to the mail server: not the fault of any message."""


@dataclasses.dataclass
class Report:
    """What one or more delivery rounds did."""

    claimed: int = 0
    sent: int = 0
    retry: int = 0  #: temporary failure: tried again later, with backoff
    dead: int = 0  #: refused for good, or out of attempts
    released: int = 0  #: handed back untried (stopping, lease running out, connection lost)
    unreachable: bool = False
    error: str | None = None

    def __iadd__(self, other: Report) -> Report:
        for field in ("claimed", "sent", "retry", "dead", "released"):
            setattr(self, field, getattr(self, field) + getattr(other, field))
        self.unreachable = other.unreachable
        self.error = other.error or self.error
        return self

    def summary(self) -> str:
        return (f"{self.sent} sent, {self.retry} to try again later, {self.dead} dead letters"
                + (f", {self.released} handed back" if self.released else ""))


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff with jitter: 15-30 s, 30-60 s, 60-120 s ... capped at six hours.

    The jitter spreads retries out, so messages that failed together do not all come back at
    the same moment.
    """
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def lease(app: Flask) -> dt.timedelta:
    return dt.timedelta(seconds=app.config["MAIL_LEASE_SECONDS"])


_lease = lease  # for deliver_round, whose argument of that name overrides it


def claim(session: Session, *, limit: int, lease: dt.timedelta,
          ids: Sequence[int] | None = None) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this deliverer and commit the claim.

    On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so several workers never
    take the same message; on SQLite the claim is one write transaction (BEGIN IMMEDIATE).
    A claim lasts ``lease``: if its holder dies, the messages are taken over after that.
    """
    now = utcnow()
    due = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.state == MessageState.QUEUED, OutboxMessage.next_attempt_at <= now,
               sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if ids is not None:
        due = due.where(OutboxMessage.id.in_(list(ids)))
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    else:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    picked = list(session.scalars(due))
    if not picked:
        session.commit()
        return []
    until = now + lease
    try:
        session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.id.in_(picked))
            .values(claimed_until=until)
        )
        session.commit()
        return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(picked))
                                    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                                    .execution_options(populate_existing=True)))
    except sa.exc.SQLAlchemyError as error:
        # The connection broke around the commit: the claim may or may not have been made.
        # If it was, hand it back now rather than leave the batch waiting out the lease.
        if database_unavailable(error):
            release_claims(session.get_bind(), picked, claimed_until=until)
        raise


@functools.lru_cache(maxsize=8)
def _address_of(sender: str) -> str:
    return parseaddr(sender)[1]


def envelope_sender(app: Flask) -> str:
    return _address_of(app.config["MAIL_DEFAULT_SENDER"])


def to_mime(app: Flask, message: OutboxMessage) -> bytes:
    """The message as the server receives it: text and HTML parts, attachments, stable ID.

    An email about a scheme comes from "<scheme name> via Mentoring portal" (mime.sender).
    """
    return mime.build(message, app.config["MAIL_DEFAULT_SENDER"],
                      _scheme_name(app, message) if message.scheme_id is not None else None)


#: How long a process trusts the scheme names it read: a renamed scheme shows in From after this.
SCHEME_NAMES_SECONDS = 60.0


def _scheme_name(app: Flask, message: OutboxMessage) -> str | None:
    """The name of the message's scheme, from all the schemes' names read at most once a
    minute per process (there are tens of schemes, and thousands of messages a minute), on a
    connection of its own so the delivery session's transactions are left alone. If the names
    cannot be read, the message goes from the plain sender rather than not at all."""
    cache = app.extensions.setdefault("mail.scheme_names", {"at": -SCHEME_NAMES_SECONDS,
                                                            "names": {}})
    now = time.monotonic()
    names = cache["names"]
    if now - cache["at"] >= SCHEME_NAMES_SECONDS or message.scheme_id not in names:
        session = sa.orm.object_session(message)
        engine = session.get_bind() if session is not None else db.engine
        try:
            with engine.connect() as connection:
                names = dict(connection.execute(sa.select(Scheme.id, Scheme.name)).all())
        except sa.exc.SQLAlchemyError as error:
            app.logger.warning("Could not read the scheme names for From headers: %s", error)
            return None
        cache.update(at=now, names=names)
    return names.get(message.scheme_id)


def connect(app: Flask) -> smtplib.SMTP:
    """One SMTP connection with the configured security and credentials."""
    config = app.config
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    smtp: smtplib.SMTP | None = None
    try:
        if config["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except (OSError, smtplib.SMTPException) as error:
        if smtp is not None:  # connected, then refused: a worker must not leak a socket a try
            smtp.close()
        raise ServerUnreachable(f"cannot reach the mail server {config['MAIL_SERVER']}:"
                                f"{config['MAIL_PORT']}: {_describe(error)}") from error
    return smtp


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(detail)}" for code, detail in error.recipients.values())
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _text(detail: bytes | str) -> str:
    return detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)


_LEADING_DOT = re.compile(rb"(?m)^\.")  #: dot-stuffing (RFC 5321 4.5.2)


def transmit(smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """Send one message to one recipient, raising smtplib's errors as sendmail() does.

    Where the server offers PIPELINING (RFC 2920), MAIL, RCPT and DATA go in one write and
    their replies are read together: two round trips per message instead of four, which is
    most of the time a message takes on a busy host or a distant relay.
    """
    smtp.ehlo_or_helo_if_needed()
    if not (smtp.has_extn("pipelining") and recipient.isascii() and sender.isascii()):
        smtp.sendmail(sender, [recipient], data)
        return
    size = f" SIZE={len(data)}" if smtp.has_extn("size") else ""
    smtp.send(f"MAIL FROM:{smtplib.quoteaddr(sender)}{size}\r\n"
              f"RCPT TO:{smtplib.quoteaddr(recipient)}\r\nDATA\r\n")
    mail_reply, rcpt_reply, data_reply = smtp.getreply(), smtp.getreply(), smtp.getreply()
    if data_reply[0] == 354 and (mail_reply[0] != 250 or rcpt_reply[0] not in (250, 251)):
        smtp.send(b".\r\n")  # the server wants a body it should not have asked for: end it
        data_reply = smtp.getreply()
    if mail_reply[0] != 250:
        _abandon(smtp, mail_reply[0])
        raise smtplib.SMTPSenderRefused(*mail_reply, sender)
    if rcpt_reply[0] not in (250, 251):
        _abandon(smtp, rcpt_reply[0])
        raise smtplib.SMTPRecipientsRefused({recipient: rcpt_reply})
    if data_reply[0] != 354:
        _abandon(smtp, data_reply[0])
        raise smtplib.SMTPDataError(*data_reply)
    body = _LEADING_DOT.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _abandon(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal: a 421 means the server is closing; otherwise reset for the next one."""
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _send_one(app: Flask, smtp: smtplib.SMTP, message: OutboxMessage) -> None:
    try:
        data = to_mime(app, message)
    except Exception as error:  # a message that cannot be built will never be sent: no retry
        raise PermanentFailure(f"the message could not be built: {_describe(error)}") from error
    try:
        transmit(smtp, envelope_sender(app), message.to_address, data)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            raise PermanentFailure(_describe(error)) from error
        raise
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentFailure(_describe(error)) from error
        raise


#: Stops a delivery round early (the worker's SIGTERM); checked between messages.
StopCheck = Callable[[], bool]


def send(app: Flask, session: Session, messages: Iterable[OutboxMessage], *,
         should_stop: StopCheck = lambda: False) -> Report:
    """Send claimed messages over one connection and commit each outcome as it happens."""
    messages = list(messages)
    report = Report(claimed=len(messages))
    if not messages:
        return report
    if app.config["MAIL_TRANSPORT"] == "local":
        # The embedded default: the outbox itself is the mailbox, read in the mail viewer.
        _begin_write(session)
        _mark_sent(session, [m.id for m in messages])
        session.commit()
        report.sent = len(messages)
        return report

    try:
        smtp = connect(app)
    except ServerUnreachable as error:
        # Not the messages' fault: they keep their attempts and wait for the server.
        report.unreachable, report.error = True, str(error)
        report.released = _release(session, messages, reason=str(error))
        return report

    # Stop taking new messages well before the claim runs out, so that no other worker can
    # take over a message while this one may still be sending it.
    margin = dt.timedelta(seconds=4 * app.config["MAIL_TIMEOUT_SECONDS"])
    deadline = min(m.claimed_until for m in messages) - margin
    marks = contextlib.ExitStack()
    mark_sent = marks.enter_context(_sent_marks(session))
    index = 0
    try:
        for index, message in enumerate(messages):
            if should_stop() or utcnow() >= deadline:
                report.released += _release(session, messages[index:])
                break
            try:
                _send_one(app, smtp, message)
            except PermanentFailure as error:
                _failed(app, message, str(error), permanent=True)
                report.dead += 1
            except (OSError, smtplib.SMTPException) as error:
                # A temporary refusal (4xx) or a broken connection: this message tries again
                # later; after a broken connection the rest wait for the next round.
                _failed(app, message, _describe(error), permanent=False)
                if message.state == MessageState.DEAD:
                    report.dead += 1
                else:
                    report.retry += 1
                if isinstance(error, (smtplib.SMTPServerDisconnected, OSError)):
                    session.commit()
                    report.released += _release(session, messages[index + 1:])
                    report.error = _describe(error)
                    break
            else:
                mark_sent(message.id)
                report.sent += 1
            # Commit each outcome at once: a crash now re-sends at most the message in flight.
            session.commit()
    except sa.exc.SQLAlchemyError as error:
        if not database_unavailable(error):
            raise
        # The database went away mid-round. The message in flight was either recorded, or
        # sent and could not be marked even after retrying (it stays claimed, and goes again
        # once its claim runs out); the ones not yet tried go straight back to the queue
        # rather than waiting out the claim.
        untried = messages[index + 1:]
        report.released += release_claims(session.get_bind(), [m.id for m in untried],
                                          claimed_until=untried[0].claimed_until if untried
                                          else None)
        raise
    finally:
        # Cleaning up a broken connection must not hide why it broke.
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            marks.close()
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return report


#: Built once: this runs once per message, so it skips the ORM's unit of work and recompiling.
#: A bulk UPDATE rather than OutboxMessage.move_to, for throughput: its WHERE clause names only
#: the states the lifecycle lets become sent, so a row in any other state is left as it is.
_MARK_SENT = (
    sa.update(OutboxMessage).where(
        OutboxMessage.id == sa.bindparam("pk"),
        sa.or_(*(OutboxMessage.state == source for source in may_become(MessageState.SENT))))
    .values(state=MessageState.SENT, sent_at=sa.bindparam("now"), claimed_until=None,
            last_error=None, attempts=OutboxMessage.attempts + 1)
    .execution_options(synchronize_session=False)
)


def _begin_write(session: Session) -> None:
    """End what the session was reading and start a write transaction. On SQLite a transaction
    that has read and then writes fails at once ("database is locked") if another process
    wrote in between; one begun IMMEDIATE waits its turn instead."""
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _mark_sent(executor: Session | sa.Connection, ids: list[int]) -> None:
    now = utcnow()
    # On the session's connection, as plain SQL: a Session given a list of parameters takes an
    # update of a mapped class for an ORM "bulk UPDATE by primary key" and refuses this one.
    connection = executor.connection() if isinstance(executor, Session) else executor
    connection.execute(_MARK_SENT, [{"pk": pk, "now": now} for pk in ids])


@contextlib.contextmanager
def _sent_marks(session: Session) -> Iterator[Callable[[int], None]]:
    """A function that records one message as sent, committed before it returns.

    On PostgreSQL it writes on a connection of its own in autocommit mode with
    synchronous_commit off: one round trip per message and no wait for the disk. If the
    database server itself crashed, the last fraction of a second of marks could be lost and
    those messages sent again, which at-least-once delivery with a stable Message-ID allows.
    """
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        def mark(pk: int) -> None:
            _begin_write(session)
            _mark_sent(session, [pk])
            session.commit()

        yield mark
        return
    # The mark of a message the server has accepted matters most: if the connection breaks
    # (a database restart), it is written on a fresh one, with a few short waits, rather than
    # lost (which would send the message again once its claim ran out).
    held: list[sa.Connection] = []

    def connection() -> sa.Connection:
        if not held:
            fresh = engine.connect()
            fresh.execution_options(isolation_level="AUTOCOMMIT")
            fresh.exec_driver_sql("SET synchronous_commit TO OFF")
            held.append(fresh)
        return held[0]

    def drop() -> None:
        while held:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                held.pop().invalidate()

    def mark(pk: int) -> None:
        with_retries(lambda: _mark_sent(connection(), [pk]), on_failure=drop)

    try:
        yield mark
    finally:
        for open_connection in held:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                open_connection.exec_driver_sql("RESET synchronous_commit")
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                open_connection.close()


def with_retries(action: Callable[[], object], *, on_failure: Callable[[], object] = lambda: None,
                 waits: Sequence[float] = RECONNECT_WAITS) -> None:
    """Run ``action``; while the database is gone, try again after each of ``waits``."""
    for attempt, wait in enumerate(waits):
        time.sleep(wait)
        try:
            action()
            return
        except sa.exc.SQLAlchemyError as error:
            if not database_unavailable(error) or attempt == len(waits) - 1:
                raise
            on_failure()


def release_claims(engine: sa.Engine, ids: Sequence[int], *,
                   claimed_until: dt.datetime | None) -> int:
    """Hand this round's claimed messages back to the queue at once, on a connection of its own
    (the round's may be broken); 0 if the database stays away: their claims then run out by
    themselves. Only claims ending at ``claimed_until`` (this round's) are released, never one
    another worker has made since."""
    if not ids or claimed_until is None:
        return 0
    statement = (sa.update(OutboxMessage)
                 .where(OutboxMessage.id.in_(list(ids)),
                        OutboxMessage.state == MessageState.QUEUED,
                        OutboxMessage.claimed_until == claimed_until)
                 .values(claimed_until=None)
                 .execution_options(synchronize_session=False))

    def release() -> None:
        with engine.begin() as connection:
            connection.execute(statement)

    try:
        with_retries(release)
    except sa.exc.SQLAlchemyError:
        return 0
    return len(ids)


def _failed(app: Flask, message: OutboxMessage, reason: str, *, permanent: bool) -> None:
    message.attempts += 1
    message.last_error = reason[:2000]
    message.claimed_until = None
    if permanent or message.attempts >= app.config["MAIL_MAX_ATTEMPTS"]:
        message.move_to(MessageState.DEAD)
    else:
        message.next_attempt_at = utcnow() + backoff(message.attempts)


def _release(session: Session, messages: Sequence[OutboxMessage], *,
             reason: str | None = None) -> int:
    """Hand untried messages back to the queue at once, keeping their attempts."""
    for message in messages:
        message.claimed_until = None
        if reason:
            message.last_error = reason[:2000]
    session.commit()
    return len(messages)


def deliver_round(app: Flask, *, limit: int | None = None, ids: Sequence[int] | None = None,
                  should_stop: StopCheck = lambda: False,
                  lease: dt.timedelta | None = None) -> Report:
    """Claim one batch of due messages and send it, in a database session of its own."""
    limit = limit or app.config["MAIL_BATCH_SIZE"]
    with Session(db.engine, expire_on_commit=False) as session:
        messages = claim(session, limit=limit, lease=lease or _lease(app), ids=ids)
        return send(app, session, messages, should_stop=should_stop)


def inline_lease(app: Flask) -> dt.timedelta:
    """The claim of an inline round: a request's few messages, so the shortest claim that
    `send` can work within (it stops four timeouts before the claim ends). A request whose
    process dies mid-round leaves its messages waiting two minutes, not five."""
    return dt.timedelta(seconds=6 * app.config["MAIL_TIMEOUT_SECONDS"])


def deliver_inline(app: Flask, ids: Sequence[int]) -> Report:
    """Deliver messages just committed by a request, unless the mail server was recently
    unreachable: then they wait for the worker or `flask mail deliver`."""
    paused_until = app.extensions.get("mail_inline_paused_until", 0.0)
    if time.monotonic() < paused_until:
        return Report()
    report = Report()
    for start in range(0, len(ids), app.config["MAIL_BATCH_SIZE"]):
        chunk = ids[start:start + app.config["MAIL_BATCH_SIZE"]]
        report += deliver_round(app, ids=chunk, limit=len(chunk), lease=inline_lease(app))
        if report.unreachable:
            app.extensions["mail_inline_paused_until"] = time.monotonic() + INLINE_PAUSE_SECONDS
            app.logger.warning("Mail server unreachable; messages wait in the outbox: %s",
                               report.error)
            break
    return report


def requeue(message: OutboxMessage) -> None:
    """Put a dead letter back in the queue for a fresh round of attempts."""
    message.move_to(MessageState.QUEUED)
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_until = None
