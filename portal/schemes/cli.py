"""`flask schemes load`: create or update schemes from their packs."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.schemes import packs

schemes_cli = AppGroup("schemes", help="Scheme packs.")


@schemes_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_schemes(paths: tuple[Path, ...]) -> None:
    """Create or update schemes from pack files (default: every pack shipped with the portal)."""
    # Check every pack before changing anything, so one broken file never leaves a half-loaded set.
    try:
        loaded = [packs.read_pack(path) for path in paths or packs.pack_paths()]
    except packs.PackError as error:
        raise click.ClickException(f"{error}. No schemes were changed.") from None
    for data in loaded:
        scheme, created = packs.load_pack(db.session, data)
        click.echo(f"{'Created' if created else 'Updated'} scheme {scheme.slug}: {scheme.name}")
    db.session.commit()
