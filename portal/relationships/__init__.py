"""Relationships: a mentor and mentee who agreed to work together, from the agreement through
their sessions, action plan and review check-ins."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal.relationships import cli, views

    app.register_blueprint(views.bp)
    cli.register(app)
