"""Accounts: registering, signing in and out by emailed links."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal.accounts import views

    app.register_blueprint(views.bp)
