"""`flask admins ...`: appointing and removing scheme administrators, for operators.

A real error (an unknown person or scheme) exits with status 1 and changes nothing. Granting what
a person already holds, or revoking what they do not, changes nothing, says so and exits 0, so
a deployment script can run the same command twice.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.admin import appointing
from portal.errors import DomainError

admins_cli = AppGroup("admins", help="Appoint and remove scheme administrators.")

_SCHEME = click.argument("scheme", required=False)
_ALL = click.option("--all-schemes", is_flag=True,
                    help="Every scheme: a site administrator, who also sees the email that "
                         "belongs to no scheme.")


def _run(verb, email: str, scheme: str | None, all_schemes: bool) -> appointing.Outcome:
    if bool(scheme) == all_schemes:
        raise click.UsageError("Give the scheme's short name (its slug), or --all-schemes.")
    try:
        return verb(email, scheme, all_schemes=all_schemes)
    except DomainError as error:
        raise click.ClickException(
            " ".join(filter(None, [error.message, error.next_step]))) from None


def _names(schemes) -> str:
    return ", ".join(scheme.slug for scheme in schemes)


@admins_cli.command("grant")
@click.argument("email")
@_SCHEME
@_ALL
def grant(email: str, scheme: str | None, all_schemes: bool) -> None:
    """Make the person with account EMAIL an administrator of SCHEME (or of every scheme)."""
    outcome = _run(appointing.grant, email, scheme, all_schemes)
    who = f"{outcome.user.full_name} ({outcome.user.email})"
    if outcome.changed:
        click.echo(f"{who} is now an administrator of: {_names(outcome.changed)}.")
    if outcome.unchanged:
        click.echo(f"{who} was already an administrator of: {_names(outcome.unchanged)}. "
                   "Nothing changed there.")


@admins_cli.command("revoke")
@click.argument("email")
@_SCHEME
@_ALL
def revoke(email: str, scheme: str | None, all_schemes: bool) -> None:
    """Stop the person with account EMAIL being an administrator of SCHEME (or of every
    scheme). Their other roles stay."""
    outcome = _run(appointing.revoke, email, scheme, all_schemes)
    who = f"{outcome.user.full_name} ({outcome.user.email})"
    if outcome.changed:
        click.echo(f"{who} is no longer an administrator of: {_names(outcome.changed)}.")
    if outcome.unchanged:
        click.echo(f"{who} was not an administrator of: {_names(outcome.unchanged)}. "
                   "Nothing changed there.")
    if outcome.left_without:
        click.echo(f"Warning: {_names(outcome.left_without)} now has no administrator. "
                   "Appoint one with: flask admins grant EMAIL SCHEME", err=True)


def register(app: Flask) -> None:
    app.cli.add_command(admins_cli)
