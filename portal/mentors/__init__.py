"""Mentors: profiles, search and the mentee's shortlist."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal import dashboard
    from portal.mentors import panels, views

    app.register_blueprint(views.bp)
    dashboard.add_panels(app, panels.mentee_panel, panels.mentor_panel)
