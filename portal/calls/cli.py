"""`flask calls remind`: the scheduled reminder and expiry of unanswered requests.
`flask calls follow-up`: "How did your call go?" after each call, and one reminder."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.calls import follow_up
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


@calls_cli.command("follow-up")
def follow_up_command() -> None:
    """Ask each person how their call went once its end time has passed, and remind once 3
    days later anyone who has not answered (run from cron, e.g. hourly; safe to repeat)."""
    sweep = follow_up.send_due()
    click.echo(f"Asked {sweep.asked} {'people' if sweep.asked != 1 else 'person'} how their call "
               f"went; reminded {sweep.reminded} "
               f"{'people' if sweep.reminded != 1 else 'person'}.")


def register(app: Flask) -> None:
    app.cli.add_command(calls_cli)
