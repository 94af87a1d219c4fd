"""Retention: each kind of personal data kept only as long as the portal promises
(`flask retention apply`, run from cron)."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported, and the
    # command imports other areas' models, so importing it above would make cycles.
    from portal.retention import cli

    cli.register(app)
