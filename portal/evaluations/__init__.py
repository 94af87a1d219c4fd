"""Evaluations: the questions each scheme's pack asks the mentor and the mentee about their
mentoring, at its end (and, where the pack says, on the review date and after the end), and
what the scheme's administrators see of the answers."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal import dashboard
    from portal.evaluations import cli, panels, views

    app.register_blueprint(views.bp)
    dashboard.add_panels(app, panels.evaluations_panel)
    cli.register(app)
