"""`flask personal-data build`: build the downloads people asked for (cron, or the mail
worker does it each round)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.personal_data import building


def register(app: Flask) -> None:
    group = AppGroup("personal-data", help="People's own data.")

    @group.command("build")
    @click.option("--limit", default=20, show_default=True, help="At most this many in one run.")
    def build(limit: int) -> None:
        """Build the downloads people asked for, and email each person when theirs is ready."""
        click.echo(f"Data downloads built: {building.build_waiting(limit=limit)}.")

    app.cli.add_command(group)
