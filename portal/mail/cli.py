"""`flask mail ...`: the delivery worker, one delivery pass, and dead letters for operators."""

from __future__ import annotations

import os
import smtplib
import socket

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_mail import Message

from portal.errors import DomainError
from portal.extensions import db, mail
from portal.mail import dead_letters, delivery, queries
from portal.mail import worker as mail_worker

mail_cli = AppGroup("mail", help="Deliver the outbox and look after dead letters.")


@mail_cli.command("worker")
@click.option("--once", is_flag=True, help="Deliver everything due now, then stop.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Messages claimed and sent over one connection (default MAIL_BATCH_SIZE).")
@click.option("--poll-interval", type=click.FloatRange(min=0.01), default=None,
              help="Seconds to wait when nothing is due (default MAIL_POLL_SECONDS).")
def worker(once: bool, batch_size: int | None, poll_interval: float | None) -> None:
    """Deliver queued email until stopped (SIGTERM or Ctrl+C finish the message in flight)."""
    app = current_app._get_current_object()

    def announce_stop() -> None:
        click.echo(f"Mail worker {os.getpid()}: stopping after the message in flight.", err=True)

    click.echo(f"Mail worker {os.getpid()} started: {_server(app)}, batches of "
               f"{batch_size or app.config['MAIL_BATCH_SIZE']}.")
    with mail_worker.stop_on_signals(announce_stop) as stop:
        report = mail_worker.run(app, batch_size=batch_size, poll_interval=poll_interval,
                                 once=once, should_stop=stop.is_set, sleep=stop.wait,
                                 on_round=lambda r: _log_round(app, r))
    click.echo(f"Mail worker {os.getpid()} stopped: {report.summary()}.")
    if once and report.unreachable:
        raise click.ClickException(f"{report.error}. The messages wait in the outbox.")


def _log_round(app: Flask, report: delivery.Report) -> None:
    app.logger.info("Mail worker %s: %s", os.getpid(), report.summary())
    if report.unreachable:
        app.logger.warning("Mail worker %s: %s; trying again shortly", os.getpid(), report.error)


def _server(app: Flask) -> str:
    if app.config["MAIL_TRANSPORT"] == "local":
        return "local mailbox (MAIL_TRANSPORT=local)"
    return f"SMTP {app.config['MAIL_SERVER']}:{app.config['MAIL_PORT']}"


@mail_cli.command("deliver")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Messages claimed and sent over one connection (default MAIL_BATCH_SIZE).")
def deliver(batch_size: int | None) -> None:
    """Deliver everything due now, then stop: for cron, or after an outage."""
    app = current_app._get_current_object()
    report = mail_worker.run(app, batch_size=batch_size, once=True)
    click.echo(f"Delivered the outbox: {report.summary()}.")
    if report.unreachable:
        raise click.ClickException(f"{report.error}. The messages wait in the outbox.")


@mail_cli.command("dead")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True)
def dead(limit: int) -> None:
    """List dead letters, newest first, with the reason each could not be delivered."""
    messages = queries.dead_letters(None, limit=limit)
    if not messages:
        click.echo("There are no dead letters.")
        return
    for message in messages:
        scheme = f"scheme {message.scheme_id}" if message.scheme_id else "no scheme"
        click.echo(f"{message.id}\t{message.created_at:%Y-%m-%d %H:%M}\t{message.to_address}\t"
                   f"{message.template}\t{scheme}\t{message.attempts} tries\t"
                   f"{dead_letters.describe(message)} {message.last_error or ''}".rstrip())
    click.echo(f"{len(messages)} dead letters. Send one again with: flask mail resend ID")


@mail_cli.command("resend")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-dead", is_flag=True, help="Send every dead letter again.")
def resend(ids: tuple[int, ...], all_dead: bool) -> None:
    """Put dead letters back in the queue (by ID, or --all-dead) for a fresh round of tries."""
    if bool(ids) == all_dead:
        raise click.UsageError("Give the IDs of dead letters, or --all-dead (not both).")
    if all_dead:
        ids = tuple(m.id for m in queries.dead_letters(None, limit=1_000_000))
    failed = False
    for message_id in ids:
        try:
            message = dead_letters.resend(message_id, actor=None)
        except DomainError as error:
            db.session.rollback()
            click.echo(f"{message_id}: {error.message}", err=True)
            failed = True
        else:
            click.echo(f"{message_id}: queued again for {message.to_address}.")
    click.echo(f"{len(ids)} {'message' if len(ids) == 1 else 'messages'} handled."
               + ("" if current_app.config["MAIL_DELIVERY"] == "inline"
                  else " The worker will send them."))
    if failed:
        raise SystemExit(1)


@mail_cli.command("check")
@click.argument("address")
def check(address: str) -> None:
    """Send one test email straight through the SMTP settings, not the outbox.

    For a deploy: it proves the server, port, TLS and credentials at once and prints the
    server's own error if they are wrong, rather than leaving a dead letter to find later.
    """
    app = current_app._get_current_object()
    if app.config["MAIL_TRANSPORT"] != "smtp":
        raise click.ClickException("MAIL_TRANSPORT is local: there is no SMTP server to check. "
                                   "Set MAIL_SERVER first.")
    message = Message(subject="Test email from the mentoring portal", recipients=[address],
                      body="This email proves that the mentoring portal can send email with its "
                           f"current settings.\n\nSent through {_server(app)}.\n")
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(app.config["MAIL_TIMEOUT_SECONDS"])  # Flask-Mail sets none
    try:
        mail.init_app(app)  # read the settings as they are now
        mail.send(message)
    except (OSError, smtplib.SMTPException) as error:
        raise click.ClickException(f"{_server(app)} refused or did not answer: {error}") from None
    finally:
        socket.setdefaulttimeout(previous)
    click.echo(f"Sent a test email to {address} through {_server(app)}.")


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)
