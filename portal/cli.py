"""`flask` commands for every operational task. Areas add their own groups in <area>/cli.py."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from portal.extensions import db

schemes_cli = AppGroup("schemes", help="Scheme packs.")


@schemes_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_schemes(paths: tuple[Path, ...]) -> None:
    """Create or update schemes from pack files (default: every pack shipped with the portal)."""
    from portal.schemes import packs

    # Check every pack before changing anything, so one broken file never leaves a half-loaded set.
    try:
        loaded = [packs.read_pack(path) for path in paths or packs.pack_paths()]
    except packs.PackError as error:
        raise click.ClickException(f"{error}. No schemes were changed.") from None
    for data in loaded:
        scheme, created = packs.load_pack(db.session, data)
        click.echo(f"{'Created' if created else 'Updated'} scheme {scheme.slug}: {scheme.name}")
    db.session.commit()


AREA_COMMANDS = ("portal.demo", "portal.mail.cli", "portal.calls.cli", "portal.agreements.cli",
                 "portal.relationships.cli", "portal.admin.cli")


def init_app(app: Flask) -> None:
    app.cli.add_command(schemes_cli)
    for name in AREA_COMMANDS:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(app)
