"""People's own data: a person downloads everything the portal holds about them, as a ZIP that
the worker builds and the portal emails them about (not built in the request), and deletes
their account (or an administrator carries out their erasure request)."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal.personal_data import building, cli, views

    app.register_blueprint(views.bp)
    cli.register(app)
    # The mail worker runs each area's background jobs every round (portal/mail/worker.py).
    app.extensions.setdefault("portal.worker_jobs", []).append(building.build_waiting)
