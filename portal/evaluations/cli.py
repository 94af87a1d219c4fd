"""`flask evaluations remind`: the scheduled work of evaluations (run from cron, e.g. hourly;
safe to repeat and to run twice at once)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.evaluations import reminders

evaluations_cli = AppGroup("evaluations", help="Evaluations of mentoring relationships.")


@evaluations_cli.command("remind")
def remind() -> None:
    """Open the evaluations due on review dates and after endings, and send the one reminder a
    week after an evaluation opened to whoever has not answered it, and a week after an
    evaluation to sign together was made to whoever has not signed it."""
    sweep = reminders.send_due()
    click.echo(f"Evaluations opened: {sweep.opened}; evaluation reminders sent: "
               f"{sweep.reminded}; reminders to sign sent: {sweep.reminded_to_sign}.")


def register(app: Flask) -> None:
    app.cli.add_command(evaluations_cli)
