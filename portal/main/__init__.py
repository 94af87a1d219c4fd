"""Main: the start page, the dashboard, help, and the accessibility and privacy statements."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal import dashboard
    from portal.main import panels, views

    app.register_blueprint(views.bp)
    dashboard.add_panels(app, panels.next_step_panel, panels.tasks_panel)
