"""Equality monitoring: the optional questions a scheme's pack may ask its mentors and mentees
(its [equality] table), asked apart from registration, and kept only as counts that cannot be
tied to anyone; the desk's Reports page shows them with small numbers hidden."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal import dashboard
    from portal.equality import panels, views

    app.register_blueprint(views.bp)
    dashboard.add_panels(app, panels.equality_panel)
