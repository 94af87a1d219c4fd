"""`flask calls remind`: the scheduled reminder and expiry of unanswered requests."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.calls.lifecycle import remind_and_expire

calls_cli = AppGroup("calls", help="Chemistry calls.")


@calls_cli.command("remind")
def remind() -> None:
    """Remind mentors of unanswered requests and expire old ones (run from cron; safe to repeat).

    Uses each scheme's request_reminder_days and request_expiry_days.
    """
    sweep = remind_and_expire()
    click.echo(f"Reminded {sweep.reminded} mentor{'s' if sweep.reminded != 1 else ''}; "
               f"expired {sweep.expired} request{'s' if sweep.expired != 1 else ''}.")


def register(app: Flask) -> None:
    app.cli.add_command(calls_cli)
