"""`flask relationships remind`: the scheduled emails of a running relationship (run from cron,
e.g. hourly; safe to repeat and to run twice at once)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

relationships_cli = AppGroup("relationships", help="Running mentoring relationships.")


@relationships_cli.command("remind")
def remind() -> None:
    """Send what is due: session follow-ups, action-plan reminders, review check-ins and
    nudges to quiet pairs."""
    # Each sweep adds its own line below and echoes its counts.


def register(app: Flask) -> None:
    app.cli.add_command(relationships_cli)
