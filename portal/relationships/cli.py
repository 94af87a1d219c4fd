"""`flask relationships remind`: the scheduled emails of a running relationship (run from cron,
e.g. hourly; safe to repeat and to run twice at once)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.relationships import check_ins, ending, follow_up, quiet

relationships_cli = AppGroup("relationships", help="Running mentoring relationships.")


@relationships_cli.command("remind")
def remind() -> None:
    """Send what is due: session follow-ups, action-plan reminders, review check-ins,
    nudges to quiet pairs, and the end of the agreed time (a reminder a week before, then the
    relationship ends as completed)."""
    # Each sweep adds its own line below and echoes its counts.
    followed = follow_up.send_due()
    click.echo(f"Session follow-ups sent: {followed.followed_up}; action plan reminders sent: "
               f"{followed.plan_reminders}.")
    sent = check_ins.send_due()
    click.echo(f"Check-ins sent: {sent.sent}; check-in reminders sent: {sent.reminded}.")
    nudged = quiet.send_due()
    click.echo(f"Quiet pairs nudged: {nudged.nudged}; quiet pairs reported to administrators: "
               f"{nudged.told_administrators}.")
    reminded, completed = ending.complete_due()
    click.echo(f"Relationships ending within a week: reminded {reminded}; completed {completed}.")


def register(app: Flask) -> None:
    app.cli.add_command(relationships_cli)
