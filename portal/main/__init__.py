"""Main: the start page, the dashboard, and the accessibility and privacy statements."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal.main import views

    app.register_blueprint(views.bp)
