"""Mentoring agreements: terms, signatures by emailed link, submission to the administrator."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal import dashboard
    from portal.agreements import cli, opening, panels, views

    app.register_blueprint(views.bp)
    opening.install()  # a relationship's agreement opens in the same flush that creates it
    dashboard.add_panels(app, panels.agreements_panel)
    cli.register(app)
