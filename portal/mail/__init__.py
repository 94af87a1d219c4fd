"""Email: the outbox, its delivery, dead letters, and the development mail viewer."""

from flask import Flask

from portal.mail.outbox import Attachment, absolute_url, queue

__all__ = ["Attachment", "absolute_url", "init_app", "queue"]


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal import dashboard
    from portal.mail import cli, dead_letter_views, panels

    app.register_blueprint(dead_letter_views.bp)
    dashboard.add_panels(app, panels.dead_letters_panel)
    cli.register(app)
    if app.config["PORTAL_ENV"] == "development":
        # Only a development portal has the local mailbox, and only loopback clients see it.
        from portal.mail import views

        app.register_blueprint(views.bp)
