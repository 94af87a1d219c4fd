"""Administration: each scheme's agreements and line managers' approvals, for its
administrators."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal import dashboard
    from portal.admin import panels, views

    app.register_blueprint(views.bp)
    dashboard.add_panels(app, panels.admin_panel)
