"""`flask agreements ...`: scheduled work for agreements."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.agreements import reminders

agreements_cli = AppGroup("agreements", help="Mentoring agreements.")


@agreements_cli.command("remind")
def remind() -> None:
    """Send the signing and submission reminders that are due (safe to run at any time)."""
    # Emails need absolute links built outside a web request.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        sent = reminders.send_due()
    click.echo(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")


def register(app: Flask) -> None:
    app.cli.add_command(agreements_cli)
