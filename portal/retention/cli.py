"""`flask retention apply`: delete or blank what is past its period, and warn the people whose
accounts nobody uses (run from cron, e.g. daily; safe to repeat and to run twice at once)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.retention import applying

retention_cli = AppGroup("retention", help="How long personal data is kept.")


@retention_cli.command("apply")
def apply() -> None:
    """Apply every retention period now and print what was destroyed (counts only)."""
    done = applying.apply()
    click.echo(f"Signed agreements deleted: {done.agreements} ({done.agreement_versions} "
               f"versions, {done.agreement_signatures} signatures); signed evaluations "
               f"deleted: {done.signed_evaluations} ({done.evaluation_signatures} signatures); "
               f"audit events about them deleted: {done.audit_events}.")
    click.echo(f"IP addresses and browser strings blanked: audit events {done.addresses_audit}, "
               f"agreement signatures {done.addresses_agreement_signatures}, evaluation "
               f"signatures {done.addresses_evaluation_signatures}, line manager answers "
               f"{done.addresses_line_managers}.")
    click.echo(f"Sent email bodies emptied: {done.email_bodies}; attachments deleted: "
               f"{done.email_attachments}.")
    click.echo(f"Emailed link records deleted: {done.emailed_links}; used links of the earlier "
               f"format deleted: {done.used_tokens}.")
    click.echo(f"Inactive accounts warned: {done.inactive_warned}; deleted: "
               f"{done.inactive_deleted}.")


def register(app: Flask) -> None:
    app.cli.add_command(retention_cli)
