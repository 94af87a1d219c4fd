"""Schemes: their pages, and the packs that define them (`flask schemes load`)."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal.schemes import cli, queries, views

    app.register_blueprint(views.bp)
    app.add_template_global(queries.home_scheme)
    app.cli.add_command(cli.schemes_cli)
